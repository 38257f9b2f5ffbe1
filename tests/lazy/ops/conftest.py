"""Fixtures for the lazy-tensor PipeOp tests: an MNIST-format task (written by the tests) and a small RGB task."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch.lazy.data_files import set_data_dir
from jupytorch.lazy.tasks import load_mnist


@pytest.fixture(scope="session")
def mnist_root(mnist_files) -> Path:
    """A data directory with MNIST/raw/t10k-*.gz (the digits stand-in of tests/idx_files.py)."""
    return mnist_files


@pytest.fixture(scope="session")
def mnist_full(mnist_root):
    """The MNIST-format test images as a task (lazy column ``image``, (None, 1, 28, 28)); do not change it."""
    return load_mnist(mnist_root)


@pytest.fixture
def mnist(mnist_full):
    """A copy of the MNIST-format task for one test (``filter`` changes a task in place)."""
    return mnist_full.clone()


@pytest.fixture
def mnist_env(mnist_root, monkeypatch):
    """Point JUPYTORCH_DATA at the MNIST folder, so that tsk("mnist") finds it."""
    monkeypatch.setenv("JUPYTORCH_DATA", str(mnist_root))
    set_data_dir(None)
    yield mnist_root
    set_data_dir(None)


def rgb_task(n: int = 8, height: int = 16, width: int = 20, seed: int = 0):
    """A classification task with one lazy column ``image`` of random RGB images in [0, 1]."""
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 3, height, width, generator=gen)
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(images), "y": pd.Categorical(["a", "b"] * (n // 2))})
    return jt.as_task_classif(frame, target="y", id="rgb"), images


@pytest.fixture
def rgb():
    """(task, images): 8 random RGB images of 16x20."""
    return rgb_task()


@pytest.fixture
def make_rgb():
    """The factory ``make_rgb(n, height, width, seed) -> (task, images)``."""
    return rgb_task
