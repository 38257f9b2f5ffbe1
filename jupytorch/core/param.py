"""Typed parameter definitions: ``ParamInt``, ``ParamDbl``, ``ParamFct``, ``ParamLgl``, ``ParamUty``.

A ``Param`` says which values one hyperparameter accepts (type, bounds, levels, special values, a
custom check), its default and its tags. :class:`~jupytorch.core.paramset.ParamSet` holds them by id
together with the values set on them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean

__all__ = ["NO_DEFAULT", "Param", "ParamInt", "ParamDbl", "ParamFct", "ParamLgl", "ParamUty", "TAGS"]

TAGS = frozenset({"train", "predict", "required", "internal_tuning", "hotstart", "threads", "seed"})


class _NoDefault:
    _instance: _NoDefault | None = None

    def __new__(cls) -> _NoDefault:  # one instance, also when a loader rebuilds it with cls.__new__(cls)
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT = _NoDefault()


class Param:
    """Base class of one typed parameter; ``ParamSet`` sets its ``id``.

    Parameters
    ----------
    default : object, optional
        The value the owner uses when none is set (documentation; not a set value).
    tags : iterable of str
        Any of ``train``, ``predict``, ``required``, ``internal_tuning``, ``threads``, ``seed``.
    special_vals : iterable
        Values accepted in addition to the typed range (for example ``None``).
    custom_check : callable, optional
        ``check(value) -> True | str``; a string is the reason the value is invalid.
    description : str
        One line for help texts and widgets.
    """

    type_name = "untyped"

    def __init__(
        self,
        default: Any = NO_DEFAULT,
        *,
        tags: Iterable[str] = (),
        special_vals: Iterable[Any] = (),
        custom_check: Callable[[Any], bool | str] | None = None,
        description: str = "",
    ):
        self.id = ""
        self.default = default
        self.tags = frozenset(tags)
        unknown = self.tags - TAGS
        if unknown:
            raise InvalidParameterError(f"Unknown parameter tags {sorted(unknown)}; valid tags are {sorted(TAGS)}.")
        self.special_vals = tuple(special_vals)
        self.custom_check = custom_check
        self.description = description

    @property
    def required(self) -> bool:
        """Whether a value must be set before the owner can run."""
        return "required" in self.tags

    def __deepcopy__(self, memo: dict[int, Any]) -> Param:
        # a parameter's definition does not change once it is made: copies of a learner (one per
        # resampling iteration) share it and copy only the values
        return self

    def __getstate__(self) -> dict[str, Any]:
        # the tags pickle in sorted order: a frozenset's order depends on how it was built, so a copy
        # would otherwise pickle (and hash, as joblib and scikit-learn's checks do) differently
        return {**self.__dict__, "tags": tuple(sorted(self.tags))}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.tags = frozenset(self.tags)

    def _is_special(self, value: Any) -> bool:
        if value is None:
            return self.default is None or any(v is None for v in self.special_vals)
        return any(value is v or (type(v) is type(value) and v == value) for v in self.special_vals)

    def describe(self) -> str:
        """Say in words which values are valid."""
        return "any value"

    def _check_typed(self, value: Any) -> str | None:
        return None

    def check(self, value: Any) -> str | None:
        """Return why ``value`` is invalid, or ``None`` when it is valid."""
        if self._is_special(value):
            return None
        problem = self._check_typed(value)
        if problem is None and self.custom_check is not None:
            verdict = self.custom_check(value)
            if verdict is not True and verdict is not None:
                problem = str(verdict) if isinstance(verdict, str) else self.describe()
        return problem

    def convert(self, value: Any) -> Any:
        """Normalise a valid value (numpy scalars become Python scalars)."""
        return value

    def __repr__(self) -> str:
        default = "" if self.default is NO_DEFAULT else f", default={self.default!r}"
        tags = f", tags={sorted(self.tags)}" if self.tags else ""
        return f"{type(self).__name__}({self.describe()}{default}{tags})"


class _NumericParam(Param):
    def __init__(self, lower: float | None = None, upper: float | None = None, default: Any = NO_DEFAULT, **kwargs: Any):
        super().__init__(default, **kwargs)
        self.lower = -math.inf if lower is None else lower
        self.upper = math.inf if upper is None else upper
        if self.lower > self.upper:
            raise InvalidParameterError(f"lower bound {lower!r} is above upper bound {upper!r}.")

    @property
    def bounded(self) -> bool:
        """Whether both bounds are finite."""
        return math.isfinite(self.lower) and math.isfinite(self.upper)

    def _range(self) -> str:
        return f"[{self.lower}, {self.upper}]"

    def _in_bounds(self, value: float) -> bool:
        return self.lower <= value <= self.upper


class ParamInt(_NumericParam):
    """An integer parameter with optional bounds.

    Examples
    --------
    >>> from jupytorch.core.paramset import ParamSet
    >>> ps = ParamSet({"k": ParamInt(1, 50, default=7)})
    >>> ps.set_values(k=3).values
    {'k': 3}
    """

    type_name = "int"

    def describe(self) -> str:
        return f"an integer in {self._range()}"

    def _check_typed(self, value: Any) -> str | None:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not ok and isinstance(value, float) and value.is_integer():
            ok = True
        if not ok or not self._in_bounds(value):
            return self.describe()
        return None

    def convert(self, value: Any) -> Any:
        if isinstance(value, numbers.Real) and not self._is_special(value):
            return int(value)  # type: ignore[call-overload]  # the numbers ABCs are not typed as SupportsInt
        return value


class ParamDbl(_NumericParam):
    """A real-valued parameter with optional bounds.

    Examples
    --------
    >>> from jupytorch.core.paramset import ParamSet
    >>> ParamSet({"lr": ParamDbl(0, None)}).set_values(lr=0.1).values
    {'lr': 0.1}
    """

    type_name = "float"

    def describe(self) -> str:
        return f"a number in {self._range()}"

    def _check_typed(self, value: Any) -> str | None:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return self.describe()
        if math.isnan(value) or not self._in_bounds(float(value)):
            return self.describe()
        return None

    def convert(self, value: Any) -> Any:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return float(value)
        return value


class ParamFct(Param):
    """A categorical parameter: one of a fixed list of levels.

    Examples
    --------
    >>> from jupytorch.core.paramset import ParamSet
    >>> ParamSet({"method": ParamFct(["one-hot", "treatment"])}).set_values(method="one-hot").values
    {'method': 'one-hot'}
    """

    type_name = "categorical"

    def __init__(self, levels: Sequence[Any], default: Any = NO_DEFAULT, **kwargs: Any):
        super().__init__(default, **kwargs)
        if isinstance(levels, str) or len(levels) == 0:
            raise InvalidParameterError(f"levels must be a non-empty list, got {levels!r}.")
        self.levels = list(levels)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(level) for level in self.levels)

    def _check_typed(self, value: Any) -> str | None:
        try:
            if value in self.levels:
                return None
        except (TypeError, ValueError):
            pass
        hint = did_you_mean(value, self.levels).strip() if isinstance(value, str) else ""
        return self.describe() + (f" ({hint[0].lower()}{hint[1:]})" if hint else "")


def _is_numpy_bool(value: Any) -> bool:
    # numpy >= 2 names the type "bool" (numpy 1: "bool_"); numpy is not imported here
    return type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")


class ParamLgl(Param):
    """A logical (boolean) parameter.

    Examples
    --------
    >>> from jupytorch.core.paramset import ParamSet
    >>> ParamSet({"bias": ParamLgl(default=True)}).set_values(bias=False).values
    {'bias': False}
    """

    type_name = "logical"

    def describe(self) -> str:
        return "True or False"

    def _check_typed(self, value: Any) -> str | None:
        if isinstance(value, bool) or _is_numpy_bool(value):
            return None
        return self.describe()

    def convert(self, value: Any) -> Any:
        return bool(value) if _is_numpy_bool(value) else value


class ParamUty(Param):
    """A parameter of any type, optionally checked by ``custom_check``.

    Examples
    --------
    >>> from jupytorch.core.paramset import ParamSet
    >>> ps = ParamSet({"neurons": ParamUty(custom_check=lambda v: isinstance(v, tuple) or "a tuple")})
    >>> ps.set_values(neurons=(10, 20)).values
    {'neurons': (10, 20)}
    """

    def describe(self) -> str:
        return "any value"
