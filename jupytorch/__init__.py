"""jupytorch: mlr3torch for Python and Jupyter.

Tasks, learners, resampling and benchmarks (mlr3); pipelines of PipeOps joined with ``>>``
(mlr3pipelines); torch networks built from graphs, lazy tensors and callbacks (mlr3torch);
tuning with Optuna (mlr3tuning); and notebook widgets on top.

``import jupytorch as jt`` is light: each public name is imported on first use, so torch,
scikit-learn, optuna, plotly and IPython load only when something needs them.

Examples
--------
>>> import jupytorch as jt
>>> task = jt.tsk("mtcars")
>>> learner = jt.lrn("regr.rpart")
>>> split = jt.partition(task, ratio=2/3, seed=42)
>>> _ = learner.train(task, split.train)
>>> rmse = learner.predict(task, split.test).score(jt.msr("regr.rmse"))
"""

from __future__ import annotations

from typing import Any

from jupytorch import _catalog
from jupytorch.core.imports import import_string as _import_string

__version__ = "0.1.0.dev0"

_EXPORTS: dict[str, str] = _catalog.exports()
_catalog.register_all()

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        from jupytorch.core.exceptions import did_you_mean

        raise AttributeError(f"module 'jupytorch' has no attribute {name!r}.{did_you_mean(name, _EXPORTS)}")
    value = _import_string(target)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


def load_ipython_extension(ipython: Any) -> None:
    """Called by ``%load_ext jupytorch``: registers the ``%%learner`` and ``%jupytorch`` magics."""
    from jupytorch.notebook.magics import load_ipython_extension as _load

    _load(ipython)
