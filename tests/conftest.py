"""Fixtures for the whole suite: MNIST-format files the tests write themselves (see idx_files.py), and no downloads."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# idx_files must be importable by name from any test folder; pytest's importlib mode does not add
# test folders to sys.path.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from idx_files import write_mnist_test_set  # noqa: E402


@pytest.fixture(scope="session")
def mnist_files(tmp_path_factory) -> Path:
    """A data directory holding ``MNIST/raw/t10k-*.gz``: the digits stand-in, written once per session.

    Do not change its files: a test that adds files writes its own set with ``write_mnist_test_set``.
    """
    return write_mnist_test_set(tmp_path_factory.mktemp("mnist"))


@pytest.fixture(autouse=True, scope="session")
def _offline():
    """Turn jupytorch's downloads off for the whole session (session fixtures build tasks too);
    a test that checks the download path unsets it with its own monkeypatch."""
    patch = pytest.MonkeyPatch()
    patch.setenv("JUPYTORCH_OFFLINE", "1")
    yield
    patch.undo()
