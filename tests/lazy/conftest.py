"""Fixtures of the lazy layer's tests: an empty data directory and one holding the MNIST-format test set."""

from __future__ import annotations

from pathlib import Path

import pytest
from idx_files import write_mnist_test_set

from jupytorch.lazy import tasks as images
from jupytorch.lazy.data_files import set_data_dir


@pytest.fixture
def data_root(tmp_path, monkeypatch) -> Path:
    """An empty data directory as JUPYTORCH_DATA, with no system directories to fall back on."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("JUPYTORCH_DATA", str(root))
    monkeypatch.setattr(images, "SYSTEM_DIRS", {})
    set_data_dir(None)
    return root


@pytest.fixture
def mnist_root(data_root) -> Path:
    """``data_root`` with its own ``MNIST/raw/t10k-*.gz`` (tests may add files; ops/ shares a session copy instead)."""
    return write_mnist_test_set(data_root)
