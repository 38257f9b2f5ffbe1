"""Parameter checks and shape rules shared by the lazy-tensor preprocessing PipeOps.

Parameter checks are ``custom_check`` functions for :class:`~jupytorch.core.param.ParamUty`
(``True`` or the words that say what is valid). Shape rules work on shapes with the batch
dimension ``None`` first; a :class:`ShapeContext` knows the PipeOp and column, so that an error
names the PipeOp, the incoming shape and what the op needs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from jupytorch.core.exceptions import LazyShapeError
from jupytorch.lazy.graph import Shape

__all__ = [
    "LazyShapeError",
    "ShapeContext",
    "add",
    "allow_none",
    "as_pair",
    "check_hue",
    "check_int_or_pair",
    "check_number_or_pair",
    "check_numbers",
    "check_padding",
    "check_range_pair",
    "is_int",
    "is_number",
    "padding_ltrb",
]


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (not a bool)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """Whether ``value`` is a finite real number (not a bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _seq(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str)


def check_int_or_pair(value: Any) -> bool | str:
    """A size: an int > 0 or a (height, width) pair of ints > 0."""
    if is_int(value) and value > 0:
        return True
    if _seq(value) and len(value) in (1, 2) and all(is_int(v) and v > 0 for v in value):
        return True
    return "an int > 0 or a pair (height, width) of ints > 0"


def check_numbers(value: Any) -> bool | str:
    """A number or a non-empty sequence of numbers (per-channel values)."""
    if is_number(value) or (_seq(value) and len(value) > 0 and all(is_number(v) for v in value)):
        return True
    return "a number or a sequence of numbers, one per channel"


class check_number_or_pair:
    """A picklable check for a number ``>= lower`` or an ordered pair of such numbers."""

    def __init__(self, lower: float = -math.inf):
        self.lower = lower

    def __call__(self, value: Any) -> bool | str:
        lower = self.lower
        if is_number(value) and value >= lower:
            return True
        if _seq(value) and len(value) == 2 and all(is_number(v) and v >= lower for v in value) and value[0] <= value[1]:
            return True
        return f"a number >= {lower} or a pair (min, max) of such numbers with min <= max"


class check_range_pair:
    """A picklable check for an ordered pair ``(a, b)`` with ``lower <= a <= b <= upper``."""

    def __init__(self, lower: float, upper: float):
        self.lower, self.upper = lower, upper

    def __call__(self, value: Any) -> bool | str:
        lower, upper = self.lower, self.upper
        if _seq(value) and len(value) == 2 and all(is_number(v) and lower <= v <= upper for v in value) and value[0] <= value[1]:
            return True
        return f"a pair (min, max) with {lower} <= min <= max <= {upper}"


class allow_none:
    """A picklable check that accepts None and otherwise defers to ``check``."""

    def __init__(self, check: Any):
        self.check = check

    def __call__(self, value: Any) -> bool | str:
        if value is None:
            return True
        verdict = self.check(value)
        return verdict if verdict is not True else True


def check_hue(value: Any) -> bool | str:
    """A hue jitter: a number in [0, 0.5] or a pair (min, max) within [-0.5, 0.5]."""
    if is_number(value) and 0 <= value <= 0.5:
        return True
    if check_range_pair(-0.5, 0.5)(value) is True:
        return True
    return "a number in [0, 0.5] or a pair (min, max) with -0.5 <= min <= max <= 0.5"


def check_padding(value: Any) -> bool | str:
    """Padding: an int >= 0, or 1, 2 (left/right, top/bottom) or 4 (left, top, right, bottom) ints >= 0."""
    if is_int(value) and value >= 0:
        return True
    if _seq(value) and len(value) in (1, 2, 4) and all(is_int(v) and v >= 0 for v in value):
        return True
    return "an int >= 0, or 2 ints (left/right, top/bottom) or 4 ints (left, top, right, bottom) >= 0"


def as_pair(value: Any) -> tuple[Any, Any]:
    """``5`` -> ``(5, 5)``; ``(5,)`` -> ``(5, 5)``; ``(4, 6)`` -> ``(4, 6)``."""
    if _seq(value):
        value = tuple(value)
        return (value[0], value[0]) if len(value) == 1 else (value[0], value[1])
    return value, value


def padding_ltrb(padding: Any) -> tuple[int, int, int, int]:
    """Padding as (left, top, right, bottom), read as torchvision reads it."""
    if padding is None:
        return 0, 0, 0, 0
    if is_int(padding):
        return (int(padding),) * 4  # type: ignore[return-value]
    padding = [int(p) for p in padding]
    if len(padding) == 1:
        return (padding[0],) * 4  # type: ignore[return-value]
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    return padding[0], padding[1], padding[2], padding[3]


class ShapeContext:
    """The PipeOp, column and incoming shape a shape rule works on; :meth:`fail` raises the error.

    Parameters
    ----------
    op_id, key : str
        The PipeOp id and its registry key (``"trafo_resize"``).
    column : str
        The lazy-tensor column.
    shape : tuple
        The incoming shape, batch dimension None.
    predict_path : bool
        Whether ``shape`` is the predict-time shape, which differs from the training one because
        train-only steps come before the op (errors then say so).
    """

    def __init__(self, op_id: str, key: str, column: str, shape: Shape, predict_path: bool = False):
        self.op_id = op_id
        self.key = key
        self.column = column
        self.shape = shape
        self.predict_path = predict_path

    def fail(self, need: str, hint: str = "") -> LazyShapeError:
        """Return the error to raise: names the PipeOp, the column's shape and what the op needs."""
        when = " at predict time (train-only steps before it do not run then)" if self.predict_path else ""
        text = (
            f"PipeOp {self.op_id!r} ({self.key}): lazy-tensor column {self.column!r} has shape {self.shape}{when}, "
            f"but {self.key} needs {need}."
        )
        if not hint and len(self.shape) == 2:
            hint = self.reshape_hint()
        return LazyShapeError(text + (f" {hint}" if hint else ""))

    def reshape_hint(self) -> str:
        """Suggest a reshape to images for a flat column."""
        d = self.shape[-1]
        side = math.isqrt(d) if d is not None else 0
        target = f"(-1, 1, {side}, {side})" if side and side * side == d else "(-1, C, H, W)"
        return f"Reshape the rows into images first, e.g. po('trafo_reshape', shape={target})."

    def spatial(self, min_dims: int = 2, need: str = "images (None, C, H, W) or (None, H, W)") -> tuple[Any, Any]:
        """Check that the rows have at least ``min_dims`` dimensions; return (H, W) (None if unknown)."""
        if len(self.shape) - 1 < min_dims:
            raise self.fail(need)
        return self.shape[-2], self.shape[-1]

    def channels(self, allowed: tuple[int, ...] = (1, 3), need: str | None = None) -> Any:
        """Check for images (None, ..., C, H, W) whose C is in ``allowed`` (when known); return C."""
        need = need or f"images (None, C, H, W) with C in {set(allowed)} channels"
        if len(self.shape) < 4:
            raise self.fail(need)
        c = self.shape[-3]
        if c is not None and c not in allowed:
            raise self.fail(need)
        return c

    def with_hw(self, h: Any, w: Any) -> Shape:
        """The incoming shape with its last two dimensions replaced."""
        return (*self.shape[:-2], h, w)


def add(a: Any, b: int) -> Any:
    """``a + b`` where ``a`` may be None (unknown)."""
    return None if a is None else a + b
