"""Resampling strategies: how a task's rows are split into training and test sets.

A ``Resampling`` is configured by its ``param_set`` (``folds``, ``ratio``, ``repeats``, ``seed``,
``stratify``) and ``instantiate(task)`` draws the splits; ``train_set(i)`` / ``test_set(i)`` then
return the row ids of iteration ``i`` (0-based). As in mlr3, splits respect the task's column
roles: rows of one ``group`` always land in the same set, and ``stratum`` columns (plus the target
of a classification task when ``stratify=True``) keep their proportions in every set.

``seed=None`` draws fresh randomness each time; an integer makes the splits reproducible.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError, TaskError
from jupytorch.core.paramset import ParamDbl, ParamInt, ParamLgl, ParamSet
from jupytorch.core.summary import SummaryRepr

if TYPE_CHECKING:
    from collections.abc import Iterable

    from numpy.typing import ArrayLike

    from jupytorch.core.task import Task

__all__ = [
    "Resampling",
    "ResamplingHoldout",
    "ResamplingCV",
    "ResamplingRepeatedCV",
    "ResamplingBootstrap",
    "ResamplingSubsampling",
    "ResamplingInsample",
    "ResamplingCustom",
    "ResamplingCustomCV",
    "Partition",
    "partition",
]

_FIELDS = ("id", "label")
Split = tuple[list[np.ndarray], list[np.ndarray]]


def _positive(value: Any) -> bool | str:
    return value > 0 or "a number in (0, 1]"


def _ratio(default: float) -> ParamDbl:
    return ParamDbl(0, 1, default=default, custom_check=_positive, description="share of rows used for training")


def _seed() -> ParamInt:
    return ParamInt(0, None, default=None, tags={"seed"}, description="None: fresh randomness; an int: reproducible splits")


def _stratify() -> ParamLgl:
    return ParamLgl(default=False, description="stratify classification tasks by the target")


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


def _train_test(n: int, n_train: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    perm = rng.permutation(n)
    return perm[:n_train], perm[n_train:]


class ResamplingHoldout(Resampling):
    """One split: ``ratio`` of the rows for training, the rest for testing.

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> h = ResamplingHoldout(ratio=0.5, seed=3).instantiate(tsk_demo())
    >>> len(h.train_set(0)), len(h.test_set(0))
    (2, 2)
    """

    def __init__(self, ratio: float = 2 / 3, seed: int | None = None, stratify: bool = False):
        ps = ParamSet({"ratio": _ratio(2 / 3), "seed": _seed(), "stratify": _stratify()})
        super().__init__("holdout", ps, values=dict(ratio=ratio, seed=seed, stratify=stratify), label="Holdout")

    def _sample(self, n: int, rng: np.random.Generator, what: str) -> Split:
        n_train = int(round(self.param_set.values["ratio"] * n))
        train, test = _train_test(n, n_train, rng)
        return [train], [test]

    def _store(self, task: Task, train: list[np.ndarray], test: list[np.ndarray]) -> None:
        if len(test[0]) == 0:
            raise InvalidParameterError(
                f"Resampling {self.id!r} with ratio={self.param_set.values['ratio']!r} leaves no test rows for task "
                f"{task.id!r} ({task.nrow} rows); use a smaller ratio."
            )
        super()._store(task, train, test)


class ResamplingCV(Resampling):
    """K-fold cross-validation: each row is in the test set of exactly one of ``folds`` iterations.

    With stratification, every stratum is spread evenly over the folds; with groups, whole
    groups are assigned to folds.

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> cv = ResamplingCV(folds=2, seed=0).instantiate(tsk_demo())
    >>> cv.iters, len(cv.test_set(0)) + len(cv.test_set(1))
    (2, 4)
    """

    def __init__(self, folds: int = 10, seed: int | None = None, stratify: bool = False):
        ps = ParamSet({"folds": ParamInt(2, None, default=10), "seed": _seed(), "stratify": _stratify()})
        super().__init__("cv", ps, values=dict(folds=folds, seed=seed, stratify=stratify), label="Cross-Validation")

    def _planned_iters(self) -> int | None:
        return int(self.param_set.values["folds"])

    def _fold_ids(self, n: int, rng: np.random.Generator, strata: np.ndarray | None, what: str) -> np.ndarray:
        folds = int(self.param_set.values["folds"])
        if folds > n:
            raise InvalidParameterError(
                f"Resampling {self.id!r}: folds={folds} is more than the {n} {what}; use at most {n} folds."
            )
        # order the positions randomly (within strata, strata one after another) and deal them out
        order = rng.permutation(n) if strata is None else np.lexsort((rng.random(n), strata))
        fold_of = np.empty(n, dtype=np.int64)
        fold_of[order] = rng.permutation(folds)[np.arange(n) % folds]
        return fold_of

    def _folds_to_sets(self, fold_of: np.ndarray, folds: int) -> Split:
        test = [np.flatnonzero(fold_of == k) for k in range(folds)]
        train = [np.flatnonzero(fold_of != k) for k in range(folds)]
        return train, test

    def _split(self, n: int, rng: np.random.Generator, strata: np.ndarray | None, what: str) -> Split:
        folds = int(self.param_set.values["folds"])
        return self._folds_to_sets(self._fold_ids(n, rng, strata, what), folds)


class ResamplingRepeatedCV(ResamplingCV):
    """Cross-validation repeated ``repeats`` times with new folds; iteration ``i`` is fold
    ``i % folds`` of repetition ``i // folds``.

    Examples
    --------
    >>> ResamplingRepeatedCV(folds=3, repeats=2).iters
    6
    """

    def __init__(self, folds: int = 10, repeats: int = 10, seed: int | None = None, stratify: bool = False):
        ps = ParamSet(
            {"folds": ParamInt(2, None, default=10), "repeats": ParamInt(1, None, default=10), "seed": _seed(), "stratify": _stratify()}
        )
        Resampling.__init__(
            self, "repeated_cv", ps, values=dict(folds=folds, repeats=repeats, seed=seed, stratify=stratify), label="Repeated Cross-Validation"
        )

    def _planned_iters(self) -> int | None:
        return int(self.param_set.values["folds"]) * int(self.param_set.values["repeats"])

    def _split(self, n: int, rng: np.random.Generator, strata: np.ndarray | None, what: str) -> Split:
        folds = int(self.param_set.values["folds"])
        train: list[np.ndarray] = []
        test: list[np.ndarray] = []
        for _ in range(int(self.param_set.values["repeats"])):
            tr, te = self._folds_to_sets(self._fold_ids(n, rng, strata, what), folds)
            train += tr
            test += te
        return train, test

    def folds(self, iters: Any) -> np.ndarray:
        """The fold (0-based) of each of the given iterations."""
        return np.asarray(iters) % int(self.param_set.values["folds"])

    def repeats(self, iters: Any) -> np.ndarray:
        """The repetition (0-based) of each of the given iterations."""
        return np.asarray(iters) // int(self.param_set.values["folds"])


class ResamplingBootstrap(Resampling):
    """``repeats`` bootstrap samples: ``ratio * n`` rows drawn with replacement for training,
    the rows never drawn ("out of bag") for testing.

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> b = ResamplingBootstrap(repeats=2, seed=0).instantiate(tsk_demo())
    >>> b.iters, len(b.train_set(0))
    (2, 4)
    """

    def __init__(self, ratio: float = 1.0, repeats: int = 30, seed: int | None = None, stratify: bool = False):
        ps = ParamSet({"ratio": _ratio(1.0), "repeats": ParamInt(1, None, default=30), "seed": _seed(), "stratify": _stratify()})
        super().__init__(
            "bootstrap", ps, values=dict(ratio=ratio, repeats=repeats, seed=seed, stratify=stratify), label="Bootstrap", duplicated_ids=True
        )

    def _planned_iters(self) -> int | None:
        return int(self.param_set.values["repeats"])

    def _sample(self, n: int, rng: np.random.Generator, what: str) -> Split:
        n_train = int(round(self.param_set.values["ratio"] * n))
        train, test = [], []
        for _ in range(int(self.param_set.values["repeats"])):
            drawn = rng.integers(0, n, size=n_train)
            train.append(drawn)
            test.append(np.setdiff1d(np.arange(n), drawn))
        return train, test


class ResamplingSubsampling(ResamplingHoldout):
    """``repeats`` holdout splits drawn independently (``ratio`` of the rows for training).

    Examples
    --------
    >>> ResamplingSubsampling(repeats=5).iters
    5
    """

    def __init__(self, ratio: float = 2 / 3, repeats: int = 30, seed: int | None = None, stratify: bool = False):
        ps = ParamSet({"ratio": _ratio(2 / 3), "repeats": ParamInt(1, None, default=30), "seed": _seed(), "stratify": _stratify()})
        Resampling.__init__(
            self, "subsampling", ps, values=dict(ratio=ratio, repeats=repeats, seed=seed, stratify=stratify), label="Subsampling"
        )

    def _planned_iters(self) -> int | None:
        return int(self.param_set.values["repeats"])

    def _sample(self, n: int, rng: np.random.Generator, what: str) -> Split:
        n_train = int(round(self.param_set.values["ratio"] * n))
        pairs = [_train_test(n, n_train, rng) for _ in range(int(self.param_set.values["repeats"]))]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    def _store(self, task: Task, train: list[np.ndarray], test: list[np.ndarray]) -> None:
        if any(len(t) == 0 for t in test):
            raise InvalidParameterError(
                f"Resampling {self.id!r} with ratio={self.param_set.values['ratio']!r} leaves no test rows for task "
                f"{task.id!r} ({task.nrow} rows); use a smaller ratio."
            )
        Resampling._store(self, task, train, test)


class ResamplingInsample(Resampling):
    """One iteration that trains and tests on all rows (for a quick look, not for estimates).

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> ResamplingInsample().instantiate(tsk_demo()).test_set(0).tolist()
    [0, 1, 2, 3]
    """

    def __init__(self, seed: int | None = None):
        super().__init__("insample", ParamSet({"seed": _seed()}), values=dict(seed=seed), label="Insample Resampling")

    def _split(self, n: int, rng: np.random.Generator, strata: np.ndarray | None, what: str) -> Split:
        return [np.arange(n)], [np.arange(n)]

    def _split_groups(self, task: Task, groups: np.ndarray, rng: np.random.Generator) -> Split:
        return self._split(task.nrow, rng, None, "")

    def _strata(self, task: Task, stratify: bool, grouped: bool) -> np.ndarray | None:
        return None


class ResamplingCustom(Resampling):
    """Splits given by hand: ``instantiate(task, train_sets, test_sets)``.

    ``test_sets`` may be left out: each test set is then the task's rows that are not in the
    training set. ``seed`` is accepted for uniformity and unused.

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> c = ResamplingCustom().instantiate(tsk_demo(), train_sets=[[0, 1], [2, 3]])
    >>> c.iters, c.test_set(1).tolist()
    (2, [0, 1])
    """

    def __init__(self, seed: int | None = None):
        super().__init__("custom", ParamSet({"seed": _seed()}), values=dict(seed=seed), label="Custom Splits")

    def _planned_iters(self) -> int | None:
        return None

    def instantiate(self, task: Task, train_sets: Iterable[Iterable[int]] | None = None,
                    test_sets: Iterable[Iterable[int]] | None = None) -> ResamplingCustom:
        """Use the given row ids; returns the resampling."""
        if train_sets is None:
            raise InvalidParameterError(
                f"Resampling {self.id!r}: instantiate(task, train_sets, test_sets) needs the training sets (lists of row ids)."
            )
        train_sets = list(train_sets)
        if test_sets is not None:
            test_sets = list(test_sets)
            if len(test_sets) != len(train_sets):
                raise InvalidParameterError(
                    f"Resampling {self.id!r}: got {len(train_sets)} training sets but {len(test_sets)} test sets."
                )
        if not train_sets:
            raise InvalidParameterError(f"Resampling {self.id!r}: the list of training sets is empty.")
        rows = task.row_ids
        train = [task._check_rows(t) for t in train_sets]
        test = [np.setdiff1d(rows, t) for t in train] if test_sets is None else [task._check_rows(t) for t in test_sets]
        self._store(task, train, test)
        return self


class ResamplingCustomCV(Resampling):
    """Cross-validation with folds given by a column or a vector: ``instantiate(task, f=..., col=...)``.

    Each distinct value is one fold (in sorted order): its rows are the test set, all other
    rows the training set. Rows whose value is missing are in no set.

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> c = ResamplingCustomCV().instantiate(tsk_demo(), f=["a", "b", "a", "b"])
    >>> c.iters, c.test_set(0).tolist()
    (2, [0, 2])
    """

    def __init__(self, seed: int | None = None):
        super().__init__("custom_cv", ParamSet({"seed": _seed()}), values=dict(seed=seed), label="Custom Split Cross-Validation")

    def _planned_iters(self) -> int | None:
        return None

    def instantiate(self, task: Task, f: ArrayLike | None = None, col: str | None = None) -> ResamplingCustomCV:
        """Build the folds from the vector ``f`` (one value per active row) or the column ``col``."""
        import pandas as pd

        if (f is None) == (col is None):
            raise InvalidParameterError(f"Resampling {self.id!r}: give exactly one of f (a vector) or col (a column name).")
        rows = task.row_ids
        if col is not None:
            values = task.data(cols=[col])[col].to_numpy()
        elif isinstance(f, pd.Series) and f.index.isin(rows).all() and len(f) == len(rows):
            values = f.reindex(rows).to_numpy()
        else:
            values = np.asarray(f, dtype=object) if not isinstance(f, pd.Series) else f.to_numpy()
            if len(values) != len(rows):
                raise InvalidParameterError(
                    f"Resampling {self.id!r}: f has {len(values)} values but task {task.id!r} has {len(rows)} rows."
                )
        codes, uniques = pd.factorize(pd.Series(values), sort=True, use_na_sentinel=True)
        if len(uniques) < 2:
            raise InvalidParameterError(f"Resampling {self.id!r}: the folds need at least 2 distinct values, got {list(uniques)}.")
        test = [rows[codes == k] for k in range(len(uniques))]
        train = [rows[(codes != k) & (codes >= 0)] for k in range(len(uniques))]
        self._store(task, train, test)
        return self


class Partition(NamedTuple):
    """Row ids of a train/test split, from :func:`partition`."""

    train: np.ndarray
    test: np.ndarray


def partition(task: Task, ratio: float = 0.67, seed: int | None = None, stratify: bool = True) -> Partition:
    """Split the rows of ``task`` once into training and test row ids.

    Parameters
    ----------
    task : Task
    ratio : float
        Share of rows for training, in (0, 1).
    seed : int, optional
        For a reproducible split.
    stratify : bool
        Keep the class proportions in both sets (classification tasks without groups).

    Examples
    --------
    >>> from jupytorch.core.task import tsk_demo
    >>> split = partition(tsk_demo(), ratio=0.5, seed=42)
    >>> len(split.train), len(split.test)
    (2, 2)
    """
    stratify = bool(stratify) and task.task_type == "classif" and task.groups is None
    holdout = ResamplingHoldout(ratio=ratio, seed=seed, stratify=stratify)
    holdout.instantiate(task)
    return Partition(holdout.train_set(0), holdout.test_set(0))
