"""Selectors: callables that pick feature names from a Task (or names from a list of strings).

They are used by ``po("select", selector=...)``, the ``affect_columns`` parameter of
preprocessing PipeOps, and by network callbacks that pick parameters by name. Selectors are
small picklable objects with a readable ``repr``.

Examples
--------
>>> from jupytorch import tsk, selector_type, selector_grep, selector_invert
>>> task = tsk("mtcars")
>>> selector_grep("^d")(task)
['disp', 'drat']
>>> selector_invert(selector_grep("^d"))(task)[:3]
['cyl', 'hp', 'wt']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError, TaskError

__all__ = [
    "Selector",
    "selector_all",
    "selector_none",
    "selector_name",
    "selector_type",
    "selector_grep",
    "selector_invert",
    "selector_union",
    "selector_intersect",
    "selector_setdiff",
    "selector_missing",
    "as_selector",
]


def _names_of(x: Any) -> list[str]:
    from jupytorch.core.task import Task

    if isinstance(x, Task):
        return x.feature_names
    if isinstance(x, str):
        return [x]
    return [str(n) for n in x]


class Selector:
    """Base class of selectors: ``selector(task)`` returns the chosen feature names, in task order."""

    def __call__(self, x: Any) -> list[str]:
        names = _names_of(x)
        chosen = set(self._select(x, names))
        return [n for n in names if n in chosen]

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        raise NotImplementedError

    def __invert__(self) -> Selector:
        return selector_invert(self)

    def __or__(self, other: Selector) -> Selector:
        return selector_union(self, other)

    def __and__(self, other: Selector) -> Selector:
        return selector_intersect(self, other)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(repr(self))


class _All(Selector):
    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        return names

    def __repr__(self) -> str:
        return "selector_all()"


class _None(Selector):
    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        return []

    def __repr__(self) -> str:
        return "selector_none()"


class _Name(Selector):
    def __init__(self, names: Sequence[str], assert_present: bool):
        self.names = [names] if isinstance(names, str) else list(names)
        self.assert_present = assert_present

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        if self.assert_present:
            missing = [n for n in self.names if n not in names]
            if missing:
                from jupytorch.core.exceptions import did_you_mean

                where = f"task {x.id!r}" if hasattr(x, "feature_names") else "the names"
                raise TaskError(
                    f"selector_name: {missing} are not in {where}.{did_you_mean(missing[0], names)}"
                )
        return self.names

    def __repr__(self) -> str:
        extra = ", assert_present=True" if self.assert_present else ""
        return f"selector_name({self.names!r}{extra})"


class _Type(Selector):
    def __init__(self, types: Sequence[str]):
        from jupytorch.core.task import FEATURE_TYPES

        self.types = [types] if isinstance(types, str) else list(types)
        bad = [t for t in self.types if t not in FEATURE_TYPES]
        if bad:
            raise InvalidParameterError(f"selector_type: unknown feature type(s) {bad}; valid types are {list(FEATURE_TYPES)}.")

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        if not hasattr(x, "feature_types"):
            raise TaskError("selector_type needs a Task (it selects by feature type), not a list of names.")
        types = x.feature_types
        return [n for n in names if types[n] in self.types]

    def __repr__(self) -> str:
        return f"selector_type({self.types!r})"


class _Grep(Selector):
    def __init__(self, pattern: str, ignore_case: bool, fixed: bool):
        self.pattern = pattern
        self.ignore_case = ignore_case
        self.fixed = fixed
        re.compile(self._regex(), re.IGNORECASE if ignore_case else 0)

    def _regex(self) -> str:
        return re.escape(self.pattern) if self.fixed else self.pattern

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        regex = re.compile(self._regex(), re.IGNORECASE if self.ignore_case else 0)
        return [n for n in names if regex.search(n)]

    def __repr__(self) -> str:
        extra = (", ignore_case=True" if self.ignore_case else "") + (", fixed=True" if self.fixed else "")
        return f"selector_grep({self.pattern!r}{extra})"


class _Invert(Selector):
    def __init__(self, selector: Selector):
        self.selector = as_selector(selector)

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        chosen = set(self.selector(x))
        return [n for n in names if n not in chosen]

    def __repr__(self) -> str:
        return f"selector_invert({self.selector!r})"


class _Combine(Selector):
    def __init__(self, how: str, selectors: Sequence[Selector]):
        self.how = how
        self.selectors = [as_selector(s) for s in selectors]

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        sets = [set(s(x)) for s in self.selectors]
        if not sets:
            return []
        if self.how == "union":
            return set().union(*sets)
        if self.how == "intersect":
            return set.intersection(*sets)
        return sets[0].difference(*sets[1:])

    def __repr__(self) -> str:
        return f"selector_{self.how}({', '.join(repr(s) for s in self.selectors)})"


class _Missing(Selector):
    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        if not hasattr(x, "missings"):
            raise TaskError("selector_missing needs a Task.")
        counts = x.missings(cols=names)
        return [n for n in names if counts[n] > 0]

    def __repr__(self) -> str:
        return "selector_missing()"


class _Callable(Selector):
    def __init__(self, fn: Any):
        self.fn = fn

    def _select(self, x: Any, names: list[str]) -> Iterable[str]:
        return list(self.fn(x))

    def __repr__(self) -> str:
        return f"as_selector({getattr(self.fn, '__name__', repr(self.fn))})"


def as_selector(x: Any) -> Selector:
    """Turn a selector, a list of names, or a function ``task -> names`` into a Selector."""
    if isinstance(x, Selector):
        return x
    if isinstance(x, str) or (isinstance(x, (list, tuple)) and all(isinstance(n, str) for n in x)):
        return _Name(x, assert_present=True)
    if callable(x):
        return _Callable(x)
    raise InvalidParameterError(f"Cannot use {x!r} as a selector; use selector_name([...]), selector_type(...) or a function.")


def selector_all() -> Selector:
    """Select every feature.

    Examples
    --------
    >>> from jupytorch import tsk
    >>> len(selector_all()(tsk("mtcars")))
    10
    """
    return _All()


def selector_none() -> Selector:
    """Select no feature.

    Examples
    --------
    >>> from jupytorch import tsk
    >>> selector_none()(tsk("mtcars"))
    []
    """
    return _None()


def selector_name(names: str | Sequence[str], assert_present: bool = False) -> Selector:
    """Select features by name; with ``assert_present=True`` a missing name is an error.

    Examples
    --------
    >>> from jupytorch import tsk
    >>> selector_name(["wt", "hp", "nope"])(tsk("mtcars"))
    ['hp', 'wt']
    >>> selector_name(["fc.weight"])(["fc.weight", "fc.bias"])
    ['fc.weight']
    """
    return _Name(names, assert_present)


def selector_type(types: str | Sequence[str]) -> Selector:
    """Select features whose type is one of ``types`` (``"numeric"``, ``"factor"``, ...).

    Examples
    --------
    >>> from jupytorch import tsk
    >>> selector_type("factor")(tsk("mtcars"))
    []
    """
    return _Type(types)


def selector_grep(pattern: str, ignore_case: bool = False, fixed: bool = False) -> Selector:
    """Select features whose name matches the regular expression ``pattern`` (a plain substring
    with ``fixed=True``).

    Examples
    --------
    >>> selector_grep("^P", ignore_case=True)(["Petal.Length", "sepal", "petal.width"])
    ['Petal.Length', 'petal.width']
    """
    return _Grep(pattern, ignore_case, fixed)


def selector_invert(selector: Any) -> Selector:
    """Select the features that ``selector`` does not select.

    Examples
    --------
    >>> selector_invert(selector_name("a"))(["a", "b"])
    ['b']
    """
    return _Invert(selector)


def selector_union(*selectors: Any) -> Selector:
    """Select features chosen by any of ``selectors`` (also ``s1 | s2``).

    Examples
    --------
    >>> selector_union(selector_name("a"), selector_name("c"))(["a", "b", "c"])
    ['a', 'c']
    """
    return _Combine("union", selectors)


def selector_intersect(*selectors: Any) -> Selector:
    """Select features chosen by all of ``selectors`` (also ``s1 & s2``).

    Examples
    --------
    >>> selector_intersect(selector_grep("a"), selector_grep("b"))(["ab", "a", "b"])
    ['ab']
    """
    return _Combine("intersect", selectors)


def selector_setdiff(selector: Any, *others: Any) -> Selector:
    """Select features chosen by ``selector`` but by none of ``others``.

    Examples
    --------
    >>> selector_setdiff(selector_all(), selector_name("a"))(["a", "b"])
    ['b']
    """
    return _Combine("setdiff", (selector, *others))


def selector_missing() -> Selector:
    """Select features that have missing values.

    Examples
    --------
    >>> from jupytorch import tsk
    >>> selector_missing()(tsk("mtcars"))
    []
    """
    return _Missing()
