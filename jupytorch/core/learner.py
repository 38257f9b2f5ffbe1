"""The Learner base class: train on a Task, predict a Prediction.

A concrete learner declares its ``param_set`` and overrides two hooks:
``_train(task, param_values) -> model`` and ``_predict(task, param_values) -> dict`` with
``response`` and/or ``prob`` arrays. The base class checks the task, times the work, keeps the
state, builds the Prediction and adds the learner id and phase to errors. Learners also follow
scikit-learn's conventions (``get_params``, ``set_params``, ``sklearn.base.clone``) and
``to_sklearn()`` makes one usable inside ``cross_val_score`` and ``Pipeline``.
"""

from __future__ import annotations

import copy
import time
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jupytorch.core.column_facts import column_facts
from jupytorch.core.exceptions import (
    InvalidParameterError,
    JupytorchError,
    NotTrainedError,
    TaskError,
    add_note,
    did_you_mean,
)
from jupytorch.core.paramset import ParamSet
from jupytorch.core.prediction import Prediction, PredictionClassif, PredictionRegr
from jupytorch.core.registry import registry
from jupytorch.core.summary import SummaryRepr
from jupytorch.core.task import FEATURE_TYPES, Task, column_type

if TYPE_CHECKING:
    from jupytorch.core.sklearn_adapter import SklearnAdapter
    from jupytorch.core.task import RowIds

__all__ = ["Learner", "load"]

_FIELDS = ("predict_type", "validate", "id")


class Learner(SummaryRepr):
    """Base class of all learners.

    Parameters
    ----------
    id : str
        The learner id, e.g. ``"regr.rpart"``.
    task_type : {"classif", "regr"}
    param_set : ParamSet, optional
    predict_types : sequence of str
        The first one is the default ``predict_type``.
    feature_types : sequence of str
        Feature types the learner accepts.
    properties : iterable of str
        Capabilities: ``missings``, ``twoclass``, ``multiclass``, ``weights``, ``importance``,
        ``validation``, ``internal_tuning``, ``marshal``, ``featureless``.
    packages : iterable of str
        Packages it relies on (shown in the printer).
    label : str
        A longer name.

    Examples
    --------
    A learner that predicts the median of the target:

    >>> import numpy as np
    >>> from jupytorch import tsk
    >>> class LearnerRegrMedian(Learner):
    ...     def __init__(self):
    ...         super().__init__("regr.median", "regr")
    ...     def _train(self, task, param_values):
    ...         return float(np.median(task.truth()))
    ...     def _predict(self, task, param_values):
    ...         return {"response": np.full(task.nrow, self.model)}
    >>> LearnerRegrMedian().train(tsk("mtcars")).predict(tsk("mtcars")).response.iloc[0]
    np.float64(19.2)
    """

    def __init__(
        self,
        id: str,
        task_type: str,
        param_set: ParamSet | None = None,
        predict_types: Iterable[str] = ("response",),
        feature_types: Iterable[str] = FEATURE_TYPES,
        properties: Iterable[str] = (),
        packages: Iterable[str] = (),
        label: str = "",
    ):
        self.id = id
        self.task_type = task_type
        self.param_set = param_set if param_set is not None else ParamSet()
        self.param_set.owner = f"Learner {id!r}"
        self.predict_types = list(predict_types)
        self._predict_type = self.predict_types[0]
        self.feature_types = list(feature_types)
        self.properties = set(properties)
        self.packages = list(packages)
        self.label = label
        self.state: dict[str, Any] | None = None
        self.validate: Any = None
        self.encapsulation = "none"
        self.fallback: Learner | None = None

    # -- fields ----------------------------------------------------------------------------------
    @property
    def predict_type(self) -> str:
        """What ``predict`` returns: ``response``, or also ``prob`` (classification)."""
        return self._predict_type

    @predict_type.setter
    def predict_type(self, value: str) -> None:
        if value not in self.predict_types:
            raise InvalidParameterError(
                f"Learner {self.id!r}: predict_type {value!r} is not supported; choose one of {self.predict_types}."
            )
        self._predict_type = value

    @property
    def is_trained(self) -> bool:
        """Whether ``train`` has run successfully."""
        return self.state is not None

    @property
    def model(self) -> Any:
        """The fitted model (learner specific); raises if the learner is not trained."""
        if self.state is None:
            raise NotTrainedError(f"Learner {self.id!r} has not been trained yet; call learner.train(task) first.")
        return self.state["model"]

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent in the last ``train`` and ``predict``."""
        state = self.state or {}
        return {"train": state.get("train_time", float("nan")), "predict": state.get("predict_time", float("nan"))}

    @property
    def log(self) -> list[dict[str, str]]:
        """Warnings and (encapsulated) errors recorded during train and predict."""
        return list((self.state or {}).get("log", []))

    def configure(self, **values: Any) -> Learner:
        """Set parameter values and fields (``predict_type``, ``validate``) in one call; returns self.

        Examples
        --------
        >>> from jupytorch import lrn
        >>> lrn("classif.rpart").configure(predict_type="prob", maxdepth=3).predict_type
        'prob'
        """
        fields = {k: values.pop(k) for k in list(values) if k in _FIELDS}
        if values:
            self.param_set.set_values(**values)
        for key, value in fields.items():
            setattr(self, key, value)
        return self

    def encapsulate(self, method: str = "try", fallback: Learner | None = None) -> Learner:
        """Catch errors in train/predict (``method="try"``) and predict with ``fallback`` instead.

        Used by ``resample`` and ``benchmark`` so that one failing iteration loses nothing else:
        the error is recorded in ``learner.log`` and the fallback's predictions are used.
        """
        if method not in ("none", "try"):
            raise InvalidParameterError(f"Learner {self.id!r}: encapsulation method must be 'none' or 'try', got {method!r}.")
        if fallback is not None and fallback.task_type != self.task_type:
            raise InvalidParameterError(
                f"Learner {self.id!r}: fallback {fallback.id!r} is for {fallback.task_type!r} tasks, not {self.task_type!r}."
            )
        self.encapsulation = method
        self.fallback = fallback
        return self

    # -- train / predict -----------------------------------------------------------------------
    def train(self, task: Task, row_ids: RowIds | None = None) -> Learner:
        """Train on ``task`` (optionally only on ``row_ids``); returns the learner.

        Examples
        --------
        >>> from jupytorch import tsk, lrn
        >>> learner = lrn("regr.rpart").train(tsk("mtcars"), row_ids=range(20))
        >>> learner.is_trained
        True
        """
        if not isinstance(task, Task):
            self._check_task(task, "train")  # raises: not a task
        if row_ids is not None:
            task = task.clone().filter(row_ids)
        log: list[dict[str, str]] = []
        values: dict[str, Any] = {}
        start = time.perf_counter()
        try:  # with encapsulation, errors of the checks too are recorded and the fallback answers
            self._check_task(task, "train")
            values = self.param_set.get_values(check_required=True, tune_tokens=False, with_defaults=True)
            if task.nrow == 0:
                raise TaskError(f"Learner {self.id!r}: cannot train on task {task.id!r} with 0 rows.")
            self._check_feature_values(task)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model = self._train(task, values)
            log.extend({"stage": "train", "class": "warning", "msg": str(w.message)} for w in caught)
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        except Exception as error:
            if self.encapsulation == "try":
                log.append({"stage": "train", "class": "error", "msg": f"{type(error).__name__}: {error}"})
                self._train_fallback(task, log, start)
                return self
            kept = getattr(error, "partial_model", None)  # e.g. a network's last finite weights and history
            self.state = None if kept is None else self._make_state(task, kept, values, log, time.perf_counter() - start)
            add_note(error, f"This happened in Learner {self.id!r} during train() on task {task.id!r}.")
            raise
        self.state = self._make_state(task, model, values, log, time.perf_counter() - start)
        if self.encapsulation == "try" and self.fallback is not None:
            # trained alongside, so that a failure in predict can still be answered
            self.state["fallback"] = self._trained_fallback(task, log)
        return self

    def _trained_fallback(self, task: Task, log: list[dict[str, str]]) -> Learner | None:
        """The fallback trained on ``task`` (the one fallback path); None, with the error logged, if it fails."""
        fallback = self.fallback.clone()  # type: ignore[union-attr]
        if self.predict_type in fallback.predict_types:
            fallback.predict_type = self.predict_type
        try:
            return fallback.train(task)
        except Exception as error:  # noqa: BLE001 - recorded; predictions then fail as without a fallback
            log.append({"stage": "fallback", "class": "error", "msg": f"{type(error).__name__}: {error}"})
            return None

    def _make_state(self, task: Task, model: Any, values: dict[str, Any], log: list[dict[str, str]], seconds: float) -> dict[str, Any]:
        return {
            "model": model,
            "train_time": seconds,
            "param_vals": values,
            "task_id": task.id,
            "feature_names": task.feature_names,
            "feature_types": {name: task._col_types[name] for name in task.feature_names},
            "class_names": getattr(task, "class_names", None),
            "positive": getattr(task, "positive", None),
            "n_train": task.nrow,
            "log": log,
        }

    def _train_fallback(self, task: Task, log: list[dict[str, str]], start: float) -> None:
        self.state = self._make_state(task, None, {}, log, time.perf_counter() - start)
        self.state["failed"] = True
        if self.fallback is not None:
            self.state["fallback"] = self._trained_fallback(task, log)

    def predict(self, task: Task, row_ids: RowIds | None = None) -> Prediction:
        """Predict the rows of ``task`` (optionally only ``row_ids``); returns a Prediction.

        The task must hold the features the learner was trained on (other columns are ignored).
        """
        state = self._check_trained()
        self._check_task(task, "predict")
        if row_ids is not None:
            task = task.clone().filter(row_ids)
        task = self._align_features(task, state)
        start = time.perf_counter()
        if state.get("failed"):
            prediction = self._predict_with_fallback(task, state)
        else:
            try:
                values = self.param_set.get_values(tune_tokens=False, with_defaults=True)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    raw = self._predict(task, values)
                state["log"].extend({"stage": "predict", "class": "warning", "msg": str(w.message)} for w in caught)
                for w in caught:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
                prediction = self._as_prediction(task, raw, state)
            except Exception as error:
                if self.encapsulation != "try":
                    add_note(error, f"This happened in Learner {self.id!r} during predict() on task {task.id!r}.")
                    raise
                state["log"].append({"stage": "predict", "class": "error", "msg": f"{type(error).__name__}: {error}"})
                if state.get("fallback") is None:
                    raise
                prediction = state["fallback"].predict(task)
        state["predict_time"] = time.perf_counter() - start
        return prediction

    def predict_newdata(self, data: Any) -> Prediction:
        """Predict rows of a DataFrame that holds the training features (the target may be absent)."""
        import pandas as pd

        state = self._check_trained()
        frame = pd.DataFrame(data).reset_index(drop=True)
        missing = [c for c in state["feature_names"] if c not in frame.columns]
        if missing:
            raise TaskError(f"Learner {self.id!r}: newdata lacks the feature column(s) {missing}.")
        task = _newdata_task(self, frame, state)
        return self.predict(task)

    def _predict_with_fallback(self, task: Task, state: dict[str, Any]) -> Prediction:
        fallback = state.get("fallback")
        if fallback is None:
            raise JupytorchError(
                f"Learner {self.id!r} failed in train and has no fallback learner; its error: {state['log'][-1]['msg']}. "
                "Set one with learner.encapsulate('try', fallback=lrn('...featureless'))."
            )
        return fallback.predict(task)

    def _as_prediction(self, task: Task, raw: dict[str, Any], state: dict[str, Any]) -> Prediction:
        row_ids = task.row_ids
        truth_values = task._column_values(task.target_names[0])
        if self.task_type == "classif":
            prob = raw.get("prob") if self.predict_type == "prob" else None
            if self.predict_type == "prob" and prob is None:
                raise JupytorchError(f"Learner {self.id!r} did not return probabilities for predict_type='prob'.")
            return PredictionClassif(row_ids, truth_values, state["class_names"], response=raw.get("response"), prob=prob)
        return PredictionRegr(row_ids, truth_values, raw["response"], se=raw.get("se"))

    # -- hooks for subclasses ------------------------------------------------------------------
    def _train(self, task: Task, param_values: dict[str, Any]) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not implement _train().")

    def _predict(self, task: Task, param_values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} does not implement _predict().")

    # -- checks --------------------------------------------------------------------------------
    def _check_trained(self) -> dict[str, Any]:
        if self.state is None:
            raise NotTrainedError(f"Learner {self.id!r} has not been trained yet; call learner.train(task) first.")
        return self.state

    def _check_task(self, task: Task, phase: str) -> None:
        if not isinstance(task, Task):
            raise TaskError(f"Learner {self.id!r}: {phase}() needs a Task, got {type(task).__name__}; see jt.as_task_classif / as_task_regr.")
        if task.task_type != self.task_type:
            raise TaskError(
                f"Learner {self.id!r} is for {self.task_type!r} tasks, but task {task.id!r} is a {task.task_type!r} task."
            )
        if phase == "train":
            supported, types = set(self.feature_types), task._col_types  # plain dicts: this runs on every train
            bad = {name: types[name] for name in task.feature_names if types[name] not in supported}
            if bad:
                listing = ", ".join(f"{name} ({ftype})" for name, ftype in bad.items())
                raise TaskError(
                    f"Learner {self.id!r} does not support the feature type(s) of {listing} in task {task.id!r}; "
                    f"it supports {self.feature_types}. Convert them first, e.g. po('encode') >> learner."
                )
            if self.task_type == "classif":
                kind = "twoclass" if len(task.class_names) == 2 else "multiclass"  # type: ignore[attr-defined]
                if self.properties & {"twoclass", "multiclass"} and kind not in self.properties:
                    raise TaskError(f"Learner {self.id!r} does not support {kind} tasks like {task.id!r}.")

    def _check_feature_values(self, task: Task) -> None:
        """Refuse missing values (unless the learner handles them) and infinite values, naming the columns."""
        read = self._features_read(task)
        if not read:
            return
        # Only the columns that hold NaN or inf somewhere in the whole frame need a look at the rows.
        facts = column_facts(task._data, read)
        suspects = set(facts.with_inf(read)) | (set() if "missings" in self.properties else set(facts.with_nan(read)))
        if not suspects:
            return
        frame = task.data(cols=[c for c in read if c in suspects])
        if "missings" not in self.properties:
            self._refuse_values(task, frame.isna().sum(), "cannot handle missing values (NaN)",
                                "Impute first, e.g. po('imputehist') >> learner.")
        floats = frame.select_dtypes(include="floating")
        if floats.shape[1]:
            counts = pd.Series(np.isinf(floats.to_numpy(dtype=np.float64)).sum(axis=0), index=floats.columns)
            self._refuse_values(task, counts, "cannot use infinite values (inf)",
                                "Replace them first, e.g. with NaN and then po('imputehist') >> learner, or clip them.")

    def _refuse_values(self, task: Task, counts: pd.Series | Mapping[str, int], problem: str, advice: str) -> None:
        """Raise a TaskError when a column has a nonzero count: the learner ``problem`` (``"cannot use infinite
        values (inf)"``), the columns of ``task`` with their counts, and ``advice``.
        """
        listing = ", ".join(f"{c} ({n})" for c, n in counts.items() if n > 0)
        if listing:
            raise TaskError(f"Learner {self.id!r} {problem}, but task {task.id!r} has them in {listing}. {advice}")

    def _features_read(self, task: Task) -> list[str]:
        """The features ``train`` will read from ``task`` (all of them, unless a learner knows better)."""
        return task.feature_names

    def _align_features(self, task: Task, state: dict[str, Any]) -> Task:
        wanted = state["feature_names"]
        if task.feature_names == wanted:
            return task
        missing = [c for c in wanted if c not in task._data.columns]
        if missing:
            raise TaskError(
                f"Learner {self.id!r} was trained with feature(s) {missing} that task {task.id!r} lacks."
                + did_you_mean(missing[0], task.feature_names)
            )
        task = task.clone()
        task._col_roles["feature"] = list(wanted)
        for col in wanted:
            if col not in task._col_types:
                task._col_types[col] = column_type(task._data[col])
        return task

    # -- copying, resetting, scikit-learn conventions -----------------------------------------
    def clone(self, deep: bool = True) -> Learner:
        """Return a copy (with its state, if trained); ``deep=False`` shares the parameter objects."""
        return copy.deepcopy(self) if deep else copy.copy(self)

    def reset(self) -> Learner:
        """Forget the trained state; returns the learner."""
        self.state = None
        return self

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the parameter values (scikit-learn convention); nested ids use ``__``."""
        params = dict(self.param_set.values)
        params["predict_type"] = self.predict_type
        return params

    def set_params(self, **params: Any) -> Learner:
        """Set parameter values (scikit-learn convention); returns the learner."""
        return self.configure(**params)

    def __sklearn_clone__(self) -> Learner:
        return self.clone().reset()

    def to_sklearn(self) -> SklearnAdapter:
        """Wrap the learner as a scikit-learn estimator (``fit(X, y)``, ``predict``, ``predict_proba``).

        Examples
        --------
        >>> from sklearn.model_selection import cross_val_score
        >>> from sklearn.datasets import load_iris
        >>> from jupytorch import lrn
        >>> X, y = load_iris(return_X_y=True, as_frame=True)
        >>> scores = cross_val_score(lrn("classif.rpart").to_sklearn(), X, y, cv=3)
        >>> len(scores)
        3
        """
        from jupytorch.core.sklearn_adapter import SklearnAdapter

        return SklearnAdapter(self)

    # -- joining into pipelines ----------------------------------------------------------------
    # The pipelines layer registers ``>>`` (registry("operator")[">>"]), so core imports nothing above it.
    def __rshift__(self, other: Any) -> Any:
        """``learner >> op`` builds a Graph (the learner becomes a PipeOpLearner)."""
        return _join(self, other)

    def __rrshift__(self, other: Any) -> Any:
        """``op >> learner`` and ``[op_a, op_b] >> learner`` build a Graph."""
        return _join(other, self)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the learner (with its trained state) to ``path``; load it with ``jt.load``.

        Learners made of scikit-learn estimators and jupytorch objects (GraphLearners included)
        are written with ``skops.io`` and load without ``trusted=True``; a learner that holds
        other code (a user class, a function) is pickled, and ``jt.load`` then asks for
        ``trusted=True``. Torch learners store weights as tensors.

        Examples
        --------
        >>> import jupytorch as jt, tempfile, os
        >>> path = jt.lrn("regr.rpart").train(jt.tsk("mtcars")).save(os.path.join(tempfile.mkdtemp(), "tree.jt"))
        >>> jt.load(path).model.get_depth() > 0
        True
        """
        from jupytorch.core.persistence import save_learner

        return save_learner(self, path)

    # -- display -------------------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        values = self.param_set.values
        shown = ", ".join(f"{k}={_short(v)}" for k, v in values.items()) or "-"
        model = "-" if self.state is None else type(self.state.get("model")).__name__
        predict_types = ", ".join(f"[{t}]" if t == self.predict_type else t for t in self.predict_types)
        return [
            f"* Model: {model}",
            f"* Parameters: {shown}",
            f"* Packages: {', '.join(self.packages) or '-'}",
            f"* Predict Types: {predict_types}",
            f"* Feature Types: {', '.join(self.feature_types)}",
            f"* Properties: {', '.join(sorted(self.properties)) or '-'}",
        ]

    _html_class = "jt-learner"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any] | tuple[dict, dict] | None:
        """In a notebook kernel: the graph inspector widget (``jupytorch.core.display``); else None."""
        from jupytorch.core.display import rich_mimebundle

        return rich_mimebundle(self, include, exclude)



def _short(value: Any) -> str:
    text = value.__name__ if isinstance(value, type) else repr(value).split("\n", 1)[0]
    return text if len(text) <= 40 else text[:37] + "..."


def _newdata_task(learner: Learner, frame: pd.DataFrame, state: dict[str, Any]) -> Task:
    from jupytorch.core.task import unlabelled_task

    return unlabelled_task(learner.task_type, frame, state["feature_names"], state["class_names"])


def load(path: str | Path, *, trusted: bool = False) -> Learner:
    """Load a learner saved with ``learner.save(path)``.

    Parameters
    ----------
    path : str or Path
    trusted : bool
        Loading never runs code from the file unless you pass ``trusted=True``. Built-in
        learners (scikit-learn backed, torch, GraphLearners of built-in PipeOps) load without it;
        a file that was pickled (it holds your own classes or functions) or that names code
        outside torch, scikit-learn and jupytorch needs it. Pass it only for files you made or
        whose source you trust. See docs/saving.md for the security model.

    Raises
    ------
    jupytorch.core.exceptions.LoadError
        The file is damaged, truncated, from a newer jupytorch, or needs ``trusted=True``
        (the message names the file and what it refers to).

    Examples
    --------
    >>> import jupytorch as jt
    >>> path = jt.lrn("regr.rpart").train(jt.tsk("mtcars")).save("rpart.jt")
    >>> jt.load(path).id
    'regr.rpart'
    """
    from jupytorch.core import persistence

    return persistence.load(Path(path), trusted=trusted)


def _join(left: Any, right: Any) -> Any:
    """``left >> right`` as the layer that joins objects into graphs defines it (NotImplemented if none does)."""
    operators = registry("operator")
    return operators.get(">>", left, right) if ">>" in operators else NotImplemented
