"""The built-in resampling strategies (``rsmp("cv")``, ``rsmp("holdout")``, ...) and ``partition``.

Each strategy is a :class:`~jupytorch.core.resampling.Resampling` that says how one set of rows
is split (``_split`` or ``_sample``); the base class handles groups, strata, seeds and the
instantiated state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamDbl, ParamInt, ParamLgl, ParamSet
from jupytorch.core.resampling import Resampling, Split

if TYPE_CHECKING:
    from collections.abc import Iterable

    from numpy.typing import ArrayLike

    from jupytorch.core.task import Task

__all__ = [
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


def _positive(value: Any) -> bool | str:
    return value > 0 or "a number in (0, 1]"


def _ratio(default: float) -> ParamDbl:
    return ParamDbl(0, 1, default=default, custom_check=_positive, description="share of rows used for training")


def _seed() -> ParamInt:
    return ParamInt(0, None, default=None, tags={"seed"}, description="None: fresh randomness; an int: reproducible splits")


def _stratify() -> ParamLgl:
    return ParamLgl(default=False, description="stratify classification tasks by the target")


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
