"""The image data files: the data directory, the IDX reader's checks, the CIFAR unpickler's refusal of code, the per-file cache."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from idx_files import N_ROWS

from jupytorch.core.exceptions import DataNotFoundError, JupytorchError
from jupytorch.lazy.data_files import read_idx, set_data_dir
from jupytorch.lazy.tasks import load_cifar10, load_mnist


def test_mnist_second_load_shares_the_column(mnist_root):
    first = load_mnist().data(rows=[0])["image"].array.descriptor
    second = load_mnist().data(rows=[0])["image"].array.descriptor
    assert first.hash == second.hash


def test_set_data_dir_wins_over_env(mnist_root, tmp_path):
    set_data_dir(tmp_path / "elsewhere")
    try:
        with pytest.raises(DataNotFoundError, match="elsewhere"):
            load_mnist()
    finally:
        set_data_dir(None)
    assert load_mnist().nrow == N_ROWS


def test_read_idx_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(JupytorchError, match="not an IDX file"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(bytes([0, 0, 8, 1]) + np.array([10], dtype=">i4").tobytes() + b"\x00" * 3)
    with pytest.raises(JupytorchError, match="expected 10 data bytes"):
        read_idx(short)


class Evil:
    def __reduce__(self):
        import os

        return (os.getcwd, ())


def test_cifar_refuses_code_in_pickles(data_root):
    folder = data_root / "cifar-10-batches-py"
    folder.mkdir()
    with open(folder / "test_batch", "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": [0]}, f)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        load_cifar10()
