"""Performance measures: the ``Measure`` class, ``as_measures`` and the built-in measures.

A measure turns a Prediction (and, for some measures, the task, the trained learner or the
training rows) into one number; ``aggregate`` combines the numbers of several resampling
iterations (their mean by default, mlr3's macro aggregation). The built-in measures are listed
in the ``measure`` registry: ``msr("classif.ce")``, ``msr("classif.f1", average="macro")``,
``msrs()`` for the table. scikit-learn is imported only inside the functions that use it.

A measure that is undefined for a prediction (no observations, one class in the truth for an
AUC, a constant truth for R squared...) returns ``nan`` and issues a ``JupytorchWarning`` that
says why, so that one degenerate resampling iteration does not stop an experiment.
"""

from __future__ import annotations

import copy
import inspect
import math
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError, JupytorchWarning, add_note
from jupytorch.core.paramset import ParamSet
from jupytorch.core.summary import SummaryRepr

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner
    from jupytorch.core.prediction import Prediction
    from jupytorch.core.task import Task

__all__ = ["Measure", "Undefined", "as_measures", "make_measure", "BUILTIN_MEASURES"]

TASK_TYPES = ("classif", "regr")
PROPERTIES = ("requires_learner", "requires_task", "requires_train_set")
_FIELDS = ("id", "minimize", "label")
_CONTEXT = ("task", "learner", "train_set")
_TASK_WORDS = {"classif": "classification", "regr": "regression"}


class Undefined(Exception):  # noqa: N818 - a signal, not an error shown to users
    """Raise in a measure function when the value does not exist for this prediction.

    ``Measure.score`` then returns NaN and warns with the reason (``Undefined("the truth is constant")``).
    """


class Measure(SummaryRepr):
    """A performance measure.

    Parameters
    ----------
    id : str
        The measure id, also the column name in score tables (``"regr.rmse"``).
    task_type : {"classif", "regr"} or None
        The predictions it scores; None for measures that score any (``time_train``).
    fun : callable
        ``fun(prediction, **kw) -> float``. It receives the parameter values as keywords and
        those of ``task``, ``learner`` and ``train_set`` that its signature names. Where the
        value does not exist it raises :class:`Undefined` (the score becomes NaN with a warning).
    minimize : bool or None
        Whether lower values are better (None: neither, e.g. a score that is only reported).
    predict_type : {"response", "prob", "se"} or None
        What the prediction must hold; None when the measure does not read the prediction.
    range : tuple of float
        The lowest and highest possible values.
    properties : iterable of str
        ``requires_learner``, ``requires_task``, ``requires_train_set``.
    aggregator : callable
        Combines the scores of resampling iterations; default ``np.mean``.
    label : str
        A longer name shown in printers.
    param_set : ParamSet, optional
        The measure's parameters (``average`` for ``classif.f1``).

    Examples
    --------
    >>> import numpy as np
    >>> from jupytorch.core.prediction import PredictionRegr
    >>> max_error = Measure("regr.maxae", "regr", lambda p: float(np.max(np.abs(p.truth - p.response))),
    ...                     minimize=True, range=(0, np.inf), label="Maximum Absolute Error")
    >>> max_error.score(PredictionRegr([0, 1], truth=[1.0, 2.0], response=[1.5, 4.0]))
    2.0
    """

    def __init__(
        self,
        id: str,
        task_type: str | None,
        fun: Callable[..., float],
        minimize: bool | None,
        predict_type: str | None = "response",
        range: tuple[float, float] = (-math.inf, math.inf),  # noqa: A002 - mlr3's name
        properties: Iterable[str] = (),
        aggregator: Callable[[np.ndarray], float] | None = None,
        label: str = "",
        param_set: ParamSet | None = None,
    ):
        if not isinstance(id, str) or not id:
            raise InvalidParameterError(f"A measure id must be a non-empty string, got {id!r}.")
        if task_type is not None and task_type not in TASK_TYPES:
            raise InvalidParameterError(f"Measure {id!r}: task_type must be one of {TASK_TYPES} or None, got {task_type!r}.")
        if not callable(fun):
            raise InvalidParameterError(f"Measure {id!r}: fun must be callable, got {type(fun).__name__}.")
        properties = set(properties)
        unknown = properties - set(PROPERTIES)
        if unknown:
            raise InvalidParameterError(f"Measure {id!r}: unknown properties {sorted(unknown)}; valid: {list(PROPERTIES)}.")
        self.id = id
        self.task_type = task_type
        self.fun = fun
        self.minimize = minimize
        self.predict_type = predict_type
        self.range = (float(range[0]), float(range[1]))
        self.properties = properties
        self.aggregator = aggregator if aggregator is not None else np.mean
        self.label = label
        self.param_set = param_set if param_set is not None else ParamSet()
        self.param_set.owner = f"Measure {id!r}"

    # -- configuration -------------------------------------------------------------------------
    def configure(self, **values: Any) -> Measure:
        """Set parameter values and the fields ``id``, ``minimize``, ``label``; returns the measure.

        Examples
        --------
        >>> from jupytorch import msr
        >>> msr("classif.f1").configure(average="macro", id="f1_macro").id
        'f1_macro'
        """
        fields = {k: values.pop(k) for k in list(values) if k in _FIELDS}
        if values:
            self.param_set.set_values(**values)
        if "minimize" in fields and fields["minimize"] not in (True, False, None):
            raise InvalidParameterError(f"Measure {self.id!r}: minimize must be True, False or None, got {fields['minimize']!r}.")
        if "id" in fields and (not isinstance(fields["id"], str) or not fields["id"]):
            raise InvalidParameterError(f"Measure {self.id!r}: id must be a non-empty string, got {fields['id']!r}.")
        for key, value in fields.items():
            setattr(self, key, value)
        if "id" in fields:
            self.param_set.owner = f"Measure {self.id!r}"
        return self

    def clone(self) -> Measure:
        """Return an independent copy."""
        return copy.deepcopy(self)

    # -- scoring -------------------------------------------------------------------------------
    def score(self, prediction: Prediction, task: Task | None = None, learner: Learner | None = None,
              train_set: Sequence[int] | np.ndarray | None = None) -> float:
        """Score one prediction.

        Parameters
        ----------
        prediction : Prediction
        task, learner, train_set : optional
            Needed by measures with the properties ``requires_task``, ``requires_learner``,
            ``requires_train_set`` (``time_train`` reads ``learner.timings``).

        Returns
        -------
        float
            ``nan`` (with a warning saying why) where the measure is undefined.
        """
        from jupytorch.core.prediction import Prediction

        if not isinstance(prediction, Prediction):
            raise InvalidParameterError(f"Measure {self.id!r} scores a Prediction, got {type(prediction).__name__}.")
        self._check_prediction(prediction, learner)
        context = {"task": task, "learner": learner, "train_set": train_set}
        for name in _CONTEXT:
            if f"requires_{name}" in self.properties and context[name] is None:
                raise InvalidParameterError(
                    f"Measure {self.id!r} needs the {name}: prediction.score(msr({self.id!r}), {name}=...). "
                    "resample() and benchmark() results pass it themselves."
                )
        kwargs = self._param_values()
        accepted = _accepted_names(self.fun)
        kwargs.update({k: v for k, v in context.items() if accepted is None or k in accepted})
        if accepted is not None:
            kwargs = {k: v for k, v in kwargs.items() if k in accepted}
        try:
            if self.predict_type is not None and len(prediction) == 0:
                raise Undefined("the prediction has no observations")
            value = self.fun(prediction, **kwargs)
        except Undefined as reason:
            warnings.warn(f"Measure {self.id!r} is undefined here ({reason}); the score is NaN.", JupytorchWarning, stacklevel=2)
            return float("nan")
        except JupytorchError as error:
            add_note(error, f"This happened in Measure {self.id!r} during score().")
            raise
        return float(value)

    def _check_prediction(self, prediction: Prediction, learner: Learner | None = None) -> None:
        if self.task_type is not None and prediction.task_type != self.task_type:
            raise InvalidParameterError(
                f"Measure {self.id!r} is for {_TASK_WORDS[self.task_type]} predictions, got a {type(prediction).__name__}."
            )
        if self.predict_type in ("prob", "se") and self.predict_type not in prediction.predict_types:
            needs = "probabilities" if self.predict_type == "prob" else "standard errors"
            if learner is not None:
                raise InvalidParameterError(
                    f"Measure {self.id!r} needs predicted {needs}, but learner {learner.id!r} predicted only "
                    f"{prediction.predict_types}. Set learner.predict_type = {self.predict_type!r} (or "
                    f"predict_type={self.predict_type!r} in lrn()) and run it again."
                )
            raise InvalidParameterError(
                f"Measure {self.id!r} needs predicted {needs}, but the prediction holds only {prediction.predict_types}. "
                f"Set predict_type={self.predict_type!r} on the learner, e.g. lrn('classif.rpart', predict_type={self.predict_type!r})."
            )
        if self.predict_type is not None and len(prediction):
            truth = prediction._truth
            missing = int(np.sum(truth == None)) if truth.dtype == object else int(np.isnan(truth).sum())  # noqa: E711
            if missing:
                raise InvalidParameterError(
                    f"Measure {self.id!r}: {missing} of {len(prediction)} observations have no true target value "
                    "(a prediction of new data?); scoring needs the truth."
                )

    def _param_values(self) -> dict[str, Any]:
        return self.param_set.get_values(tune_tokens=False, with_defaults=True)

    def aggregate(self, scores: Sequence[float]) -> float:
        """Combine per-iteration scores (their mean by default).

        Examples
        --------
        >>> from jupytorch import msr
        >>> msr("regr.mse").aggregate([1.0, 2.0, 6.0])
        3.0
        """
        array = np.asarray(list(scores), dtype=float)
        if array.size == 0:
            return float("nan")
        return float(self.aggregator(array))

    # -- display -------------------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        lo, hi = self.range
        values = self.param_set.values
        params = ", ".join(f"{k}={v!r}" for k, v in values.items()) or "-"
        return [
            f"* Task type: {self.task_type or 'any'}",
            f"* Range: [{lo:g}, {hi:g}]",
            f"* Minimize: {self.minimize}",
            f"* Predict type: {self.predict_type or '-'}",
            f"* Parameters: {params}",
            f"* Properties: {', '.join(sorted(self.properties)) or '-'}",
        ]

    _html_class = "jt-measure"

    def _summary_head(self) -> tuple[str, str]:
        return f"Measure:{self.id}", f": {self.label}" if self.label else ""


def _accepted_names(fun: Callable[..., Any]) -> set[str] | None:
    """Keyword names ``fun`` accepts besides the prediction; None when it takes ``**kwargs``."""
    try:
        parameters = list(inspect.signature(fun).parameters.values())
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters[1:]}


def as_measures(x: str | Measure | Sequence[str | Measure] | None, task_type: str | None = None) -> list[Measure]:
    """Turn ``x`` into a list of measures.

    Parameters
    ----------
    x : None, str, Measure, or a list of str / Measure
        None gives the default measure of ``task_type`` (``classif.ce`` or ``regr.mse``); a string
        is a key of the measure registry.
    task_type : {"classif", "regr"}, optional
        Checked against each measure's task type.

    Examples
    --------
    >>> [m.id for m in as_measures(["regr.mse", "regr.mae"], task_type="regr")]
    ['regr.mse', 'regr.mae']
    >>> as_measures(None, "classif")[0].id
    'classif.ce'
    """
    if x is None:
        if task_type not in TASK_TYPES:
            raise InvalidParameterError(f"No default measure for task type {task_type!r}; name one, e.g. msr('regr.mse').")
        x = "classif.ce" if task_type == "classif" else "regr.mse"
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    if not items:
        raise InvalidParameterError("The list of measures is empty; give at least one, e.g. msr('regr.mse').")
    out = []
    for item in items:
        if isinstance(item, str):
            from jupytorch.core.sugar import msr

            item = msr(item)
        if not isinstance(item, Measure):
            raise InvalidParameterError(
                f"Expected a Measure or a measure key such as 'regr.mse', got {type(item).__name__} {item!r}."
            )
        if task_type is not None and item.task_type is not None and item.task_type != task_type:
            raise InvalidParameterError(
                f"Measure {item.id!r} is for {_TASK_WORDS[item.task_type]}, not {_TASK_WORDS.get(task_type, task_type)} "
                f"({task_type!r}) predictions."
            )
        out.append(item)
    ids = [m.id for m in out]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InvalidParameterError(
            f"Measures need distinct ids, but {duplicated} appear more than once; give them ids, e.g. "
            f"msr({duplicated[0]!r}, id={duplicated[0] + '.2'!r})."
        )
    return out


# -- the built-in measures -----------------------------------------------------------------------
def make_measure(key: str, **kwargs: Any) -> Measure:
    """Build the built-in measure ``key``; keyword arguments set its parameters and fields.

    Examples
    --------
    >>> make_measure("classif.f1", average="macro").param_set.values
    {'average': 'macro'}
    """
    from jupytorch.core import _measures_builtin as builtin

    if key not in builtin.SPECS:
        from jupytorch.core.exceptions import UnknownKeyError, did_you_mean

        raise UnknownKeyError(f"Unknown built-in measure {key!r}.{did_you_mean(key, builtin.SPECS)}")
    spec = dict(builtin.SPECS[key])
    params = spec.pop("params", {})
    measure = Measure(key, param_set=ParamSet({pid: copy.deepcopy(p) for pid, p in params.items()}), **spec)
    return measure.configure(**kwargs) if kwargs else measure


class _Factory:
    """A registry factory for one built-in measure (picklable, keyword arguments only)."""

    def __init__(self, key: str):
        self.key = key

    def __call__(self, **kwargs: Any) -> Measure:
        return make_measure(self.key, **kwargs)

    def __repr__(self) -> str:
        return f"<measure factory {self.key!r}>"


BUILTIN_MEASURES = (
    "classif.ce", "classif.acc", "classif.bacc", "classif.auc", "classif.logloss", "classif.brier",
    "classif.bbrier", "classif.mbrier", "classif.f1", "classif.precision", "classif.recall",
    "regr.mse", "regr.rmse", "regr.mae", "regr.rsq", "regr.mape",
    "time_train", "time_predict", "time_both", "internal_valid_score",
)  # fmt: skip

classif_ce = _Factory("classif.ce")
classif_acc = _Factory("classif.acc")
classif_bacc = _Factory("classif.bacc")
classif_auc = _Factory("classif.auc")
classif_logloss = _Factory("classif.logloss")
classif_brier = _Factory("classif.brier")
classif_bbrier = _Factory("classif.bbrier")
classif_mbrier = _Factory("classif.mbrier")
classif_f1 = _Factory("classif.f1")
classif_precision = _Factory("classif.precision")
classif_recall = _Factory("classif.recall")
regr_mse = _Factory("regr.mse")
regr_rmse = _Factory("regr.rmse")
regr_mae = _Factory("regr.mae")
regr_rsq = _Factory("regr.rsq")
regr_mape = _Factory("regr.mape")
time_train = _Factory("time_train")
time_predict = _Factory("time_predict")
time_both = _Factory("time_both")
internal_valid_score = _Factory("internal_valid_score")
