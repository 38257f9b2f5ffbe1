"""Dense and structural layers: ``nn("linear")``, ``nn("head")``, ``nn("identity")``, ``nn("fn")``.

Examples
--------
>>> from jupytorch import nn, po, tsk
>>> md = (po("torch_ingress_num") >> nn("linear", out_features=16) >> nn("head")).train(tsk("iris"))[0]
>>> md.pointer_shape                      # iris has 3 classes: one logit each
(None, 3)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamLgl, ParamSet
from jupytorch.core.signature import params_from_signature
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.nn_graph import identity
from jupytorch.nn.pipeop_torch import PipeOpTorch, torch_layer
from jupytorch.nn.shapes import Shape

__all__ = ["FunctionModule", "PipeOpTorchFn", "PipeOpTorchHead", "PipeOpTorchIdentity", "PipeOpTorchLinear"]

PipeOpTorchLinear = torch_layer(
    "PipeOpTorchLinear", "linear", torch.nn.Linear, __name__, inferred={"in_features": (-1, "features")},
    doc="Fully connected layer ``nn('linear', out_features=...)``: :class:`torch.nn.Linear` with ``in_features`` "
        "read from the last input dimension. Parameters: ``out_features`` (required), ``bias``.",
)


class PipeOpTorchHead(PipeOpTorch):
    """Output layer ``nn("head")``: a linear layer with as many outputs as the task needs.

    Binary classification: 1 (the logit of the positive class); multiclass: one per class;
    regression: 1. The task is read from the ModelDescriptor.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    bias : bool, default True

    Examples
    --------
    >>> from jupytorch import nn, tsk
    >>> nn("head").shapes_out((None, 8), task=tsk("mtcars"))
    [(None, 1)]
    """

    key = "nn_head"
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"in_features": (-1, "features")}

    def __init__(self, id: str = "head", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=ParamSet({"bias": ParamLgl(default=True, tags={"train"})}), param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        if task is None:
            raise InvalidParameterError(f"{self.who} needs the task to know how many outputs to make.")
        return torch.nn.Linear(shapes_in[0][-1], output_dim_for(task), bias=param_vals["bias"])


class PipeOpTorchIdentity(PipeOpTorch):
    """``nn("identity")``: passes its input on (costs nothing in the network).

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("identity").shapes_out((None, 5))
    [(None, 5)]
    """

    key = "nn_identity"
    shape_preserving = True

    def __init__(self, id: str = "identity", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=ParamSet(), param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return identity


class FunctionModule(torch.nn.Module):
    """A function of one tensor (with fixed keyword arguments) as a ``torch.nn.Module``.

    Examples
    --------
    >>> FunctionModule(torch.mul, other=2.0)(torch.ones(2)).tolist()
    [2.0, 2.0]
    """

    def __init__(self, fn: Callable[..., Any], **kwargs: Any):
        super().__init__()
        self.fn = fn
        self.kwargs = kwargs

    def forward(self, x: torch.Tensor) -> Any:
        return self.fn(x, **self.kwargs)

    def extra_repr(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.kwargs.items())
        return f"{getattr(self.fn, '__name__', type(self.fn).__name__)}{args}"


def _first_argument(fn: Callable[..., Any]) -> str | None:
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL):
            return p.name
    return None


class PipeOpTorchFn(PipeOpTorch):
    """``nn("fn", fn=...)``: a function of the incoming tensor as a layer.

    The function's first argument receives the tensor; its further keyword arguments become
    the PipeOp's parameters. The output shape is found by running the function on meta tensors
    (or on small CPU tensors when it cannot run on meta).

    Parameters
    ----------
    fn : callable
        ``fn(x, **params) -> tensor``.
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> import torch
    >>> from jupytorch import nn
    >>> def last_token(x, dim=1):
    ...     return x.select(dim, -1)
    >>> nn("fn", fn=last_token).shapes_out((None, 5, 8))
    [(None, 8)]
    """

    key = "nn_fn"

    def __init__(self, fn: Callable[..., Any], id: str = "fn", param_vals: Mapping[str, Any] | None = None):
        if not callable(fn):
            raise InvalidParameterError(f"PipeOp {id!r} (nn_fn): fn must be a function of a tensor, got {type(fn).__name__}.")
        self.fn = fn
        first = _first_argument(fn)
        ps = params_from_signature(fn, exclude=(first,) if first else ())
        super().__init__(id, param_set=ps, param_vals=param_vals,
                         label=f"function {getattr(fn, '__name__', type(fn).__name__)}")

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return FunctionModule(self.fn, **param_vals)
