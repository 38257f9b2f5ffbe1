"""The ``Resampling`` base class: how a task's rows are split into training and test sets.

A ``Resampling`` is configured by its ``param_set`` (``folds``, ``ratio``, ``repeats``, ``seed``,
``stratify``) and ``instantiate(task)`` draws the splits; ``train_set(i)`` / ``test_set(i)`` then
return the row ids of iteration ``i`` (0-based). As in mlr3, splits respect the task's column
roles: rows of one ``group`` always land in the same set, and ``stratum`` columns (plus the target
of a classification task when ``stratify=True``) keep their proportions in every set.

``seed=None`` draws fresh randomness each time; an integer makes the splits reproducible. The
built-in strategies (holdout, cv, bootstrap, ...) and :func:`~jupytorch.core.resamplings.partition`
are in :mod:`jupytorch.core.resamplings`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError, TaskError
from jupytorch.core.paramset import ParamSet
from jupytorch.core.summary import SummaryRepr

if TYPE_CHECKING:


    from jupytorch.core.task import Task

__all__ = ["Resampling", "Split"]

_FIELDS = ("id", "label")
Split = tuple[list[np.ndarray], list[np.ndarray]]


class Resampling(SummaryRepr):
    """Base class of resampling strategies.

    Parameters
    ----------
    id : str
        The strategy's id (``"cv"``), shown in results tables.
    param_set : ParamSet
        Its parameters, with their values set.
    label : str
        A longer name.
    duplicated_ids : bool
        Whether a training set may hold a row more than once (bootstrap).
    values : dict, optional
        Parameter values to set (checked, errors name the resampling).

    Examples
    --------
    >>> from jupytorch import rsmp, tsk
    >>> cv = rsmp("cv", folds=4, seed=1).instantiate(tsk("mtcars"))
    >>> cv.iters, len(cv.test_set(0))
    (4, 8)
    """

    def __init__(self, id: str, param_set: ParamSet, label: str = "", duplicated_ids: bool = False, values: dict[str, Any] | None = None):
        self.id = id
        self.label = label
        self.param_set = param_set
        self.param_set.owner = f"Resampling {id!r}"
        if values:
            self.param_set.set_values(**values)
        self.duplicated_ids = duplicated_ids
        self.task_id: str | None = None
        self.task_nrow: int | None = None
        self._train_sets: list[np.ndarray] | None = None
        self._test_sets: list[np.ndarray] | None = None
        # the seed that draws the splits when the parameter ``seed`` is unset (benchmark's seed)
        self._fallback_seed: int | None = None

    # -- configuration -------------------------------------------------------------------------
    def configure(self, **values: Any) -> Resampling:
        """Set parameter values and the fields ``id`` and ``label``; returns the resampling."""
        fields = {k: values.pop(k) for k in list(values) if k in _FIELDS}
        if values:
            self.param_set.set_values(**values)
        for key, value in fields.items():
            setattr(self, key, value)
        self.param_set.owner = f"Resampling {self.id!r}"
        return self

    def clone(self) -> Resampling:
        """Return an independent copy (with its instance, if instantiated)."""
        return copy.deepcopy(self)

    # -- the instance --------------------------------------------------------------------------
    @property
    def is_instantiated(self) -> bool:
        """Whether ``instantiate`` has drawn the splits."""
        return self._train_sets is not None

    @property
    def iters(self) -> int | None:
        """Number of iterations (None for custom strategies that are not instantiated yet)."""
        if self._train_sets is not None:
            return len(self._train_sets)
        return self._planned_iters()

    def _planned_iters(self) -> int | None:
        return 1

    @property
    def instance(self) -> dict[str, list[np.ndarray]] | None:
        """The drawn splits, ``{"train": [row ids per iteration], "test": [...]}``, or None."""
        if self._train_sets is None or self._test_sets is None:
            return None
        return {"train": [s.copy() for s in self._train_sets], "test": [s.copy() for s in self._test_sets]}

    def train_set(self, i: int) -> np.ndarray:
        """Row ids of the training set of iteration ``i`` (0-based)."""
        return self._sets("train", i)[0]

    def test_set(self, i: int) -> np.ndarray:
        """Row ids of the test set of iteration ``i`` (0-based)."""
        return self._sets("test", i)[1]

    def _sets(self, which: str, i: Any) -> tuple[np.ndarray, np.ndarray]:
        if self._train_sets is None or self._test_sets is None:
            raise NotTrainedError(
                f"Resampling {self.id!r} is not instantiated; call resampling.instantiate(task) before {which}_set() "
                "(resample() and benchmark() do it for you)."
            )
        n = len(self._train_sets)
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
            raise InvalidParameterError(f"Resampling {self.id!r}: iteration must be an integer in [0, {n - 1}], got {i!r}.")
        return self._train_sets[int(i)].copy(), self._test_sets[int(i)].copy()

    def instantiate(self, task: Task) -> Resampling:
        """Draw the splits for ``task``; returns the resampling.

        Examples
        --------
        >>> from jupytorch import rsmp
        >>> from jupytorch.core.task import tsk_demo
        >>> cv = rsmp("cv", folds=2, seed=1).instantiate(tsk_demo())
        >>> sorted(cv.test_set(0).tolist() + cv.test_set(1).tolist())
        [0, 1, 2, 3]
        """
        from jupytorch.core.task import Task

        if not isinstance(task, Task):
            raise TaskError(f"Resampling {self.id!r}: instantiate() needs a Task, got {type(task).__name__}.")
        values = self.param_set.get_values(tune_tokens=False, with_defaults=True)
        seed = values["seed"]
        rng = np.random.default_rng(getattr(self, "_fallback_seed", None) if seed is None else seed)
        row_ids = task.row_ids
        if len(row_ids) == 0:
            raise TaskError(f"Resampling {self.id!r}: task {task.id!r} has no rows to split.")
        groups = task.groups
        strata = self._strata(task, bool(values.get("stratify")), groups is not None)
        if groups is not None:
            train, test = self._split_groups(task, groups.to_numpy(), rng)
        else:
            train, test = self._split(len(row_ids), rng, strata, f"rows of task {task.id!r}")
        self._store(task, [np.sort(row_ids[t]) for t in train], [np.sort(row_ids[t]) for t in test])
        return self

    def _store(self, task: Task, train: list[np.ndarray], test: list[np.ndarray]) -> None:
        if any(len(t) == 0 for t in train):
            raise InvalidParameterError(
                f"Resampling {self.id!r} with {self._show_values()} leaves an empty training set for task {task.id!r} "
                f"({task.nrow} rows); use a larger ratio or fewer folds."
            )
        self._train_sets = [np.asarray(t, dtype=np.int64) for t in train]
        self._test_sets = [np.asarray(t, dtype=np.int64) for t in test]
        self.task_id = task.id
        self.task_nrow = task.nrow

    def _strata(self, task: Task, stratify: bool, grouped: bool) -> np.ndarray | None:
        import pandas as pd

        frames = []
        if task.strata is not None:
            frames.append(task.strata)
        if stratify and task.task_type == "classif":
            frames.append(task.data(cols=task.target_names))
        if not frames:
            return None
        if grouped:
            raise TaskError(
                f"Resampling {self.id!r}: task {task.id!r} has the group column {task.col_roles['group']} and is also "
                "to be stratified (stratify=True or 'stratum' columns); both at once is not supported. "
                "Set stratify=False or remove a column role."
            )
        frame = pd.concat(frames, axis=1)
        frame = frame.loc[:, ~frame.columns.duplicated()]
        return frame.groupby(list(frame.columns), dropna=False, sort=True, observed=True).ngroup().to_numpy()

    def _split_groups(self, task: Task, groups: np.ndarray, rng: np.random.Generator) -> Split:
        import pandas as pd

        codes, uniques = pd.factorize(groups, use_na_sentinel=True)
        if (codes < 0).any():
            raise TaskError(f"Resampling {self.id!r}: the group column of task {task.id!r} has missing values.")
        order = np.argsort(codes, kind="stable")
        members = np.split(order, np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1])
        train_units, test_units = self._split(len(uniques), rng, None, f"groups of task {task.id!r}")

        def expand(units: np.ndarray) -> np.ndarray:
            return np.concatenate([members[u] for u in units]) if len(units) else np.array([], dtype=np.int64)

        return [expand(u) for u in train_units], [expand(u) for u in test_units]

    def _split(self, n: int, rng: np.random.Generator, strata: np.ndarray | None, what: str) -> Split:
        """Split positions ``0..n-1``; with strata, split each stratum and join the pieces."""
        if strata is None:
            return self._sample(n, rng, what)
        train: list[list[np.ndarray]] = []
        test: list[list[np.ndarray]] = []
        for code in np.unique(strata):
            members = np.flatnonzero(strata == code)
            tr, te = self._sample(len(members), rng, f"rows of one stratum of {what}")
            if not train:
                train, test = [[] for _ in tr], [[] for _ in te]
            for i, (a, b) in enumerate(zip(tr, te)):
                train[i].append(members[a])
                test[i].append(members[b])
        return [np.concatenate(parts) for parts in train], [np.concatenate(parts) for parts in test]

    def _sample(self, n: int, rng: np.random.Generator, what: str) -> Split:
        raise NotImplementedError(f"{type(self).__name__} does not implement _sample().")

    # -- display -------------------------------------------------------------------------------
    def _show_values(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.param_set.values.items()) or "no parameters"

    def _summary_lines(self) -> list[str]:
        if self.is_instantiated:
            state = f"yes (task {self.task_id!r}, {self.task_nrow} rows)"
        else:
            state = "no"
        iters = self.iters
        return [
            f"* Iterations: {iters if iters is not None else '-'}",
            f"* Instantiated: {state}",
            f"* Parameters: {self._show_values()}",
        ]

    _html_class = "jt-resampling"
