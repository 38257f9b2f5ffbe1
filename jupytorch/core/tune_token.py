"""The ``to_tune`` token: a parameter value that tuning will choose."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.param import Param, ParamFct, ParamLgl, _NumericParam

__all__ = ["TuneToken", "to_tune"]


class TuneToken:
    """A placeholder for a value that tuning will choose; created by :func:`to_tune`.

    Set on a parameter like a value. When set, the token is checked against the parameter and
    completed with its bounds or levels (``resolved_for``).
    """

    def __init__(
        self,
        lower: Any = None,
        upper: Any = None,
        levels: Sequence[Any] | None = None,
        logscale: bool = False,
        internal: bool = False,
        param_type: str | None = None,
        aggregate: Callable[[Sequence[Any]], Any] | None = None,
    ):
        self.lower = lower
        self.upper = upper
        self.levels = list(levels) if levels is not None else None
        self.logscale = logscale
        self.internal = internal
        self.param_type = param_type
        self.aggregate = aggregate

    def resolved_for(self, param: Param, where: str) -> TuneToken:
        """Return this token completed by ``param``'s bounds or levels; raise when it cannot fit."""

        def fail(problem: str) -> InvalidParameterError:
            return InvalidParameterError(f"{where}: to_tune() {problem}.")

        if self.internal and "internal_tuning" not in param.tags:
            raise fail("with internal=True needs a parameter tagged 'internal_tuning' (such as 'epochs')")
        if isinstance(param, _NumericParam):
            if self.levels is not None:
                bad = [v for v in self.levels if param.check(v) is not None]
                if bad:
                    raise fail(f"levels {bad!r} are not {param.describe()}")
                return TuneToken(levels=self.levels, internal=self.internal, param_type=param.type_name)
            lower = param.lower if self.lower is None else self.lower
            upper = param.upper if self.upper is None else self.upper
            if self.internal:
                if not math.isfinite(upper):
                    raise fail("with internal=True needs an upper bound")
            elif not (math.isfinite(lower) and math.isfinite(upper)):
                raise fail(f"needs finite bounds; the parameter allows {param._range()}, so give lower and upper")
            for bound in (lower, upper):
                if param.check(bound) is not None:
                    raise fail(f"bound {bound!r} is not {param.describe()}")
            if lower > upper:
                raise fail(f"lower {lower!r} is above upper {upper!r}")
            if self.logscale and lower <= 0:
                raise fail(f"with logscale=True needs lower > 0, got {lower!r}")
            return TuneToken(
                lower, upper, None, self.logscale, self.internal, param.type_name, self.aggregate
            )
        if isinstance(param, ParamFct):
            levels = param.levels if self.levels is None else self.levels
            bad = [v for v in levels if v not in param.levels]
            if bad:
                raise fail(f"levels {bad!r} are not in the parameter's levels {param.levels!r}")
            return TuneToken(levels=levels, param_type=param.type_name)
        if isinstance(param, ParamLgl):
            return TuneToken(levels=self.levels or [True, False], param_type=param.type_name)
        if self.levels is None:
            raise fail("on an untyped parameter needs a list of levels to choose from")
        bad = [v for v in self.levels if param.check(v) is not None]
        if bad:
            raise fail(f"levels {bad!r} are not valid values")
        return TuneToken(levels=self.levels, param_type=param.type_name)

    def __repr__(self) -> str:
        if self.levels is not None:
            return f"to_tune({self.levels!r})"
        parts = [repr(self.lower), repr(self.upper)]
        if self.logscale:
            parts.append("logscale=True")
        if self.internal:
            parts.append("internal=True")
        return f"to_tune({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TuneToken) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]


def to_tune(
    lower: Any = None,
    upper: Any = None,
    *,
    logscale: bool = False,
    internal: bool = False,
    aggregate: Callable[[Sequence[Any]], Any] | None = None,
) -> TuneToken:
    """Mark a parameter for tuning, as a value in ``set_values``.

    Parameters
    ----------
    lower, upper : number, optional
        The range to search; missing bounds are taken from the parameter. Pass a list as the only
        argument to search over those values instead.
    logscale : bool
        Search the range on a log scale (learning rates).
    internal : bool
        Let the learner choose the value itself (early stopping picks ``epochs``); ``upper`` is the
        most it may use.
    aggregate : callable, optional
        How internally tuned values of several folds are combined (default: ceiling of the mean).

    Examples
    --------
    >>> from jupytorch.core.paramset import ParamDbl, ParamSet
    >>> ps = ParamSet({"lr": ParamDbl(0, 1)})
    >>> ps.set_values(lr=to_tune(1e-4, 1e-1, logscale=True)).values
    {'lr': to_tune(0.0001, 0.1, logscale=True)}
    >>> to_tune(["relu", "sigmoid"])
    to_tune(['relu', 'sigmoid'])
    """
    if isinstance(lower, (list, tuple)) and upper is None:
        return TuneToken(levels=lower, internal=internal)
    return TuneToken(lower, upper, None, logscale, internal, None, aggregate)
