"""Layers of TabM (Gorishniy et al. 2024), an MLP that trains ``k`` members at once.

Tensors carry the members in dimension 1, ``(batch, k, d)``:

* ``nn("ensemble_view", k=32)``: ``(B, d)`` -> ``(B, k, d)`` (every member sees the same input);
* ``nn("linear_batch_ensemble", out_features=...)``: one weight matrix ``W`` shared by the members,
  with per-member adapters ``r`` (input scaling), ``s`` (output scaling) and bias ``b``:
  ``y_i = ((x_i * r_i) @ W) * s_i + b_i`` (BatchEnsemble);
* ``nn("linear_ensemble")``: ``k`` independent linear layers (TabM's output heads; without
  ``out_features`` it has as many outputs as the task needs, like ``nn("head")``);
* ``nn("ensemble_mean")``: ``(B, k, d)`` -> ``(B, d)``.

A network whose output keeps the member dimension, ``(B, k, out)``, is trained on the mean of
the members' losses (:class:`EnsembleLoss`); its predictions are the members' mean (probabilities
for classification).

Examples
--------
>>> from jupytorch import nn
>>> nn("ensemble_view", k=4).shapes_out((None, 6))
[(None, 4, 6)]
>>> nn("linear_batch_ensemble", out_features=16).shapes_out((None, 4, 6))
[(None, 4, 16)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamFct, ParamInt, ParamLgl, ParamSet
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.pipeop_torch import PipeOpTorch
from jupytorch.nn.shapes import Shape

__all__ = [
    "EnsembleLoss", "EnsembleMean", "EnsembleView", "LinearBatchEnsemble", "LinearEnsemble",
    "PipeOpTorchEnsembleMean", "PipeOpTorchEnsembleView", "PipeOpTorchLinearBatchEnsemble",
    "PipeOpTorchLinearEnsemble", "is_ensemble",
]

_SCALING = ("ones", "random-signs", "normal")
_ENSEMBLE = "(batch, k, features)"


def _init_scaling(tensor: torch.Tensor, how: str) -> None:
    if how == "ones":
        torch.nn.init.ones_(tensor)
    elif how == "random-signs":
        with torch.no_grad():
            tensor.bernoulli_(0.5).mul_(2).sub_(1)
    else:
        torch.nn.init.normal_(tensor)


class EnsembleView(torch.nn.Module):
    """``(B, d)`` -> ``(B, k, d)``: the same input for every member (a ``(B, k, d)`` input passes).

    Examples
    --------
    >>> EnsembleView(3)(torch.zeros(2, 5)).shape
    torch.Size([2, 3, 5])
    """

    def __init__(self, k: int):
        super().__init__()
        self.k = k

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x if x.dim() == 3 else x.unsqueeze(1).expand(-1, self.k, -1)

    def extra_repr(self) -> str:
        return f"k={self.k}"


class LinearBatchEnsemble(torch.nn.Module):
    """BatchEnsemble linear layer: ``y_i = ((x_i * r_i) @ W) * s_i + b_i`` for member ``i``.

    Parameters
    ----------
    in_features, out_features, k : int
    bias : bool
    scaling_init : {"ones", "random-signs", "normal"}
        Initial values of ``r``; ``s`` starts at ones. TabM draws random signs in its first layer.

    Examples
    --------
    >>> layer = LinearBatchEnsemble(5, 3, k=4)
    >>> layer(torch.zeros(2, 4, 5)).shape
    torch.Size([2, 4, 3])
    >>> sum(p.numel() for p in layer.parameters()) == 5 * 3 + 4 * 5 + 4 * 3 + 4 * 3
    True
    """

    def __init__(self, in_features: int, out_features: int, k: int, bias: bool = True, scaling_init: str = "ones"):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(in_features, out_features))
        self.r = torch.nn.Parameter(torch.empty(k, in_features))
        self.s = torch.nn.Parameter(torch.empty(k, out_features))
        self.bias = torch.nn.Parameter(torch.empty(k, out_features)) if bias else None
        bound = 1 / math.sqrt(in_features)
        torch.nn.init.uniform_(self.weight, -bound, bound)
        _init_scaling(self.r, scaling_init)
        torch.nn.init.ones_(self.s)
        if self.bias is not None:
            bias_init = torch.empty(out_features).uniform_(-bound, bound)
            with torch.no_grad():
                self.bias.copy_(bias_init.expand(k, -1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = ((x * self.r) @ self.weight) * self.s
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.weight.shape[0]}, out_features={self.weight.shape[1]}, k={self.r.shape[0]}"


class LinearEnsemble(torch.nn.Module):
    """``k`` independent linear layers on ``(B, k, in)``: ``y_i = x_i @ W_i + b_i``.

    Examples
    --------
    >>> LinearEnsemble(5, 2, k=3)(torch.zeros(4, 3, 5)).shape
    torch.Size([4, 3, 2])
    """

    def __init__(self, in_features: int, out_features: int, k: int, bias: bool = True):
        super().__init__()
        bound = 1 / math.sqrt(in_features)
        self.weight = torch.nn.Parameter(torch.empty(k, in_features, out_features).uniform_(-bound, bound))
        self.bias = torch.nn.Parameter(torch.empty(k, out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.einsum("bki,kio->bko", x, self.weight)
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        k, i, o = self.weight.shape
        return f"in_features={i}, out_features={o}, k={k}"


class EnsembleMean(torch.nn.Module):
    """``(B, k, d)`` -> ``(B, d)``: the mean over the members.

    Examples
    --------
    >>> EnsembleMean()(torch.ones(2, 3, 4)).shape
    torch.Size([2, 4])
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=1)


class EnsembleLoss(torch.nn.Module):
    """The mean of the members' losses for outputs ``(B, k, out)``; other outputs go to ``loss`` unchanged.

    Examples
    --------
    >>> loss = EnsembleLoss(torch.nn.MSELoss())
    >>> float(loss(torch.tensor([[[1.0], [3.0]]]), torch.tensor([[2.0]])))   # members 1 and 3, target 2
    1.0
    """

    def __init__(self, loss: Any):
        super().__init__()
        self.loss = loss

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if output.dim() != 3 or target.dim() >= 3:
            return self.loss(output, target)
        k = output.shape[1]
        return self.loss(output.flatten(0, 1), target.repeat_interleave(k, dim=0))


def is_ensemble(network: torch.nn.Module) -> bool:
    """Whether ``network`` holds ensemble output heads (so its losses are averaged over members).

    Examples
    --------
    >>> is_ensemble(LinearEnsemble(3, 1, k=2)), is_ensemble(torch.nn.Linear(3, 1))
    (True, False)
    """
    return any(isinstance(m, LinearEnsemble) for m in network.modules())


class PipeOpTorchEnsembleView(PipeOpTorch):
    """``nn("ensemble_view", k=...)``: ``(B, d)`` -> ``(B, k, d)``.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    k : int, required
        The number of members.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("ensemble_view", k=8).shapes_out((None, 3))
    [(None, 8, 3)]
    """

    key = "nn_ensemble_view"
    ndims = (2,)
    ndims_text = "(batch, features)"

    def __init__(self, id: str = "ensemble_view", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=ParamSet({"k": ParamInt(1, None, tags={"train", "required"})}),
                         param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return EnsembleView(param_vals["k"])

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [(shapes_in[0][0], param_vals["k"], shapes_in[0][1])]


class PipeOpTorchLinearBatchEnsemble(PipeOpTorch):
    """``nn("linear_batch_ensemble", out_features=...)``: :class:`LinearBatchEnsemble` on ``(B, k, in)``.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    out_features : int, required
    bias : bool, default True
    scaling_init : {"ones", "random-signs", "normal"}, default "ones"

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("linear_batch_ensemble", out_features=4, scaling_init="random-signs").shapes_out((None, 8, 3))
    [(None, 8, 4)]
    """

    key = "nn_linear_batch_ensemble"
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"k": (1, "members"), "in_features": (2, "features")}
    ndims = (3,)
    ndims_text = _ENSEMBLE

    def __init__(self, id: str = "linear_batch_ensemble", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({
            "out_features": ParamInt(1, None, tags={"train", "required"}),
            "bias": ParamLgl(default=True, tags={"train"}),
            "scaling_init": ParamFct(_SCALING, default="ones", tags={"train"}),
        })
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        _, k, d = shapes_in[0]   # known: checked by _check_shapes
        return LinearBatchEnsemble(cast(int, d), param_vals["out_features"], cast(int, k), param_vals["bias"],
                                   param_vals["scaling_init"])

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [(*shapes_in[0][:2], param_vals["out_features"])]


class PipeOpTorchLinearEnsemble(PipeOpTorchLinearBatchEnsemble):
    """``nn("linear_ensemble")``: ``k`` independent linear layers on ``(B, k, in)`` (TabM's heads).

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    out_features : int, optional
        Default: as many outputs as the task needs (see ``nn("head")``).
    bias : bool, default True

    Examples
    --------
    >>> from jupytorch import nn, tsk
    >>> nn("linear_ensemble").shapes_out((None, 8, 3), task=tsk("iris"))
    [(None, 8, 3)]
    """

    key = "nn_linear_ensemble"

    def __init__(self, id: str = "linear_ensemble", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({
            "out_features": ParamInt(1, None, default=None, special_vals=(None,), tags={"train"}),
            "bias": ParamLgl(default=True, tags={"train"}),
        })
        PipeOpTorch.__init__(self, id, param_set=ps, param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        out = param_vals.get("out_features")
        if out is None:  # the task's output size; recorded in the values, which the output shape reads
            if task is None:
                raise InvalidParameterError(f"{self.who} needs out_features or the task to know how many outputs to make.")
            out = param_vals["out_features"] = output_dim_for(task)
        _, k, d = shapes_in[0]
        return LinearEnsemble(cast(int, d), out, cast(int, k), param_vals["bias"])


class PipeOpTorchEnsembleMean(PipeOpTorch):
    """``nn("ensemble_mean")``: ``(B, k, d)`` -> ``(B, d)``, the mean over the members.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("ensemble_mean").shapes_out((None, 8, 3))
    [(None, 3)]
    """

    key = "nn_ensemble_mean"
    ndims = (3,)
    ndims_text = _ENSEMBLE

    def __init__(self, id: str = "ensemble_mean", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=ParamSet(), param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return EnsembleMean()

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [(shapes_in[0][0], shapes_in[0][2])]
