"""``auto_tuner()``: a Learner that tunes itself in ``train()`` and then fits the best configuration.

Inside ``resample`` or ``benchmark`` this is nested resampling: every outer training set is tuned
on its own (inner) resampling, and the outer test set scores the tuned learner.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.learner import Learner
from jupytorch.core.paramset import ParamSet

__all__ = ["AutoTuner", "auto_tuner"]


class AutoTuner(Learner):
    """A learner that tunes ``learner`` on the training data, then trains the best configuration on all of it.

    Parameters
    ----------
    tuner, learner, resampling, measure, terminator, term_evals, term_time, pruner, n_jobs, seed
        As for :func:`jupytorch.tune` (``learner`` carries the ``to_tune()`` tokens).
    id : str, optional
        Default: ``"<learner id>.tuned"``.

    Notes
    -----
    After training, ``at.model`` is a dict with ``"learner"`` (the final trained learner) and
    ``"tuning_instance"`` (the :class:`TuningInstance`); ``at.tuning_instance`` is a shortcut.

    Examples
    --------
    >>> import jupytorch as jt
    >>> at = jt.auto_tuner(jt.tnr("random_search", seed=1), jt.lrn("regr.rpart", maxdepth=jt.to_tune(1, 4)),
    ...                    jt.rsmp("holdout"), jt.msr("regr.rmse"), term_evals=2, seed=1)
    >>> rr = jt.resample(jt.tsk("mtcars"), at, jt.rsmp("cv", folds=2), seed=1)
    >>> rr.iters
    2
    """

    def __init__(self, tuner: Any, learner: Any, resampling: Any, measure: Any = None, *, terminator: Any = None,
                 term_evals: int | None = None, term_time: float | None = None, pruner: Any = None,
                 n_jobs: int | None = 1, seed: int | None = None, id: str | None = None):
        from jupytorch.tuning.terminators import as_terminator

        if not isinstance(learner, Learner):
            raise InvalidParameterError(f"auto_tuner() needs a Learner with to_tune() tokens, got {type(learner).__name__}.")
        as_terminator(terminator, term_evals, term_time, tuner.default_terminator())  # fail now, not in train()
        super().__init__(id or f"{learner.id}.tuned", learner.task_type, param_set=ParamSet(),
                         predict_types=learner.predict_types, feature_types=learner.feature_types,
                         properties=set(learner.properties) - {"validation", "internal_tuning"},
                         packages=learner.packages, label=f"{learner.label or learner.id}, tuned")
        self.learner = learner.clone().reset()
        self.tuner = tuner
        self.resampling = resampling
        self.measure = measure
        self.tune_args = {"terminator": terminator, "term_evals": term_evals, "term_time": term_time,
                          "pruner": pruner, "n_jobs": n_jobs, "seed": seed}

    @property
    def predict_type(self) -> str:  # type: ignore[override]
        """Passed on to the wrapped learner."""
        return self.learner.predict_type

    @predict_type.setter
    def predict_type(self, value: str) -> None:
        if hasattr(self, "learner"):
            self.learner.predict_type = value

    @property
    def tuning_instance(self) -> Any:
        """The TuningInstance of the last ``train()``."""
        return self.model["tuning_instance"]

    def _train(self, task: Any, param_values: dict[str, Any]) -> Any:
        from jupytorch.tuning.tune import tune

        ti = tune(self.tuner, task, self.learner, self.resampling, self.measure, **self.tune_args)
        final = ti.tuned_learner()
        final.train(task)
        return {"learner": final, "tuning_instance": ti}

    def _predict(self, task: Any, param_values: dict[str, Any]) -> dict[str, Any]:
        prediction = self.model["learner"].predict(task)
        out = {"response": np.asarray(prediction.response)}
        prob = getattr(prediction, "prob", None)
        if prob is not None:
            out["prob"] = np.asarray(prob)
        se = getattr(prediction, "se", None)
        if se is not None:
            out["se"] = np.asarray(se)
        return out


def auto_tuner(tuner: Any, learner: Any, resampling: Any, measure: Any = None, **kwargs: Any) -> AutoTuner:
    """Return an :class:`AutoTuner`: a learner that tunes in ``train()``.

    Examples
    --------
    >>> import jupytorch as jt
    >>> at = jt.auto_tuner(jt.tnr("tpe"), jt.lrn("regr.rpart", cp=jt.to_tune(0.001, 0.1)), jt.rsmp("cv", folds=3),
    ...                    jt.msr("regr.rmse"), term_evals=20)
    >>> at.id
    'regr.rpart.tuned'
    """
    return AutoTuner(tuner, learner, resampling, measure, **kwargs)
