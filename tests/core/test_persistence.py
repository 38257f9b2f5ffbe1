"""Saving and loading learners: pickle payloads need trusted=True."""

from __future__ import annotations

import numpy as np
import pytest

import jupytorch as jt
from jupytorch.core import persistence
from jupytorch.core.exceptions import JupytorchError


def test_round_trip_needs_trusted(tmp_path, task_regr, mean_regr):
    mean_regr.configure(shift=0.5).train(task_regr)
    path = mean_regr.save(tmp_path / "sub" / "model.jt")
    assert path.exists()
    with pytest.raises(JupytorchError, match=r"holds a pickled .*MeanRegr.*trusted=True"):
        jt.load(path)
    restored = jt.load(path, trusted=True)
    np.testing.assert_array_equal(restored.predict(task_regr).response, mean_regr.predict(task_regr).response)


def test_refuses_foreign_files(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"not a jupytorch file")
    with pytest.raises(JupytorchError, match="not a file saved by jupytorch"):
        jt.load(path)


def test_refuses_loaders_outside_jupytorch(tmp_path):
    path = persistence.write(tmp_path / "evil.jt", {"kind": "custom", "loader": "os:system"}, b"")
    with pytest.raises(JupytorchError, match="unknown storage kind"):
        jt.load(path, trusted=True)
