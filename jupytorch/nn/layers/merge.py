"""Merge layers that join network paths: ``nn("merge_sum")``, ``nn("merge_prod")``, ``nn("merge_cat")``.

They take any number of inputs (``[path_a, path_b] >> nn("merge_sum")``); with ``innum=n`` they
have the inputs ``input1`` ... ``input<n>`` instead. Sum and product broadcast; concatenation
needs equal sizes outside ``dim``.

Examples
--------
>>> from jupytorch import nn
>>> nn("merge_cat").shapes_out([(None, 3), (None, 5)])
[(None, 8)]
>>> nn("merge_sum").shapes_out([(None, 4), (None, 1)])
[(None, 4)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from jupytorch.core.paramset import ParamInt, ParamSet
from jupytorch.nn.pipeop_torch import PipeOpTorch
from jupytorch.nn.shapes import (
    Shape,
    ShapeError,
    broadcast_shapes,
    resolve_dim,
    shape_to_str,
)
from jupytorch.pipelines.channels import VARARG

__all__ = ["MergeCat", "MergeProd", "MergeSum", "PipeOpTorchMergeCat", "PipeOpTorchMergeProd", "PipeOpTorchMergeSum"]


class MergeSum(torch.nn.Module):
    """Sum of the inputs (broadcasting)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class MergeProd(torch.nn.Module):
    """Element-wise product of the inputs (broadcasting)."""

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out


class MergeCat(torch.nn.Module):
    """Concatenation of the inputs along ``dim``."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, *xs: torch.Tensor) -> torch.Tensor:
        return torch.cat(xs, dim=self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class _Merge(PipeOpTorch):
    def __init__(self, id: str, innum: int, param_set: ParamSet, param_vals: Mapping[str, Any] | None):
        names = [VARARG] if innum == 0 else [f"input{i + 1}" for i in range(int(innum))]
        super().__init__(id, param_set=param_set, param_vals=param_vals, inname=names)


class PipeOpTorchMergeSum(_Merge):
    """``nn("merge_sum")``: the sum of its inputs, as in residual connections.

    Parameters
    ----------
    innum : int, default 0
        0: any number of inputs (vararg); n: inputs ``input1`` ... ``input<n>``.
    id : str
    param_vals : mapping, optional
    """

    key = "nn_merge_sum"

    def __init__(self, innum: int = 0, id: str = "merge_sum", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, innum, ParamSet(), param_vals)

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [broadcast_shapes(shapes_in, who=self.who)]

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return MergeSum()


class PipeOpTorchMergeProd(PipeOpTorchMergeSum):
    """``nn("merge_prod")``: the element-wise product of its inputs (broadcasting).

    Parameters
    ----------
    innum : int, default 0
    id : str
    param_vals : mapping, optional
    """

    key = "nn_merge_prod"

    def __init__(self, innum: int = 0, id: str = "merge_prod", param_vals: Mapping[str, Any] | None = None):
        _Merge.__init__(self, id, innum, ParamSet(), param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return MergeProd()


class PipeOpTorchMergeCat(_Merge):
    """``nn("merge_cat")``: concatenate its inputs along ``dim`` (default: the last).

    Parameters
    ----------
    innum : int, default 0
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    dim : int, default -1
        Not the batch dimension (0).
    """

    key = "nn_merge_cat"

    def __init__(self, innum: int = 0, id: str = "merge_cat", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, innum, ParamSet({"dim": ParamInt(default=-1, tags={"train"})}), param_vals)

    def _check_shapes(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> None:
        shown = ", ".join(shape_to_str(s) for s in shapes_in)
        ndim = len(shapes_in[0])
        if any(len(s) != ndim for s in shapes_in):
            raise ShapeError(f"{self.who} concatenates tensors with the same number of dimensions, got {shown}.")
        dim = param_vals["dim"]
        if not -ndim <= dim < ndim or resolve_dim(dim, ndim) == 0:
            raise ShapeError(f"{self.who}: dim={dim} must name a dimension after the batch of the input shapes {shown}.")
        d = resolve_dim(dim, ndim)
        for i in range(1, ndim):
            sizes = {s[i] for s in shapes_in} - {None}
            if i != d and len(sizes) > 1:
                raise ShapeError(f"{self.who} concatenates along dimension {dim}; all other dimensions must agree, "
                                 f"but dimension {i} differs between the input shapes {shown}.")

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        ndim = len(shapes_in[0])
        d = resolve_dim(param_vals["dim"], ndim)
        out: list[int | None] = []
        for i in range(ndim):
            sizes = [s[i] for s in shapes_in]
            if i == d:
                out.append(None if None in sizes else sum(sizes))  # type: ignore[arg-type]
            else:
                known = [x for x in sizes if x is not None]
                out.append(known[0] if known else None)
        return [tuple(out)]

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return MergeCat(param_vals["dim"])
