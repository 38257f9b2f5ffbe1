"""Shape layers: ``nn("reshape", shape=...)``, ``nn("flatten")``, ``nn("squeeze", dim=...)``,
``nn("unsqueeze", dim=...)``.

Shapes name the batch dimension first, as everywhere in jupytorch: ``nn("reshape", shape=(None, 1,
28, 28))`` keeps the batch and reshapes each row to ``1x28x28``; one other entry may be ``-1``
(or ``None``) to be worked out from the rest.

Examples
--------
>>> from jupytorch import nn
>>> nn("reshape", shape=(None, 1, 28, 28)).shapes_out((None, 784))
[(None, 1, 28, 28)]
>>> nn("flatten").shapes_out((None, 3, 4, 5))
[(None, 60)]
>>> nn("unsqueeze", dim=1).shapes_out((None, 4))
[(None, 1, 4)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamInt, ParamSet, ParamUty
from jupytorch.nn.pipeop_torch import PipeOpTorch, torch_layer
from jupytorch.nn.shapes import Shape, ShapeError, resolve_dim, shape_to_str

__all__ = [
    "PipeOpTorchFlatten",
    "PipeOpTorchReshape",
    "PipeOpTorchSqueeze",
    "PipeOpTorchUnsqueeze",
    "Reshape",
    "Squeeze",
    "Unsqueeze",
]

PipeOpTorchFlatten = torch_layer(
    "PipeOpTorchFlatten", "flatten", torch.nn.Flatten, __name__,
    doc="Flatten dimensions ``start_dim`` (default 1, after the batch) to ``end_dim`` (default -1) into one, "
        "``nn('flatten')``: :class:`torch.nn.Flatten`.",
)


class Reshape(torch.nn.Module):
    """Reshape each row: ``x.reshape(batch, *shape)`` (``shape`` without the batch dimension).

    Examples
    --------
    >>> Reshape((2, -1))(torch.zeros(3, 8)).shape
    torch.Size([3, 2, 4])
    """

    def __init__(self, shape: tuple[int, ...]):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self) -> str:
        return f"shape=(batch, {', '.join(map(str, self.shape))})"


class Squeeze(torch.nn.Module):
    """``x.squeeze(dim)``."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.squeeze(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Unsqueeze(torch.nn.Module):
    """``x.unsqueeze(dim)``."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.unsqueeze(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _check_reshape_target(value: Any) -> bool | str:
    if callable(value):
        return True
    if isinstance(value, (tuple, list)) and len(value) >= 1 and all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and (d >= 1 or d == -1)) for d in value):
        return True
    return "a shape with the batch first, e.g. (None, 1, 28, 28) (one other entry may be -1), or a function of the input shape"


class PipeOpTorchReshape(PipeOpTorch):
    """``nn("reshape", shape=...)``: give each row a new shape.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    shape : tuple or callable, required
        The output shape, batch first (``None`` or ``-1``); at most one other entry ``-1`` or
        ``None``. A function gets the input shape and returns the output shape.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("reshape", shape=(None, -1, 4)).shapes_out((None, 2, 8))
    [(None, 4, 4)]
    """

    key = "nn_reshape"

    def __init__(self, id: str = "reshape", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"shape": ParamUty(tags={"train", "required"}, custom_check=_check_reshape_target)})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _target(self, shape_in: Shape, param_vals: dict[str, Any]) -> Shape:
        target = param_vals["shape"]
        if callable(target):
            target = target(shape_in)
            verdict = _check_reshape_target(target)
            if verdict is not True:
                raise InvalidParameterError(f"{self.who}: the shape function returned {target!r}; it must return {verdict}.")
        target = tuple(target)
        if target[0] not in (None, -1):
            raise ShapeError(f"{self.who}: the first entry of shape={target!r} is the batch dimension and must be None "
                             "or -1 (rows keep their number).")
        rest = target[1:]
        if sum(d in (None, -1) for d in rest) > 1:
            raise ShapeError(f"{self.who}: shape={target!r} leaves more than one dimension besides the batch open; "
                             "at most one may be -1 or None.")
        return target

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        shape_in = shapes_in[0]
        target = self._target(shape_in, param_vals)
        rest = [None if d == -1 else d for d in target[1:]]
        if any(d is None for d in shape_in[1:]):
            return [(None, *rest)]
        n_in = math.prod(shape_in[1:])  # type: ignore[arg-type]
        known = math.prod(d for d in rest if d is not None)
        if None in rest:
            if n_in % known:
                raise ShapeError(f"{self.who} cannot reshape {shape_to_str(shape_in)} ({n_in} values per row) to "
                                 f"{shape_to_str(target)}: {n_in} is not divisible by {known}.")
            rest = [n_in // known if d is None else d for d in rest]
        elif known != n_in:
            raise ShapeError(f"{self.who} cannot reshape {shape_to_str(shape_in)} ({n_in} values per row) to "
                             f"{shape_to_str(target)} ({known} values per row).")
        return [(shape_in[0], *rest)]

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        target = self._target(shapes_in[0], param_vals)
        return Reshape(tuple(-1 if d is None else d for d in target[1:]))


class _DimLayer(PipeOpTorch):
    module_class: Callable[..., Any]

    def __init__(self, id: str, param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=ParamSet({"dim": ParamInt(tags={"train", "required"})}), param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return type(self).module_class(param_vals["dim"])


class PipeOpTorchSqueeze(_DimLayer):
    """``nn("squeeze", dim=...)``: remove dimension ``dim``, which must have size 1.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("squeeze", dim=-1).shapes_out((None, 4, 1))
    [(None, 4)]
    """

    key = "nn_squeeze"
    module_class = Squeeze

    def __init__(self, id: str = "squeeze", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _check_shapes(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> None:
        shape, dim = shapes_in[0], param_vals["dim"]
        if not -len(shape) <= dim < len(shape):
            raise ShapeError(f"{self.who}: dim={dim} is out of range for the incoming shape {shape_to_str(shape)}.")
        d = resolve_dim(dim, len(shape))
        if d == 0:
            raise ShapeError(f"{self.who}: dim={dim} is the batch dimension, which cannot be squeezed.")
        if shape[d] != 1:
            raise ShapeError(f"{self.who}: dimension {dim} of the incoming shape {shape_to_str(shape)} has size "
                             f"{'unknown' if shape[d] is None else shape[d]}; squeeze removes only dimensions of size 1.")


class PipeOpTorchUnsqueeze(_DimLayer):
    """``nn("unsqueeze", dim=...)``: insert a dimension of size 1 at ``dim``.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("unsqueeze", dim=-1).shapes_out((None, 4))
    [(None, 4, 1)]
    """

    key = "nn_unsqueeze"
    module_class = Unsqueeze

    def __init__(self, id: str = "unsqueeze", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals)

    def _check_shapes(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> None:
        shape, dim = shapes_in[0], param_vals["dim"]
        if not -len(shape) - 1 <= dim <= len(shape):
            raise ShapeError(f"{self.who}: dim={dim} is out of range for the incoming shape {shape_to_str(shape)}.")
        if resolve_dim(dim, len(shape) + 1) == 0:
            raise ShapeError(f"{self.who}: dim={dim} would put the new dimension before the batch dimension.")
