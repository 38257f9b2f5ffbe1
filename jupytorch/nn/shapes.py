"""Tensor shapes at graph-construction time: checks, printing, broadcasting and inference.

A shape is a tuple whose entries are positive ints or ``None`` (unknown, usually the batch
dimension first): ``(None, 1, 28, 28)``. Layer PipeOps compute their output shapes from their
input shapes when the graph is trained, so a mismatch fails before any training.

:func:`infer_shapes` does this for any module: it runs the module on *meta* tensors (shapes
without data, no memory, no arithmetic), once with every unknown dimension replaced by one
number and once by another; output dimensions that change between the two runs are unknown.

Examples
--------
>>> import torch
>>> infer_shapes(torch.nn.Conv2d(1, 4, 3), [(None, 1, 28, 28)])
[(None, 4, 26, 26)]
>>> shape_to_str((None, 10))
'(None, 10)'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError, ShapeError

__all__ = [
    "Shape",
    "ShapeError",
    "assert_shape",
    "broadcast_shapes",
    "infer_shapes",
    "require_known",
    "require_ndim",
    "resolve_dim",
    "shape_to_str",
]

Shape = tuple[int | None, ...]

# Two different stand-ins for unknown dimensions; large enough for typical kernels, free on "meta".
_SUBSTITUTES = (67, 71)


def assert_shape(shape: Any, where: str = "shape", allow_none: bool = False) -> Shape | None:
    """Check and normalise a shape: a sequence of positive ints or ``None`` entries.

    Parameters
    ----------
    shape : sequence
        The shape, ``None`` (or ``NaN``) for unknown dimensions.
    where : str
        Names the shape in error messages.
    allow_none : bool
        Whether ``shape`` itself may be ``None``.

    Examples
    --------
    >>> assert_shape([None, 3])
    (None, 3)
    """
    if shape is None and allow_none:
        return None
    if isinstance(shape, torch.Size):
        shape = tuple(shape)
    if not isinstance(shape, (tuple, list)) or not shape:
        raise InvalidParameterError(f"{where} must be a non-empty tuple of positive ints or None, got {shape!r}.")
    out: list[int | None] = []
    for dim in shape:
        if dim is None or (isinstance(dim, float) and math.isnan(dim)):
            out.append(None)
        elif isinstance(dim, bool) or not isinstance(dim, (int,)) and not hasattr(dim, "__index__"):
            raise InvalidParameterError(f"{where} must hold positive ints or None, got {shape!r}.")
        elif int(dim) < 1:
            raise InvalidParameterError(f"{where} must hold positive ints or None (unknown), got {shape!r}.")
        else:
            out.append(int(dim))
    return tuple(out)


def shape_to_str(shape: Sequence[int | None] | None) -> str:
    """Write a shape as users write it: ``(None, 10)``; ``"?"`` when it is unknown."""
    if shape is None:
        return "?"
    inner = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def resolve_dim(dim: int, ndim: int) -> int:
    """Turn a possibly negative dimension index into a non-negative one (``-1`` -> ``ndim - 1``)."""
    return dim + ndim if dim < 0 else dim


def require_ndim(shape: Shape, ndims: Sequence[int] | int, who: str, what: str = "") -> None:
    """Raise a :class:`ShapeError` unless ``shape`` has one of ``ndims`` dimensions.

    ``who`` names the PipeOp, ``what`` says in words what the dimensions mean.
    """
    ndims = (ndims,) if isinstance(ndims, int) else tuple(ndims)
    if len(shape) not in ndims:
        want = " or ".join(str(n) for n in ndims)
        raise ShapeError(
            f"{who} needs an input with {want} dimensions{(' ' + what) if what else ''}, "
            f"but the incoming shape is {shape_to_str(shape)} ({len(shape)} dimensions)."
        )


def require_known(shape: Shape, dims: Sequence[int], who: str, what: str = "") -> None:
    """Raise a :class:`ShapeError` when any of ``dims`` of ``shape`` is unknown (``None``)."""
    unknown = [d for d in dims if shape[d] is None]
    if unknown:
        raise ShapeError(
            f"{who} needs to know dimension {unknown[0]}{(' (' + what + ')') if what else ''} of its input, but the "
            f"incoming shape is {shape_to_str(shape)}; give the ingress an explicit shape."
        )


def broadcast_shapes(shapes: Sequence[Shape], who: str = "merge") -> Shape:
    """The shape that ``shapes`` broadcast to (``None`` broadcasts like an unknown size).

    Examples
    --------
    >>> broadcast_shapes([(None, 10), (None, 1)])
    (None, 10)
    """
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    out: list[int | None] = []
    for i in range(ndim):
        sizes = {s[i] for s in padded}
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            shown = ", ".join(shape_to_str(s) for s in shapes)
            raise ShapeError(
                f"{who} cannot combine the input shapes {shown}: dimension {i - ndim} has the sizes "
                f"{sorted(known)}, which do not broadcast (they must be equal, or 1)."
            )
        if known:
            out.append(known.pop())
        elif None in sizes:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def _substituted(shape: Shape, value: int) -> tuple[int, ...]:
    return tuple(value if d is None else d for d in shape)


def _run_meta(module: Callable[..., Any], sizes: list[tuple[int, ...]]) -> list[torch.Tensor]:
    inputs = [torch.empty(s, device="meta") for s in sizes]
    if isinstance(module, torch.nn.Module):
        state = {name: torch.empty_like(t, device="meta") for name, t in
                 [*module.named_parameters(), *module.named_buffers()]}
        out = torch.func.functional_call(module, state, tuple(inputs), strict=False)
    else:
        out = module(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _run_cpu(module: Callable[..., Any], sizes: list[tuple[int, ...]]) -> list[torch.Tensor]:
    inputs = [torch.zeros(s) for s in sizes]
    with torch.no_grad():
        out = module(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def infer_shapes(
    module: Callable[..., Any],
    shapes_in: Sequence[Shape],
    who: str = "module",
    integer_inputs: bool = False,
) -> list[Shape]:
    """Output shapes of ``module`` for inputs of ``shapes_in`` (unknown dims as ``None``).

    The module runs on meta tensors (no data); modules that cannot (they hold plain tensors or
    look at values) run on small CPU tensors instead. A module that fails on the given shapes
    raises a :class:`ShapeError` that names ``who``, the shapes and the module's complaint.

    Parameters
    ----------
    module : torch.nn.Module or callable
        Takes one tensor per input shape.
    shapes_in : sequence of shapes
    who : str
        Names the PipeOp in errors.
    integer_inputs : bool
        Run on ``int64`` inputs (embedding lookups) instead of ``float32``.

    Examples
    --------
    >>> infer_shapes(torch.nn.Flatten(), [(None, 3, 4)])
    [(None, 12)]
    """
    shapes_in = [tuple(s) for s in shapes_in]
    runs: list[list[tuple[int, ...]]] = []
    for value in _SUBSTITUTES:
        sizes = [_substituted(s, value) for s in shapes_in]
        runs.append(_outputs(module, sizes, shapes_in, who, integer_inputs))
        if not any(d is None for s in shapes_in for d in s):
            runs.append(runs[0])
            break
    first, second = runs
    return [tuple(a if a == b else None for a, b in zip(s1, s2)) if len(s1) == len(s2) else tuple(None for _ in s1)
            for s1, s2 in zip(first, second)]


def _outputs(module: Callable[..., Any], sizes: list[tuple[int, ...]], shapes_in: list[Shape], who: str,
             integer_inputs: bool) -> list[tuple[int, ...]]:
    if integer_inputs:
        inputs_cpu = [torch.zeros(s, dtype=torch.long) for s in sizes]
        try:
            with torch.no_grad():
                out = module(*inputs_cpu)
        except Exception as error:
            raise _shape_error(who, shapes_in, error) from error
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        return [tuple(t.shape) for t in outs]
    try:
        outs = _run_meta(module, sizes)
    except Exception as meta_error:  # noqa: BLE001 - some modules cannot run on meta tensors
        try:
            outs = _run_cpu(module, sizes)
        except Exception:  # noqa: BLE001 - report the clearer of the two
            raise _shape_error(who, shapes_in, meta_error) from meta_error
    for t in outs:
        if not isinstance(t, torch.Tensor):
            raise ShapeError(f"{who} returned a {type(t).__name__}, not a tensor, for input shapes "
                             f"{', '.join(shape_to_str(s) for s in shapes_in)}.")
    return [tuple(t.shape) for t in outs]


def _shape_error(who: str, shapes_in: list[Shape], error: BaseException) -> ShapeError:
    message = str(error).strip().split("\n")[0]
    shown = ", ".join(shape_to_str(s) for s in shapes_in)
    return ShapeError(f"{who} cannot take input of shape {shown}: {message}")
