"""Fixtures of the learner tests: generated image folders and a temporary torch hub cache (vision),
small tabular tasks (architectures): subsampled California housing (numeric, a factor, missing
values) and Palmer penguins (classification, missing numeric and factor values)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import jupytorch as jt
from jupytorch import po


def write_image_folder(root: Path, classes=("cat", "dog"), n: int = 6, size: tuple[int, int] = (24, 20),
                       seed: int = 0, suffix: str = ".jpg") -> Path:
    """root/<class>/<i>.jpg: random JPEGs whose red channel tells the class."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    for k, cls in enumerate(classes):
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i in range(n):
            array = (rng.random((size[0], size[1], 3)) * 255).astype(np.uint8)
            array[:, :, 0] = 40 + 180 * k
            Image.fromarray(array).save(root / cls / f"{cls}.{i}{suffix}")
    return root


@pytest.fixture
def image_folder(tmp_path):
    return write_image_folder(tmp_path / "images")


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty torch hub cache (TORCH_HOME) with downloads turned off."""
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.setenv("JUPYTORCH_OFFLINE", "1")
    return home


def save_fake_weights(name: str) -> dict:
    """Write the state dict of a freshly built torchvision ``name`` where torch hub expects its DEFAULT weights."""
    import torch
    import torchvision

    from jupytorch.nn.learners.weights import weights_path

    weights = torchvision.models.get_model_weights(name).DEFAULT
    torch.manual_seed(0)
    extra = {"aux_logits": True, "init_weights": False} if name in ("googlenet", "inception_v3") else {}
    state = torchvision.models.get_model_builder(name)(weights=None, **extra).state_dict()
    path = weights_path(weights)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return state


def n_params(network) -> int:
    return sum(p.numel() for p in network.parameters())


def impute(task):
    """The usual preprocessing: median for missing numbers, then standardized numeric columns;
    factors keep their missing values (the categorical ingress codes them as a level of their own)."""
    return (po("imputemedian") >> po("scale")).train(task)[0]


@pytest.fixture(scope="module")
def california():
    task = jt.tsk("california_housing")
    rows = np.random.default_rng(0).choice(task.row_ids, size=400, replace=False)
    missing = task.data(cols=["total_bedrooms"])["total_bedrooms"].isna()
    rows = np.union1d(rows, task.row_ids[missing.to_numpy()][:5])  # keep a few rows with missing values
    return task.filter(rows)


@pytest.fixture(scope="module")
def penguins():
    return jt.tsk("penguins")


def check_regression(learner, task):
    """Train on the imputed task; the predictions are finite and on the target's scale (dollars)."""
    data = impute(task)
    prediction = learner.train(data).predict(data)
    response = prediction.response.to_numpy()
    assert np.isfinite(response).all()
    truth = data.truth().to_numpy()
    assert abs(response.mean() - truth.mean()) < truth.std()   # scale_target: answers in dollars
    rmse = prediction.score(jt.msr("regr.rmse"))
    assert rmse < 1.5 * truth.std()
    return prediction


def check_classification(learner, task):
    data = impute(task)
    learner.predict_type = "prob"
    prediction = learner.train(data).predict(data)
    assert np.allclose(prediction.prob.sum(axis=1), 1.0)
    assert prediction.score(jt.msr("classif.acc")) > 0.5   # three classes: 0.44 for the majority class
    return prediction
