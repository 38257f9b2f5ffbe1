"""``classif.<name>``: every torchvision classification network as a learner (mlr3torch's vision learners).

The ids come from torchvision's own registry (``torchvision.models.list_models`` over the
classification module; the list in :mod:`jupytorch.nn._register` is checked against it by the
tests). A learner takes one lazy-tensor feature of shape ``(None, 3, H, W)``; its network is
torchvision's model with the classification head replaced to fit the task
(:func:`replace_head`).

``pretrained=True`` (required, as in mlr3torch) loads torchvision's ImageNet weights (see
:mod:`jupytorch.nn.learners.weights`) and, unless ``normalize=False``, normalizes the images
inside the network with the mean and standard deviation the weights were trained with (in
training and prediction alike). Networks with auxiliary classifiers (``googlenet``,
``inception_v3``) return several outputs while training; the loss of each auxiliary output is
added with the weight ``aux_loss_weight`` (0 removes the auxiliary heads).
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.paramset import ParamDbl, ParamLgl, ParamSet, ParamUty
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.ingress import ingress_ltnsr
from jupytorch.nn.learner_torch import LearnerTorch

__all__ = ["AuxLoss", "InputNormalize", "LearnerTorchVision", "replace_head", "vision_network"]

#: where the classification head sits, by family (dotted path; ``-1`` indexes a Sequential)
_HEADS = (
    (("resnet", "resnext", "wide_resnet", "regnet", "googlenet", "inception", "shufflenet"), "fc"),
    (("densenet",), "classifier"),
    (("squeezenet",), "classifier.1"),
    (("vit",), "heads.head"),
    (("swin",), "head"),
    (("alexnet", "vgg", "mobilenet", "mnasnet", "efficientnet", "convnext", "maxvit"), "classifier.-1"),
)
#: auxiliary classifiers whose heads are replaced too
_AUX_HEADS = {"googlenet": ("aux1.fc2", "aux2.fc2"), "inception_v3": ("AuxLogits.fc",)}
#: default weight of each auxiliary loss (googlenet: the paper's 0.3; inception_v3: mlr3torch's 0.4)
_AUX_WEIGHTS = {"googlenet": 0.3, "inception_v3": 0.4}


def _head_path(name: str) -> str:
    for prefixes, path in _HEADS:
        if name.startswith(prefixes):
            return path
    raise InvalidParameterError(
        f"replace_head: no head rule for model {name!r}; known families: "
        f"{sorted(p for prefixes, _ in _HEADS for p in prefixes)}."
    )


def _get(module: torch.nn.Module, path: str) -> torch.nn.Module:
    for part in path.split("."):
        module = module[int(part)] if part.lstrip("-").isdigit() else getattr(module, part)
    return module


def _set(module: torch.nn.Module, path: str, new: torch.nn.Module) -> None:
    parent_path, _, last = path.rpartition(".")
    parent = _get(module, parent_path) if parent_path else module
    if last.lstrip("-").isdigit():
        parent[int(last)] = new
    else:
        setattr(parent, last, new)


def _fresh_head(old: torch.nn.Module, n_out: int, where: str) -> torch.nn.Module:
    factory = {"device": old.weight.device, "dtype": old.weight.dtype}
    if isinstance(old, torch.nn.Linear):
        return torch.nn.Linear(old.in_features, n_out, bias=old.bias is not None, **factory)
    if isinstance(old, torch.nn.Conv2d):  # squeezenet: a 1x1 convolution
        return torch.nn.Conv2d(old.in_channels, n_out, old.kernel_size, old.stride, bias=old.bias is not None, **factory)
    raise InvalidParameterError(f"replace_head: {where} is a {type(old).__name__}, not a Linear or Conv2d layer.")


def replace_head(network: torch.nn.Module, n_out: int, name: str | None = None) -> torch.nn.Module:
    """Replace the classification head of a torchvision network by a fresh one with ``n_out`` outputs.

    The head is found by family: ``fc`` (resnet, resnext, wide_resnet, regnet, googlenet,
    inception_v3, shufflenet), ``classifier`` (densenet), ``classifier[1]`` (squeezenet's 1x1
    convolution), ``heads.head`` (vit), ``head`` (swin) and ``classifier[-1]`` (alexnet, vgg,
    mobilenet, mnasnet, efficientnet, convnext, maxvit). The auxiliary classifiers of
    googlenet (``aux1.fc2``, ``aux2.fc2``) and inception_v3 (``AuxLogits.fc``) are replaced
    too, when present. Every other weight is kept.

    Parameters
    ----------
    network : torch.nn.Module
        A torchvision classification network.
    n_out : int
        Outputs of the new head (1 for a binary task, else the number of classes).
    name : str, optional
        torchvision's model name; default: derived from the class name (``ResNet`` -> resnet).

    Returns
    -------
    torch.nn.Module
        ``network``, changed in place.

    Examples
    --------
    >>> import torchvision
    >>> net = replace_head(torchvision.models.resnet18(), 3)
    >>> net.fc
    Linear(in_features=512, out_features=3, bias=True)
    """
    name = (name or type(network).__name__).lower()
    path = _head_path(name)
    _set(network, path, _fresh_head(_get(network, path), n_out, f"{name}.{path}"))
    for aux in _AUX_HEADS.get(name, ()):
        owner = aux.partition(".")[0]
        if getattr(network, owner, None) is not None:
            _set(network, aux, _fresh_head(_get(network, aux), n_out, f"{name}.{aux}"))
    return network


class InputNormalize:
    """A forward pre-hook that normalizes the image input: ``(x - mean) / std`` per channel.

    Registered on the network itself (``register_forward_pre_hook``), so parameter names stay
    torchvision's (``fc.weight``) and prediction normalizes exactly like training.

    Examples
    --------
    >>> hook = InputNormalize([0.5, 0.5, 0.5], [0.25, 0.25, 0.25])
    >>> hook(None, (torch.ones(1, 3, 2, 2),))[0].flatten()[:2].tolist()
    [2.0, 2.0]
    """

    def __init__(self, mean: Any, std: Any):
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]
        self._cache: dict[tuple, tuple[torch.Tensor, torch.Tensor]] = {}

    def __call__(self, module: Any, args: tuple) -> tuple:
        x = args[0]
        key = (x.device, x.dtype)
        stats = self._cache.get(key)
        if stats is None:
            shape = (1, len(self.mean), 1, 1)
            stats = (torch.tensor(self.mean, device=x.device, dtype=x.dtype).view(shape),
                     torch.tensor(self.std, device=x.device, dtype=x.dtype).view(shape))
            self._cache[key] = stats
        return ((x - stats[0]) / stats[1], *args[1:])

    def __getstate__(self) -> dict[str, Any]:
        return {"mean": self.mean, "std": self.std, "_cache": {}}

    def __repr__(self) -> str:
        return f"InputNormalize(mean={self.mean}, std={self.std})"


class AuxLoss(torch.nn.Module):
    """A loss over a network's main and auxiliary outputs: ``loss(main) + weight * sum(loss(aux))``.

    A plain tensor (the network in eval mode, or without auxiliary heads) gets the plain loss.

    Examples
    --------
    >>> loss = AuxLoss(torch.nn.MSELoss(), weight=0.5)
    >>> y = torch.zeros(2, 1)
    >>> float(loss((torch.ones(2, 1), torch.ones(2, 1)), y)), float(loss(torch.ones(2, 1), y))
    (1.5, 1.0)
    """

    def __init__(self, loss: Any, weight: float):
        super().__init__()
        self.loss = loss
        self.weight = float(weight)

    def forward(self, output: Any, target: torch.Tensor) -> torch.Tensor:
        if isinstance(output, torch.Tensor):
            return self.loss(output, target)
        main, *aux = output
        total = self.loss(main, target)
        for extra in aux:
            if extra is not None:
                total = total + self.weight * self.loss(extra, target)
        return total


def _weights_enum(name: str, which: str) -> Any:
    import torchvision

    enum = torchvision.models.get_model_weights(name)
    try:
        return enum[which]
    except KeyError:
        from jupytorch.core.exceptions import did_you_mean

        raise InvalidParameterError(
            f"Learner 'classif.{name}': weights {which!r} are not among {[m.name for m in enum]} (or 'DEFAULT')."
            f"{did_you_mean(which, [m.name for m in enum])}"
        ) from None


def _size_args(name: str, height: int | None, width: int | None) -> dict[str, Any]:
    """Builder arguments that fix the input size of networks built for one size (vit, maxvit)."""
    if height is None or width is None:
        return {}
    if name.startswith("vit_"):
        return {"image_size": height} if height == width else {}
    if name.startswith("maxvit"):
        return {"input_size": (height, width)}
    return {}


def vision_network(name: str, n_out: int, pretrained: bool = False, weights: str = "DEFAULT",
                   image_size: tuple[int, int] | None = None, aux_loss_weight: float | None = None,
                   normalize: bool | None = None, load_weights: bool = True) -> torch.nn.Module:
    """Build torchvision's ``name`` with a head of ``n_out`` outputs (the network of ``classif.<name>``).

    Parameters
    ----------
    name : str
        A torchvision classification model (``torchvision.models.list_models``).
    n_out : int
        Outputs of the head.
    pretrained : bool
        Start from torchvision's ``weights`` (from torch hub's cache; see
        :func:`jupytorch.nn.learners.weights.cached_weights`).
    weights : str
        Name in the model's weights enum (``"DEFAULT"``, ``"IMAGENET1K_V2"``...).
    image_size : (int, int), optional
        Input height and width: sets the size of vit and maxvit networks built from scratch.
    aux_loss_weight : float, optional
        googlenet / inception_v3: 0 builds them without auxiliary heads.
    normalize : bool, optional
        Normalize inputs with the weights' mean and std (default: when ``pretrained``).
    load_weights : bool
        False builds a pretrained network's architecture without reading the weights file
        (used when the trained weights are loaded right after).

    Examples
    --------
    >>> vision_network("resnet18", 2).fc.out_features
    2
    """
    import torchvision

    builder = torchvision.models.get_model_builder(name)
    kwargs: dict[str, Any] = {}
    if name in _AUX_HEADS:
        kwargs["aux_logits"] = aux_loss_weight is None or aux_loss_weight > 0
        if not pretrained:
            kwargs["init_weights"] = True
    enum_member = _weights_enum(name, weights) if pretrained or normalize else None
    if pretrained:
        from jupytorch.nn.learners.weights import cached_weights

        if name in _AUX_HEADS:  # the weights hold the auxiliary heads and expect torchvision's input transform
            kwargs.update(aux_logits=True, transform_input=True, init_weights=False)
        if name.startswith("vit_"):
            kwargs["image_size"] = enum_member.meta["min_size"][0]
        network = builder(weights=None, **kwargs)
        if load_weights:
            network.load_state_dict(cached_weights(enum_member, name))
        if name in _AUX_HEADS and aux_loss_weight == 0:
            network.aux_logits = False
            for aux in _AUX_HEADS[name]:
                setattr(network, aux.partition(".")[0], None)
    else:
        h, w = image_size if image_size is not None else (None, None)
        network = builder(weights=None, **kwargs, **_size_args(name, h, w))
    replace_head(network, n_out, name)
    if normalize if normalize is not None else pretrained:
        transforms = enum_member.transforms()
        network.register_forward_pre_hook(InputNormalize(transforms.mean, transforms.std))
    return network


def _check(value: Any) -> bool | str:
    return isinstance(value, str) or "the name of a member of the model's weights enum, e.g. 'DEFAULT'"


class LearnerTorchVision(LearnerTorch):
    """A torchvision classification network as a learner (mlr3torch's ``LearnerTorchVision``).

    Parameters
    ----------
    name : str
        torchvision's model name; the learner id is ``classif.<name>``.
    loss, optimizer, callbacks
        See :class:`~jupytorch.nn.learner_torch.LearnerTorch`.

    Notes
    -----
    Parameters (besides the common ones): ``pretrained`` (required): start from torchvision's
    weights, read from torch hub's cache (``TORCH_HOME`` / ``torch.hub.get_dir()``) or
    downloaded into it; ``weights`` (``"DEFAULT"``): which of the model's weights;
    ``normalize`` (None: when pretrained): normalize images with the weights' mean and std
    inside the network; ``aux_loss_weight`` (googlenet 0.3, inception_v3 0.4; 0 drops the
    auxiliary heads). The input is one lazy tensor ``(None, 3, H, W)`` in [0, 1]; pretrained
    networks need at least the weights' minimum size (vit and maxvit exactly 224, vit_h_14 518:
    add ``po("trafo_resize", size=(224, 224))``). Networks built from scratch take the size of
    the task's images.

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("classif.resnet18", pretrained=False, epochs=1, batch_size=4)
    >>> learner.id, learner.param_set.values["pretrained"]
    ('classif.resnet18', False)
    """

    def __init__(self, name: str, loss: Any = None, optimizer: Any = None, callbacks: Any = ()):
        self.model_name = name
        params = ParamSet({
            "pretrained": ParamLgl(tags={"train", "required"}, description="start from torchvision's weights"),
            "weights": ParamUty("DEFAULT", tags={"train"}, custom_check=_check,
                                description="which weights of the model's weights enum"),
            "normalize": ParamLgl(default=None, special_vals=(None,), tags={"train"},
                                  description="normalize with the weights' mean/std (None: when pretrained)"),
        })
        if name in _AUX_HEADS:
            params.add("aux_loss_weight", ParamDbl(0, None, default=_AUX_WEIGHTS[name], tags={"train"},
                                                   description="weight of each auxiliary loss (0: no auxiliary heads)"))
        super().__init__(f"classif.{name}", "classif", loss=loss, optimizer=optimizer, callbacks=callbacks,
                         param_set=params, feature_types=("lazy_tensor",), label=f"torchvision {name}")

    def _init_config(self) -> dict[str, Any]:
        return {"name": self.model_name}

    @classmethod
    def _from_init_config(cls, init: dict[str, Any]) -> LearnerTorchVision:
        init.pop("task_type", None)
        return cls(**init)

    def _ingress_tokens(self, task: Any, param_vals: dict[str, Any]) -> dict[str, Any]:
        lazy = task.feature_names_of("lazy_tensor")
        if len(lazy) != 1 or task.n_features != 1:
            raise TaskError(
                f"Learner {self.id!r} takes exactly one lazy-tensor feature (images (None, 3, H, W)); task {task.id!r} "
                f"has features {task.feature_names}."
            )
        token = ingress_ltnsr(lazy[0]).bind(task)
        shape = token.shape
        if shape is None or len(shape) != 4 or shape[1] != 3:
            raise TaskError(
                f"Learner {self.id!r}: lazy tensor {lazy[0]!r} of task {task.id!r} has shape {shape}; the network needs "
                "RGB images (None, 3, H, W). Convert grey images with po('trafo_reshape') or read them in RGB mode."
            )
        return {"image": token}

    def _network(self, task: Any, param_vals: dict[str, Any]) -> torch.nn.Module:
        from jupytorch.nn.model import TaskSchema

        shape = self._ingress_tokens(task, param_vals)["image"].shape
        pretrained = bool(param_vals["pretrained"])
        weights = param_vals["weights"]
        if pretrained:
            self._check_size(shape, _weights_enum(self.model_name, weights))
        elif self.model_name.startswith("vit_"):
            patch = int(self.model_name.rsplit("_", 1)[1])
            h, w = shape[2], shape[3]
            if h is None or h != w or h % patch:
                raise TaskError(
                    f"Learner {self.id!r} needs square images whose side is a multiple of its patch size {patch}, got "
                    f"{h}x{w}; add po('trafo_resize', size=({max(patch, 224)}, {max(patch, 224)})) before the learner."
                )
        return vision_network(
            self.model_name, output_dim_for(task), pretrained=pretrained, weights=weights,
            image_size=tuple(shape[2:]), aux_loss_weight=param_vals.get("aux_loss_weight"),
            normalize=param_vals.get("normalize"),
            # a saved learner is rebuilt from a TaskSchema; its trained weights are loaded right after
            load_weights=not isinstance(task, TaskSchema),
        )

    def _check_size(self, shape: tuple, enum_member: Any) -> None:
        h, w = shape[2], shape[3]
        low = enum_member.meta.get("min_size", (1, 1))
        exact = self.model_name.startswith(("vit_", "maxvit"))
        bad = h is not None and w is not None and ((h, w) != tuple(low) if exact else (h < low[0] or w < low[1]))
        if bad:
            need = f"exactly {low[0]}x{low[1]}" if exact else f"at least {low[0]}x{low[1]}"
            raise TaskError(
                f"Learner {self.id!r} with pretrained weights {enum_member} needs images of {need}, got {h}x{w}; "
                f"add po('trafo_resize', size=({max(low[0], 224)}, {max(low[1], 224)})) before the learner."
            )

    def _loss_fn(self, task: Any, loss_values: dict[str, Any], param_vals: dict[str, Any]) -> Any:
        loss = super()._loss_fn(task, loss_values, param_vals)
        weight = param_vals.get("aux_loss_weight")  # declared (default filled in) for the models with auxiliary heads
        return AuxLoss(loss, weight) if self.model_name in _AUX_HEADS and weight else loss


def __getattr__(attr: str) -> Any:
    """``classif_<name>`` for every torchvision classification model (the registry's factories)."""
    if attr.startswith("classif_"):
        from jupytorch.nn._register import VISION_MODELS

        name = attr[len("classif_"):]
        if name in VISION_MODELS:
            return functools.partial(_classif_vision, name)
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def _classif_vision(name: str, loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchVision:
    return LearnerTorchVision(name, loss=loss, optimizer=optimizer, callbacks=callbacks)
