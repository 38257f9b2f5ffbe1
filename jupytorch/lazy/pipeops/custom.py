"""``po("preproc_torch", fn=...)``: a user function as a lazy-tensor preprocessing step."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.core.paramset import ParamSet, ParamUty
from jupytorch.lazy.graph import Shape, check_shape
from jupytorch.lazy.pipeops.base import PipeOpTaskPreprocTorch
from jupytorch.lazy.pipeops.checks import ShapeContext
from jupytorch.lazy.steps import BatchFn

__all__ = ["PipeOpPreprocTorch"]

_RESERVED = ("stages", "affect_columns")


def _fn_params(fn: Callable[..., Any], id: str) -> ParamSet:
    """One untyped parameter per argument of ``fn`` after the first (required when it has no default)."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature: no parameters
        return ParamSet()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not parameters or parameters[0].kind not in positional + (inspect.Parameter.VAR_POSITIONAL,):
        raise InvalidParameterError(
            f"PipeOp {id!r} (preproc_torch): fn must take the batch tensor as its first positional argument."
        )
    params = {}
    for p in parameters[1:]:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if p.name in _RESERVED:
            raise InvalidParameterError(
                f"PipeOp {id!r} (preproc_torch): fn has an argument {p.name!r}, a name the PipeOp uses itself; rename it."
            )
        if p.default is inspect.Parameter.empty:
            params[p.name] = ParamUty(tags=("train", "required"), description=f"Argument {p.name!r} of fn.")
        else:
            params[p.name] = ParamUty(p.default, tags=("train",), description=f"Argument {p.name!r} of fn.")
    return ParamSet(params)


def _check_shapes_out(value: Any, id: str) -> Any:
    if value is None or callable(value) or (isinstance(value, str) and value == "infer"):
        return value
    if isinstance(value, (tuple, list, torch.Size)):
        return check_shape(value, f"PipeOp {id!r} (preproc_torch): shapes_out")
    raise InvalidParameterError(
        f"PipeOp {id!r} (preproc_torch): shapes_out must be 'infer', None (unknown), a shape such as (None, 3, 64, 64) "
        f"or a function shape_in -> shape_out; got {value!r}."
    )


class PipeOpPreprocTorch(PipeOpTaskPreprocTorch):
    """``po("preproc_torch", fn=...)``: append ``fn`` to the preprocessing of lazy-tensor columns.

    ``fn(batch, **params)`` gets a whole batch ``(B, ...)`` and returns a batch; its arguments
    after the first become the PipeOp's parameters (``po("preproc_torch", fn=f, scale=2.0)``).
    Use a named (module-level) function, not a lambda, so that tasks and learners pickle.

    Parameters
    ----------
    fn : callable
        ``fn(batch, **params) -> batch``; with ``rowwise=True`` it gets one row at a time.
    id : str
    shapes_out : "infer", tuple, callable or None
        The output shape (batch dimension None): ``"infer"`` runs ``fn`` on a zero batch of
        two rows (an unknown input shape gives an unknown output shape); a tuple; a function
        ``shape_in -> shape_out``; None for unknown.
    stages : {"both", "train", "predict"}
        Initial value of the ``stages`` parameter: ``"train"`` makes it an augmentation.
    rowwise : bool
        Call ``fn`` per row (a Python loop: only for functions that cannot take a batch).
    param_vals : mapping, optional

    Examples
    --------
    >>> import torch
    >>> from jupytorch import po
    >>> def scale(x, factor=2.0):
    ...     return x * factor
    >>> op = po("preproc_torch", fn=scale, factor=0.5)
    >>> op.shapes_out((None, 1, 28, 28)), op.param_set.values["factor"]
    ((None, 1, 28, 28), 0.5)
    """

    key = "preproc_torch"

    def __init__(self, fn: Callable[..., Any], id: str = "preproc_torch", shapes_out: Any = "infer",
                 stages: str = "both", rowwise: bool = False, param_vals: Mapping[str, Any] | None = None):
        if not callable(fn):
            raise InvalidParameterError(
                f"PipeOp {id!r} (preproc_torch): fn must be a function of a batch tensor, got {type(fn).__name__}."
            )
        self.fn = fn
        self.shapes_out_rule = _check_shapes_out(shapes_out, id)
        self.rowwise = bool(rowwise)
        name = getattr(fn, "__name__", type(fn).__name__)
        super().__init__(id, _fn_params(fn, id), param_vals, stages=stages, label=f"function {name}")

    def _make_step(self, param_vals: dict[str, Any]) -> BatchFn:
        return BatchFn(self.fn, **param_vals)

    def _shape_out(self, ctx: ShapeContext, shape: Shape, param_vals: dict[str, Any]) -> Shape | None:
        rule = self.shapes_out_rule
        if rule is None:
            return None
        if isinstance(rule, tuple):
            return rule
        if callable(rule):
            return check_shape(rule(shape), f"PipeOp {self.id!r} (preproc_torch): shapes_out returned")
        if any(d is None for d in shape[1:]):
            return None
        probe = torch.zeros((2, *shape[1:]))
        step = self._make_step(param_vals)
        try:
            with torch.no_grad():
                out = torch.stack([step(r) for r in probe]) if self.rowwise else step(probe)
        except Exception as error:
            error.add_note(f"This happened in PipeOp {self.id!r} (preproc_torch) while inferring the output shape of fn "
                           f"for column {ctx.column!r} of shape {shape}; pass shapes_out=... to skip inference.")
            raise
        if not isinstance(out, torch.Tensor):
            raise JupytorchError(f"PipeOp {self.id!r} (preproc_torch): fn returned a {type(out).__name__}, not a tensor.")
        return (None, *out.shape[1:])
