"""Generated image folders and a temporary torch hub cache for the vision-learner tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


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
