"""classif.kknn / regr.kknn: kknn's parameters and kernels on scikit-learn's neighbours."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch import lrn, tsk
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.learners.kknn import KERNELS, KernelWeights, optimal_weights


def test_defaults_and_mapping():
    learner = lrn("regr.kknn").train(tsk("mtcars"))
    scaler, knn = learner.model.named_steps.values()
    assert type(scaler).__name__ == "StandardScaler"
    assert (knn.n_neighbors, knn.p, knn.metric) == (8, 2.0, "minkowski")  # k + 1: the 8th scales distances
    assert isinstance(knn.weights, KernelWeights) and knn.weights.kernel == "optimal"
    knn = lrn("regr.kknn", k=5, kernel="rectangular", distance=1, scale=False).train(tsk("mtcars")).model
    assert (knn.n_neighbors, knn.weights, knn.p) == (5, "uniform", 1.0)
    assert lrn("classif.kknn", kernel="inv").train(tsk("iris")).model[-1].weights == "distance"


def test_rectangular_is_the_mean_of_the_k_nearest_scaled_neighbours():
    task = tsk("mtcars")
    pred = lrn("regr.kknn", k=3, kernel="rectangular").train(task).predict(task, row_ids=[0])
    X = task.data(cols=task.feature_names).to_numpy()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    nearest = np.argsort(np.linalg.norm(Z - Z[0], axis=1), kind="stable")[:3]
    assert pred.response.iloc[0] == pytest.approx(task.truth().to_numpy()[nearest].mean())


def test_scale_true_makes_predictions_unit_free():
    task = tsk("mtcars")
    data = task.data()
    from jupytorch import as_task_regr

    rescaled = as_task_regr(data.assign(disp=data["disp"] * 1000.0), target="mpg")
    a = lrn("regr.kknn").train(task).predict(task).response.to_numpy()
    b = lrn("regr.kknn").train(rescaled).predict(rescaled).response.to_numpy()
    np.testing.assert_allclose(a, b)
    c = lrn("regr.kknn", scale=False).train(rescaled).predict(rescaled).response.to_numpy()
    assert not np.allclose(a, c)


def test_kernel_weights_scale_by_the_next_neighbour():
    w = KernelWeights("triangular", k=2, n_features=3)(np.array([[0.0, 1.0, 4.0], [2.0, 2.0, 2.0]]))
    np.testing.assert_allclose(w, [[1.0, 0.75, 0.0], [1e-6, 1e-6, 0.0]])
    w = KernelWeights("epanechnikov", k=1, n_features=1)(np.array([[1.0, 2.0]]))
    np.testing.assert_allclose(w, [[0.75 * (1 - 0.25), 0.0]])


@pytest.mark.parametrize("d", [1, 2, 5, 20])
@pytest.mark.parametrize("k", [1, 3, 7, 15])
def test_optimal_weights_sum_to_one_and_decrease(k, d):
    w = optimal_weights(k, d)
    assert w.sum() == pytest.approx(1.0, abs=1e-9 if k == 1 else 0.05)
    assert np.all(np.diff(w) <= 1e-12)


@pytest.mark.parametrize("kernel", KERNELS)
def test_every_kernel_predicts(kernel):
    task = tsk("iris")
    pred = lrn("classif.kknn", kernel=kernel, predict_type="prob").train(task).predict(task)
    np.testing.assert_allclose(pred.prob.sum(axis=1), 1.0)
    assert pred.score("classif.acc") > 0.9


def test_too_few_rows_for_k_is_a_clear_error():
    with pytest.raises(InvalidParameterError, match="'k' is 7, but kernel 'optimal' needs 8 training rows"):
        lrn("regr.kknn").train(tsk("mtcars"), row_ids=range(7))
    assert lrn("regr.kknn", kernel="rectangular").train(tsk("mtcars"), row_ids=range(7)).is_trained
