"""Sugar functions: ``tsk``, ``tsks``, ``lrn``, ``lrns``, ``msr``, ``msrs``, ``rsmp``, ``rsmps``."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, overload

import pandas as pd

from jupytorch.core.registry import Registry, registry

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner
    from jupytorch.core.measure import Measure
    from jupytorch.core.resampling import Resampling
    from jupytorch.core.task import Task

__all__ = ["tsk", "tsks", "lrn", "lrns", "msr", "msrs", "rsmp", "rsmps", "build"]


def build(reg: Registry, key: str, kwargs: dict[str, Any]) -> Any:
    """Build ``key`` from ``reg``: keyword arguments the factory's signature names go to it,
    the others are set on the object with ``configure`` (parameter values and fields).
    """
    factory = reg.factory(key)
    try:
        signature = inspect.signature(factory)
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        names = set(signature.parameters)
    except (TypeError, ValueError):
        accepts_any, names = True, set()
    if accepts_any:
        return factory(**kwargs)
    ctor = {k: v for k, v in kwargs.items() if k in names}
    rest = {k: v for k, v in kwargs.items() if k not in names}
    obj = factory(**ctor)
    if rest:
        configure = getattr(obj, "configure", None)
        if configure is None:
            obj.param_set.set_values(**rest)
        else:
            configure(**rest)
    return obj


def _listing(kind: str, keys: Iterable[str] | None, **kwargs: Any) -> pd.DataFrame | list[Any]:
    reg = registry(kind)
    if keys is None:
        rows = [{"key": key, **reg.meta(key)} for key in reg.keys()]
        return pd.DataFrame(rows)
    return [build(reg, key, dict(kwargs)) for key in keys]


def tsk(key: str, **kwargs: Any) -> Task:
    """Return a task from the catalogue.

    Examples
    --------
    >>> tsk("mtcars").nrow
    32
    """
    return build(registry("task"), key, kwargs)


@overload
def tsks(keys: None = None) -> pd.DataFrame: ...
@overload
def tsks(keys: Iterable[str]) -> list[Task]: ...
def tsks(keys: Iterable[str] | None = None) -> pd.DataFrame | list[Task]:
    """Return several tasks, or with no keys a DataFrame listing the catalogue.

    Examples
    --------
    >>> "mtcars" in set(tsks()["key"])
    True
    """
    return _listing("task", keys)


def lrn(key: str, **kwargs: Any) -> Learner:
    """Return a learner; keyword arguments set its parameters and fields (``predict_type``).

    Examples
    --------
    >>> lrn("regr.rpart", maxdepth=3).param_set.values
    {'maxdepth': 3}
    """
    return build(registry("learner"), key, kwargs)


@overload
def lrns(keys: None = None, **kwargs: Any) -> pd.DataFrame: ...
@overload
def lrns(keys: Iterable[str], **kwargs: Any) -> list[Learner]: ...
def lrns(keys: Iterable[str] | None = None, **kwargs: Any) -> pd.DataFrame | list[Learner]:
    """Return several learners (same keyword arguments for each), or a DataFrame listing them.

    Examples
    --------
    >>> [learner.id for learner in lrns(["regr.rpart", "regr.lm"])]
    ['regr.rpart', 'regr.lm']
    """
    return _listing("learner", keys, **kwargs)


def msr(key: str, **kwargs: Any) -> Measure:
    """Return a performance measure.

    Examples
    --------
    >>> msr("regr.rmse").minimize
    True
    """
    return build(registry("measure"), key, kwargs)


@overload
def msrs(keys: None = None) -> pd.DataFrame: ...
@overload
def msrs(keys: Iterable[str]) -> list[Measure]: ...
def msrs(keys: Iterable[str] | None = None) -> pd.DataFrame | list[Measure]:
    """Return several measures, or a DataFrame listing them.

    Examples
    --------
    >>> [measure.id for measure in msrs(["regr.mse", "regr.mae"])]
    ['regr.mse', 'regr.mae']
    """
    return _listing("measure", keys)


def rsmp(key: str, **kwargs: Any) -> Resampling:
    """Return a resampling strategy; keyword arguments set its parameters.

    Examples
    --------
    >>> rsmp("cv", folds=3).param_set.values["folds"]
    3
    """
    return build(registry("resampling"), key, kwargs)


@overload
def rsmps(keys: None = None, **kwargs: Any) -> pd.DataFrame: ...
@overload
def rsmps(keys: Iterable[str], **kwargs: Any) -> list[Resampling]: ...
def rsmps(keys: Iterable[str] | None = None, **kwargs: Any) -> pd.DataFrame | list[Resampling]:
    """Return several resamplings, or a DataFrame listing them.

    Examples
    --------
    >>> [resampling.id for resampling in rsmps(["cv", "holdout"])]
    ['cv', 'holdout']
    """
    return _listing("resampling", keys, **kwargs)
