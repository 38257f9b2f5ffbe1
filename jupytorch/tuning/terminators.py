"""Terminators: ``trm("evals" | "run_time" | "stagnation" | "perf_reached" | "none" | "combo")``.

A terminator looks at the study (all its finished trials, also those of earlier runs and other
workers) and says whether tuning is over. ``tune()`` asks before every batch of trials.
"""

from __future__ import annotations

import html
import time
from collections.abc import Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.registry import registry
from jupytorch.core.sugar import build

__all__ = [
    "Terminator",
    "TerminatorCombo",
    "TerminatorEvals",
    "TerminatorNone",
    "TerminatorPerfReached",
    "TerminatorRunTime",
    "TerminatorStagnation",
    "trm",
    "trms",
]


class Terminator:
    """Base class; ``is_terminated(instance)`` decides.

    Examples
    --------
    >>> trm("evals", n_evals=10)
    <Terminator evals: n_evals=10>
    """

    id = "terminator"

    def start(self) -> None:
        """Called when ``tune()`` starts (clocks start here)."""

    def is_terminated(self, instance: Any) -> bool:
        """Whether tuning is over for ``instance`` (a TuningInstance)."""
        raise NotImplementedError

    def _fields(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields().items())
        return f"<Terminator {self.id}" + (f": {fields}>" if fields else ">")

    def _repr_html_(self) -> str:
        return f"<span class='jt-terminator'>{html.escape(repr(self))}</span>"


class TerminatorEvals(Terminator):
    """Stop after ``n_evals`` trials in the study (those of earlier runs and other workers count).

    Examples
    --------
    >>> trm("evals", n_evals=5).n_evals
    5
    """

    id = "evals"

    def __init__(self, n_evals: int = 100):
        if not isinstance(n_evals, int) or n_evals < 0:
            raise InvalidParameterError(f"trm('evals'): n_evals must be a non-negative integer, got {n_evals!r}.")
        self.n_evals = n_evals

    def is_terminated(self, instance: Any) -> bool:
        return instance.n_trials_started() >= self.n_evals

    def _fields(self) -> dict[str, Any]:
        return {"n_evals": self.n_evals}


class TerminatorRunTime(Terminator):
    """Stop once ``secs`` seconds have passed since ``tune()`` started (the running batch finishes).

    Examples
    --------
    >>> trm("run_time", secs=60).secs
    60
    """

    id = "run_time"

    def __init__(self, secs: float = 30.0):
        if not isinstance(secs, (int, float)) or secs < 0:
            raise InvalidParameterError(f"trm('run_time'): secs must be a non-negative number, got {secs!r}.")
        self.secs = secs
        self._start = time.monotonic()

    def start(self) -> None:
        self._start = time.monotonic()

    def is_terminated(self, instance: Any) -> bool:
        return time.monotonic() - self._start >= self.secs

    def _fields(self) -> dict[str, Any]:
        return {"secs": self.secs}


class TerminatorStagnation(Terminator):
    """Stop when the best score of the last ``iters`` trials improved on the earlier best by less than ``threshold``.

    Examples
    --------
    >>> trm("stagnation", iters=5, threshold=0.01).iters
    5
    """

    id = "stagnation"

    def __init__(self, iters: int = 10, threshold: float = 0.0):
        self.iters = iters
        self.threshold = threshold

    def is_terminated(self, instance: Any) -> bool:
        values = instance.completed_values()
        if len(values) <= self.iters:
            return False
        sign = 1.0 if instance.minimize[0] else -1.0
        before = min(sign * v for v in values[: -self.iters])
        recent = min(sign * v for v in values[-self.iters:])
        return before - recent < self.threshold

    def _fields(self) -> dict[str, Any]:
        return {"iters": self.iters, "threshold": self.threshold}


class TerminatorPerfReached(Terminator):
    """Stop once a trial reached ``level`` (at most it when minimizing, at least it when maximizing).

    Examples
    --------
    >>> trm("perf_reached", level=0.1).level
    0.1
    """

    id = "perf_reached"

    def __init__(self, level: float = 0.1):
        self.level = level

    def is_terminated(self, instance: Any) -> bool:
        values = instance.completed_values()
        if not values:
            return False
        if instance.minimize[0]:
            return min(values) <= self.level
        return max(values) >= self.level

    def _fields(self) -> dict[str, Any]:
        return {"level": self.level}


class TerminatorNone(Terminator):
    """Never stop (the tuner stops by itself, e.g. an exhausted grid, or Ctrl-C).

    Examples
    --------
    >>> trm("none").is_terminated(None)
    False
    """

    id = "none"

    def is_terminated(self, instance: Any) -> bool:
        return False


class TerminatorCombo(Terminator):
    """Combine terminators: stop when any says so (``any=True``) or when all do.

    Examples
    --------
    >>> trm("combo", terminators=[trm("evals", n_evals=10), trm("run_time", secs=60)]).any
    True
    """

    id = "combo"

    def __init__(self, terminators: Sequence[Terminator] = (), any: bool = True):
        bad = [t for t in terminators if not isinstance(t, Terminator)]
        if bad or not terminators:
            raise InvalidParameterError(f"trm('combo'): terminators must be a non-empty list of trm(...), got {list(terminators)!r}.")
        self.terminators = list(terminators)
        self.any = any

    def start(self) -> None:
        for t in self.terminators:
            t.start()

    def is_terminated(self, instance: Any) -> bool:
        votes = [t.is_terminated(instance) for t in self.terminators]
        return (any if self.any else all)(votes)

    def _fields(self) -> dict[str, Any]:
        return {"terminators": self.terminators, "any": self.any}


def as_terminator(terminator: Any = None, term_evals: int | None = None, term_time: float | None = None, default: Any = None) -> Terminator:
    """The terminator of ``tune()``: ``terminator``, the shortcuts combined with it, or ``default``.

    Examples
    --------
    >>> as_terminator(term_evals=3, term_time=60)
    <Terminator combo: terminators=[<Terminator evals: n_evals=3>, <Terminator run_time: secs=60>], any=True>
    """
    parts = []
    if terminator is not None:
        if not isinstance(terminator, Terminator):
            raise InvalidParameterError(f"terminator must be a trm(...), got {terminator!r}.")
        parts.append(terminator)
    if term_evals is not None:
        parts.append(TerminatorEvals(term_evals))
    if term_time is not None:
        parts.append(TerminatorRunTime(term_time))
    if not parts:
        if default is None:
            raise InvalidParameterError(
                "tune() needs to know when to stop: pass term_evals=..., term_time=... or terminator=trm(...)."
            )
        return default
    return parts[0] if len(parts) == 1 else TerminatorCombo(parts)


def trm(key: str, **kwargs: Any) -> Terminator:
    """Return a terminator: ``evals``, ``run_time``, ``stagnation``, ``perf_reached``, ``none`` or ``combo``.

    Examples
    --------
    >>> trm("run_time", secs=30)
    <Terminator run_time: secs=30>
    """
    return build(registry("terminator"), key, kwargs)


def trms() -> Any:
    """A DataFrame listing the terminators.

    Examples
    --------
    >>> "evals" in set(trms()["key"])
    True
    """
    from jupytorch.core.sugar import _listing

    return _listing("terminator", None)
