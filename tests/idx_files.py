"""MNIST-format test data the tests write themselves (nothing is read from outside the repository).

:func:`write_idx` writes an array as an IDX file (the format of MNIST and Fashion-MNIST).
:func:`mnist_like` makes a learnable stand-in for the MNIST test set from scikit-learn's bundled
8x8 digits: each digit is scaled up to 24x24 and placed at a random offset on a 28x28 canvas, as
``uint8`` like MNIST. :func:`write_mnist_test_set` writes it as ``MNIST/raw/t10k-*-idx?-ubyte.gz``.
No data file is stored in the repository: the digits come with scikit-learn (BSD-3-Clause) and
the files are written into pytest's temporary folders.

The module lives on ``sys.path`` (``tests/conftest.py`` puts this folder there), so tests import
it by name: ``from idx_files import write_idx``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

#: Rows of the stand-in MNIST test set: enough for the tests' train (0..1999) and test (2000..2599) rows.
N_ROWS = 3000
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> None:
    """Write ``array`` (values 0..255) as an unsigned-byte IDX file, gzipped when ``compress``."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, dtype=">i4").tobytes()
    data = header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(data, compresslevel=1) if compress else data)


def mnist_like(n: int = N_ROWS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(images, labels)``: ``n`` 28x28 ``uint8`` digit images and their labels 0..9."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    pick = np.arange(n) % len(digits.target)
    big = np.kron(digits.images[pick], np.ones((3, 3))) * 16  # 8x8 in 0..16 -> 24x24 in 0..256
    offsets = np.random.default_rng(seed).integers(0, 5, size=(n, 2))
    images = np.zeros((n, 28, 28), dtype=np.uint8)
    for i, (top, left) in enumerate(offsets):
        images[i, top:top + 24, left:left + 24] = np.clip(big[i], 0, 255)
    return images, digits.target[pick].astype(np.uint8)


def write_mnist_test_set(root: Path, n: int = N_ROWS) -> Path:
    """Write :func:`mnist_like` as ``<root>/MNIST/raw/t10k-*.gz``; returns ``root``."""
    raw = Path(root) / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    images, labels = mnist_like(n)
    write_idx(raw / TEST_FILES[0], images, compress=True)
    write_idx(raw / TEST_FILES[1], labels, compress=True)
    return Path(root)
