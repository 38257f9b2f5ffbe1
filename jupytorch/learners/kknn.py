"""Weighted k-nearest neighbours with kknn's parameters: ``classif.kknn`` and ``regr.kknn``.

Mapping (mlr3 / kknn -> scikit-learn ``KNeighbors*``), defaults as in mlr3learners:

========= =========== ==========================================================================
parameter default     scikit-learn
========= =========== ==========================================================================
k         7           ``n_neighbors``
distance  2           ``p`` of the Minkowski metric (2: Euclidean, 1: Manhattan); at least 1
kernel    "optimal"   ``weights``: ``"rectangular"`` is ``"uniform"``, ``"inv"`` is
                      ``"distance"``; the other kernels become a weight function (below)
scale     True        a ``StandardScaler`` before the neighbour search (``learner.model`` is
                      then a ``Pipeline``)
========= =========== ==========================================================================

Kernels other than ``rectangular`` and ``inv`` weight the k neighbours as kknn does: distances
are divided by the distance of the (k+1)-th neighbour, so they lie in [0, 1], and the kernel of
that value is the weight (``triangular`` 1-d, ``epanechnikov`` 1-d², ``biweight`` (1-d²)²,
``triweight`` (1-d²)³, ``cos`` cos(πd/2), ``gaussian`` exp(-d²/2)). ``optimal`` uses the rank
weights of Samworth (2012), which depend on k and the number of features. Weights are floored
at 1e-6 so that a neighbourhood never has weight zero. Factor features are one-hot encoded
before scaling, as kknn's model matrix does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamLgl, ParamSet
from jupytorch.core.task import Task
from jupytorch.learners.base import SklearnLearner

__all__ = ["LearnerClassifKKNN", "LearnerRegrKKNN", "KernelWeights", "KERNELS"]

KERNELS = ("rectangular", "triangular", "epanechnikov", "biweight", "triweight", "cos", "inv", "gaussian", "optimal")
_FLOOR = 1e-6


def optimal_weights(k: int, d: int) -> np.ndarray:
    """Samworth's (2012) optimal rank weights for k neighbours in d dimensions (they sum to 1)."""
    i = np.arange(1, k + 1, dtype=np.float64)
    e = 1.0 + 2.0 / d
    w = (1.0 + d / 2.0 - d / (2.0 * k ** (2.0 / d)) * (i**e - (i - 1.0) ** e)) / k
    return np.clip(w, 0.0, None)


class KernelWeights:
    """A picklable weight function for ``KNeighbors*(weights=...)`` given k+1 sorted distances.

    Parameters
    ----------
    kernel : str
        One of the kernels in :data:`KERNELS` other than ``rectangular`` and ``inv``.
    k : int
        Number of neighbours that get weight; the (k+1)-th only scales the distances.
    n_features : int
        Dimension, for the ``optimal`` kernel.

    Examples
    --------
    >>> KernelWeights("triangular", k=2, n_features=1)(np.array([[0.0, 1.0, 2.0]])).round(3).tolist()
    [[1.0, 0.5, 0.0]]
    """

    def __init__(self, kernel: str, k: int, n_features: int):
        self.kernel = kernel
        self.k = k
        self.n_features = max(1, n_features)

    def __call__(self, dist: np.ndarray) -> np.ndarray:
        dist = np.asarray(dist, dtype=np.float64)
        scale = np.maximum(dist[:, -1:], _FLOOR)
        d = np.clip(dist / scale, 0.0, 1.0)
        if self.kernel == "optimal":
            w = np.broadcast_to(optimal_weights(self.k, self.n_features), (len(d), self.k)).copy()
        else:
            w = _kernel(self.kernel, d[:, : self.k])
        w = np.maximum(w, _FLOOR)
        return np.concatenate([w, np.zeros((len(d), dist.shape[1] - self.k))], axis=1)

    def __repr__(self) -> str:
        return f"KernelWeights({self.kernel!r}, k={self.k})"


def _kernel(name: str, d: np.ndarray) -> np.ndarray:
    if name == "triangular":
        return 1.0 - d
    if name == "epanechnikov":
        return 0.75 * (1.0 - d**2)
    if name == "biweight":
        return (15.0 / 16.0) * (1.0 - d**2) ** 2
    if name == "triweight":
        return (35.0 / 32.0) * (1.0 - d**2) ** 3
    if name == "cos":
        return (np.pi / 4.0) * np.cos(np.pi * d / 2.0)
    if name == "gaussian":
        return np.exp(-(d**2) / 2.0) / np.sqrt(2.0 * np.pi)
    raise InvalidParameterError(f"Unknown kernel {name!r}; valid kernels are {list(KERNELS)}.")


def _kknn_params() -> ParamSet:
    return ParamSet(
        {
            "k": ParamInt(1, None, default=7, tags=("train",), description="number of neighbours"),
            "distance": ParamDbl(1, None, default=2.0, tags=("train",), description="Minkowski p"),
            "kernel": ParamFct(list(KERNELS), default="optimal", tags=("train",)),
            "scale": ParamLgl(default=True, tags=("train",), description="standardise features"),
        }
    )


class _KKNNMixin:
    """Shared hook of the two kknn learners."""

    def _estimator(self, task: Task, values: dict[str, Any], X: np.ndarray, y: np.ndarray) -> Any:
        from sklearn import neighbors
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        k = int(values["k"])
        kernel = values["kernel"]
        n = X.shape[0]
        weights: Any
        if kernel in ("rectangular", "inv"):
            n_neighbors, weights = k, ("uniform" if kernel == "rectangular" else "distance")
        else:
            n_neighbors, weights = k + 1, KernelWeights(kernel, k, X.shape[1])
        if n < n_neighbors:
            raise InvalidParameterError(
                f"Learner {self.id!r}: parameter 'k' is {k}, but kernel {kernel!r} needs {n_neighbors} training rows "  # type: ignore[attr-defined]
                f"and task {task.id!r} has {n} sample{'' if n == 1 else 's'} (rows); lower k."
            )
        cls = neighbors.KNeighborsClassifier if self.task_type == "classif" else neighbors.KNeighborsRegressor  # type: ignore[attr-defined]
        knn = cls(n_neighbors=n_neighbors, weights=weights, metric="minkowski", p=float(values["distance"]))
        return make_pipeline(StandardScaler(), knn) if values["scale"] else knn


class LearnerClassifKKNN(_KKNNMixin, SklearnLearner):
    """k-nearest-neighbour classification (mlr3's ``classif.kknn``), backed by ``KNeighborsClassifier``.

    See the module docstring for the parameter mapping (``k``, ``distance``, ``kernel``, ``scale``).

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("classif.kknn", k=5, kernel="rectangular").train(tsk("iris"))
    >>> learner.model[-1].n_neighbors
    5
    """

    def __init__(self) -> None:
        super().__init__(
            id="classif.kknn",
            task_type="classif",
            param_set=_kknn_params(),
            predict_types=("response", "prob"),
            properties=("twoclass", "multiclass"),
            label="k-Nearest-Neighbor",
        )


class LearnerRegrKKNN(_KKNNMixin, SklearnLearner):
    """k-nearest-neighbour regression (mlr3's ``regr.kknn``), backed by ``KNeighborsRegressor``.

    See the module docstring for the parameter mapping.

    Examples
    --------
    >>> from jupytorch import tsk, lrn
    >>> learner = lrn("regr.kknn", scale=False).train(tsk("mtcars"))
    >>> type(learner.model).__name__
    'KNeighborsRegressor'
    """

    def __init__(self) -> None:
        super().__init__(
            id="regr.kknn",
            task_type="regr",
            param_set=_kknn_params(),
            predict_types=("response",),
            properties=(),
            label="k-Nearest-Neighbor",
        )
