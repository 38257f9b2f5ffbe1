"""Loss functions for torch learners: ``TorchLoss``, ``t_loss``, ``t_losses``, ``as_torch_loss``.

Built-in keys: ``mse`` and ``l1`` (regression) and ``cross_entropy`` (classification). The
cross-entropy loss follows the network heads of mlr3torch: a binary task has one output column
(the logit of the positive class, ``task.class_names[0]``) and uses ``BCEWithLogitsLoss``; a
multiclass task has one logit per class and uses ``CrossEntropyLoss``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamSet, ParamUty
from jupytorch.core.registry import registry
from jupytorch.nn.descriptor import TorchDescriptor

__all__ = ["TorchLoss", "WeightedBinaryCrossEntropy", "as_torch_loss", "cross_entropy_loss", "t_loss", "t_losses"]

_DEPRECATED = ("size_average", "reduce")
_REDUCTION = ParamFct(["mean", "sum", "none"], default="mean", tags={"train"})


class TorchLoss(TorchDescriptor):
    """A loss: a ``torch.nn`` loss class (or factory) and the ParamSet of its arguments.

    Parameters
    ----------
    generator : class or callable
        Returns a callable ``loss(y_hat, y) -> tensor``. Its arguments become parameters; the
        context argument ``task`` is filled in at train time when the signature names it.
    id : str, optional
    task_types : sequence of str
        Task types the loss is for (``"classif"``, ``"regr"``).
    param_set : ParamSet, optional
        Default: read from the signature.
    label : str
    key : str, optional
        Registry key (set by ``t_loss``).

    Examples
    --------
    >>> import torch
    >>> loss = TorchLoss(torch.nn.HuberLoss, id="huber", task_types=("regr",))
    >>> loss.configure(delta=0.5).generate()
    HuberLoss()
    """

    kind = "TorchLoss"

    def __init__(
        self,
        generator: Callable[..., Any],
        id: str | None = None,
        task_types: Sequence[str] = ("classif", "regr"),
        param_set: ParamSet | None = None,
        label: str = "",
        key: str | None = None,
    ):
        super().__init__(generator, id=id, param_set=param_set, label=label, exclude=(*_DEPRECATED, "task"), key=key)
        self.task_types = tuple(task_types)

    def generate(self, param_values: dict[str, Any] | None = None, **context: Any) -> Any:
        """Build the loss module for a task (``task=...`` in ``context``)."""
        task = context.get("task")
        if task is not None and task.task_type not in self.task_types:
            raise InvalidParameterError(
                f"TorchLoss {self.id!r} is for {list(self.task_types)} tasks, not for the {task.task_type!r} task "
                f"{task.id!r}; choose another loss, e.g. t_loss({'cross_entropy' if task.task_type == 'classif' else 'mse'!r})."
            )
        return super().generate(param_values, **context)


class _InstanceLoss:
    """Generator that returns copies of one loss object (``as_torch_loss(instance)``)."""

    def __init__(self, loss: Any):
        self.loss = loss
        self.__name__ = _snake(type(loss).__name__)

    def __call__(self) -> Any:
        return copy.deepcopy(self.loss)


class WeightedBinaryCrossEntropy(torch.nn.Module):
    """Class-weighted cross-entropy on a positive-class logit ``(B, 1)`` and a 0/1 target.

    ``weight = [w_pos, w_neg]`` (the task's class order: positive first). Row ``i`` has weight
    ``w_i = w_pos if y_i = 1 else w_neg``; the loss is ``sum(w_i * bce_i) / sum(w_i)`` (mean),
    ``sum(w_i * bce_i)`` (sum) or ``w_i * bce_i`` (none): exactly ``CrossEntropyLoss(weight)``
    on the logits ``[z, 0]``.

    Examples
    --------
    >>> loss = WeightedBinaryCrossEntropy([1.0, 3.0])
    >>> z, y = torch.tensor([[0.5], [-1.0]]), torch.tensor([[1.0], [0.0]])
    >>> ce = torch.nn.functional.cross_entropy(torch.cat([z, torch.zeros_like(z)], 1), torch.tensor([0, 1]),
    ...                                        weight=torch.tensor([1.0, 3.0]))
    >>> torch.allclose(loss(z, y), ce)
    True
    """

    def __init__(self, weight: Any, reduction: str = "mean"):
        super().__init__()
        self.register_buffer("weight", torch.as_tensor(weight, dtype=torch.float32).reshape(2))
        self.reduction = reduction

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target = target.to(output.dtype)
        per_row = torch.nn.functional.binary_cross_entropy_with_logits(output, target, reduction="none")
        w = target * self.weight[0] + (1 - target) * self.weight[1]
        if self.reduction == "none":
            return w * per_row
        if self.reduction == "sum":
            return (w * per_row).sum()
        return (w * per_row).sum() / w.sum()

    def extra_repr(self) -> str:
        return f"weight={self.weight.tolist()}, reduction={self.reduction!r}"


def cross_entropy_loss(
    task: Any,
    class_weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.nn.Module:
    """Build the cross-entropy loss for ``task``.

    Binary tasks get a loss on a ``(B, 1)`` positive-class logit: ``BCEWithLogitsLoss``, where a
    scalar ``class_weight`` becomes ``pos_weight`` (the weight of the positive class), or, for a
    vector ``class_weight=[w_1, w_2]`` (in the order of ``task.class_names``, the positive class
    first), :class:`WeightedBinaryCrossEntropy`, which equals ``CrossEntropyLoss(weight=...)`` on
    the two classes (the weighted mean divides by the sum of the rows' weights). Multiclass
    tasks get ``CrossEntropyLoss``, where ``class_weight`` (length K, in the order of
    ``task.class_names``) becomes ``weight``.

    Examples
    --------
    >>> from jupytorch.core.task import TaskClassif
    >>> import pandas as pd
    >>> task = TaskClassif("t", pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]}), target="y")
    >>> cross_entropy_loss(task, class_weight=3.0)
    BCEWithLogitsLoss()
    >>> cross_entropy_loss(task, class_weight=[3.0, 1.0])
    WeightedBinaryCrossEntropy(weight=[3.0, 1.0], reduction='mean')
    """
    n_classes = len(task.class_names)
    if n_classes == 2:
        if ignore_index != -100 or label_smoothing != 0.0:
            raise InvalidParameterError(
                f"t_loss('cross_entropy') on the two-class task {task.id!r} uses BCEWithLogitsLoss, which has no "
                "ignore_index or label_smoothing; leave them at their defaults."
            )
        pos_weight = None
        if class_weight is not None:
            weight = torch.as_tensor(class_weight, dtype=torch.float32).reshape(-1)
            if weight.numel() == 2:
                return WeightedBinaryCrossEntropy(weight, reduction=reduction)
            if weight.numel() != 1:
                raise InvalidParameterError(
                    f"t_loss('cross_entropy'): for the two-class task {task.id!r} class_weight is one number, the "
                    f"weight of the positive class {task.class_names[0]!r}, or two, one per class "
                    f"{task.class_names}; got {weight.numel()} values."
                )
            pos_weight = weight
        return torch.nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=pos_weight)
    weight = None
    if class_weight is not None:
        weight = torch.as_tensor(class_weight, dtype=torch.float32).reshape(-1)
        if weight.numel() != n_classes:
            raise InvalidParameterError(
                f"t_loss('cross_entropy'): class_weight needs one value per class of task {task.id!r} "
                f"({n_classes}: {task.class_names}); got {weight.numel()}."
            )
    return torch.nn.CrossEntropyLoss(
        weight=weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing
    )


def _weight_check(value: Any) -> bool | str:
    if isinstance(value, (int, float, list, tuple, torch.Tensor)) and not isinstance(value, bool):
        return True
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return True
    except ImportError:  # pragma: no cover
        pass
    return "a number, a list of numbers or a tensor"


def _cross_entropy() -> TorchLoss:
    params = ParamSet(
        {
            "class_weight": ParamUty(None, tags={"train"}, custom_check=_weight_check,
                                     description="one per class (binary: or one number, the positive class's pos_weight)"),
            "ignore_index": ParamInt(default=-100, tags={"train"}),
            "reduction": copy.deepcopy(_REDUCTION),
            "label_smoothing": ParamDbl(0, 1, default=0.0, tags={"train"}),
        }
    )
    return TorchLoss(cross_entropy_loss, id="cross_entropy", task_types=("classif",), param_set=params,
                     label="Cross Entropy", key="cross_entropy")


def _mse() -> TorchLoss:
    params = ParamSet({"reduction": copy.deepcopy(_REDUCTION)})
    return TorchLoss(torch.nn.MSELoss, id="mse", task_types=("regr",), param_set=params, label="Mean Squared Error", key="mse")


def _l1() -> TorchLoss:
    params = ParamSet({"reduction": copy.deepcopy(_REDUCTION)})
    return TorchLoss(torch.nn.L1Loss, id="l1", task_types=("regr",), param_set=params, label="Absolute Error", key="l1")


def t_loss(key: str, **params: Any) -> TorchLoss:
    """Return a loss from the registry, with parameter values set.

    Parameters
    ----------
    key : str
        ``"mse"``, ``"l1"`` or ``"cross_entropy"`` (see ``t_losses()``).
    **params
        Parameter values, e.g. ``class_weight=[1, 2, 1]``.

    Examples
    --------
    >>> t_loss("cross_entropy", class_weight=[1.0, 2.0, 1.0]).param_set.values["class_weight"]
    [1.0, 2.0, 1.0]
    """
    loss = registry("loss").get(key)
    return loss.configure(**params) if params else loss


def t_losses(keys: Iterable[str] | None = None) -> Any:
    """Return several losses, or with no keys a DataFrame listing the registry.

    Examples
    --------
    >>> sorted(t_losses()["key"])
    ['cross_entropy', 'l1', 'mse']
    """
    if keys is not None:
        return [t_loss(k) for k in keys]
    import pandas as pd

    reg = registry("loss")
    return pd.DataFrame([{"key": k, **reg.meta(k)} for k in reg])


def as_torch_loss(x: Any, id: str | None = None, task_types: Sequence[str] = ("classif", "regr")) -> TorchLoss:
    """Turn a key, a loss class, a loss object or a function into a :class:`TorchLoss`.

    A class's ``__init__`` arguments become parameters (``loss__<name>`` in a learner). An
    object is copied for each training run. A function ``f(y_hat, y)`` is used as it is.

    Examples
    --------
    >>> import torch
    >>> class ScaledMSE(torch.nn.Module):
    ...     def __init__(self, scale: float = 1.0):
    ...         super().__init__()
    ...         self.scale = scale
    ...     def forward(self, y_hat, y):
    ...         return self.scale * torch.nn.functional.mse_loss(y_hat, y)
    >>> loss = as_torch_loss(ScaledMSE, task_types=("regr",))
    >>> loss.id, loss.param_set.ids()
    ('scaled_mse', ['scale'])
    """
    if isinstance(x, TorchLoss):
        return x
    if isinstance(x, str):
        return t_loss(x)
    if isinstance(x, type):
        return TorchLoss(x, id=id or _snake(x.__name__), task_types=task_types)
    if isinstance(x, torch.nn.Module):
        return TorchLoss(_InstanceLoss(x), id=id or _snake(type(x).__name__), task_types=task_types, param_set=ParamSet())
    if callable(x):
        name = getattr(x, "__name__", "loss")
        return TorchLoss(_Constant(x), id=id or name, task_types=task_types, param_set=ParamSet())
    raise InvalidParameterError(
        f"as_torch_loss: cannot make a loss from a {type(x).__name__}; give a key such as 'mse', a torch.nn loss "
        "class, a loss object or a function f(y_hat, y)."
    )


class _Constant:
    """Generator returning one given function (a functional loss)."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "loss")

    def __call__(self) -> Callable[..., Any]:
        return self.fn


def _snake(name: str) -> str:
    name = re.sub(r"Loss$", "", name) or name
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()

