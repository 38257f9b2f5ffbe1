"""po("scale") and po("pca"): statistics from training, reused unchanged in predict."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch import po
from jupytorch.core.exceptions import TaskError


def test_scale_uses_training_statistics_in_predict(regr_task):
    train = regr_task.clone().filter(range(4))
    test = regr_task.clone().filter(range(4, 8))
    op = po("scale")
    out = op.train([train])[0].data()
    assert out["x1"].mean() == pytest.approx(0.0) and out["x1"].std(ddof=0) == pytest.approx(1.0)
    assert op.state["center"]["x1"] == pytest.approx(2.5)
    predicted = op.predict([test])[0].data()["x1"]
    sd = np.std([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(predicted, (np.array([5.0, 6.0, 7.0, 8.0]) - 2.5) / sd)
    assert predicted.mean() != pytest.approx(0.0)


def test_scale_affects_integers_not_factors(regr_task):
    out = po("scale").train([regr_task])[0]
    assert out.feature_types["n"] == "numeric" and out.feature_types["f"] == "factor"


def test_scale_options(regr_task):
    only_center = po("scale", scale=False).train([regr_task])[0].data()["x1"]
    np.testing.assert_allclose(only_center, np.arange(1, 9) - 4.5)
    robust = po("scale", robust=True)
    robust.train([regr_task])
    assert robust.state["center"]["x1"] == pytest.approx(4.5)  # median
    assert robust.state["scale"]["x1"] == pytest.approx(3.5)  # interquartile range


def test_scale_keeps_missing_values(missing_task):
    out = po("scale").train([missing_task])[0].data()["x"]
    assert out.isna().sum() == 2 and out.dropna().mean() == pytest.approx(0.0)


def test_pca_rotation_from_training(regr_task):
    train = regr_task.clone().filter(range(6))
    op = po("pca")
    out = op.train([train])[0]
    assert out.feature_names == ["f", "PC1", "PC2", "PC3"]
    scores = out.data()[["PC1", "PC2", "PC3"]].to_numpy()
    assert np.allclose(scores.mean(axis=0), 0.0)
    assert np.allclose(np.cov(scores.T), np.diag(np.diag(np.cov(scores.T))), atol=1e-10)  # uncorrelated
    rotation = op.state["rotation"].copy()
    predicted = op.predict([regr_task.clone().filter([6, 7])])[0].data()[["PC1", "PC2", "PC3"]].to_numpy()
    x = regr_task.data(rows=[6, 7])[["x1", "x2", "n"]].to_numpy(float)
    np.testing.assert_allclose(predicted, (x - op.state["center"].to_numpy()) @ rotation.to_numpy())
    assert (op.state["rotation"] == rotation).all().all()


def test_pca_rank_and_scale(regr_task):
    op = po("pca", rank=1, scale=True)
    assert op.train([regr_task])[0].feature_names == ["f", "PC1"]
    assert op.state["scale"] is not None and op.state["sdev"].index.tolist() == ["PC1"]


def test_pca_without_centering(regr_task):
    op = po("pca", center=False)
    op.train([regr_task])
    assert op.state["center"] is None


def test_pca_refuses_missing_values(missing_task):
    with pytest.raises(TaskError, match="PipeOp 'pca'.*missing values.*imputemedian") as info:
        po("pca").train([missing_task])
    assert "This happened in PipeOp 'pca' during train()." in info.value.__notes__
