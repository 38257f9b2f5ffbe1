"""Image data files: the data directory, the IDX and CIFAR readers, and the per-file cache.

The data directory is the one given to :func:`set_data_dir`, else the environment variable
``JUPYTORCH_DATA``, else ``~/.cache/jupytorch``. Readers never run code from a file: CIFAR's
pickled batches go through an unpickler that rebuilds numpy arrays and plain containers only.
"""

from __future__ import annotations

import gzip
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from jupytorch.core.exceptions import JupytorchError

__all__ = ["set_data_dir", "data_dir", "read_idx", "read_array_pickle", "load_once"]

_data_dir: Path | None = None


def set_data_dir(path: str | os.PathLike | None) -> None:
    """Set the directory image tasks are read from (None: back to ``JUPYTORCH_DATA`` / the default).

    Examples
    --------
    >>> set_data_dir("/data/torchvision"); str(data_dir())
    '/data/torchvision'
    >>> set_data_dir(None)
    """
    global _data_dir
    _data_dir = None if path is None else Path(path).expanduser()


def data_dir() -> Path:
    """Return the directory image tasks are read from."""
    if _data_dir is not None:
        return _data_dir
    env = os.environ.get("JUPYTORCH_DATA")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "jupytorch"


# -- file readers ----------------------------------------------------------------------------------
_IDX_DTYPES = {
    0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or not, into a numpy array.

    Examples
    --------
    >>> read_idx("t10k-labels-idx1-ubyte.gz")[:5]  # doctest: +SKIP
    array([7, 2, 1, 0, 4], dtype=uint8)
    """
    path = str(path)
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":  # gzip magic
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise JupytorchError(f"{path} is not a valid gzip file: {error}") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES:
        raise JupytorchError(f"{path} is not an IDX file (bad magic number {raw[:4]!r}).")
    ndim = raw[3]
    dims = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4).astype(np.int64)
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    if len(raw) - 4 - 4 * ndim != expected:
        raise JupytorchError(f"{path}: expected {expected} data bytes for shape {tuple(dims)}, found {len(raw) - 4 - 4 * ndim}.")
    out = np.frombuffer(raw, dtype=dtype, offset=4 + 4 * ndim).copy()
    return out.reshape(tuple(dims))


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles only numpy arrays and plain containers (CIFAR batches); never arbitrary code."""

    ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
        ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    }

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")
        return super().find_class(module, name)


def read_array_pickle(path: Path) -> dict[str, Any]:
    """Read a pickled dict of numpy arrays (a CIFAR batch) with str keys, refusing anything else in it."""
    with open(path, "rb") as f:
        raw = _ArrayUnpickler(f, encoding="bytes").load()
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in raw.items()}


# -- one load per set of files --------------------------------------------------------------------------
_LOADED: dict[tuple, tuple[Any, np.ndarray, list[tuple[str, int]], list[str]]] = {}
_MAX_LOADED = 6


def _file_key(paths: Sequence[Path]) -> tuple:
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


def load_once(paths: Sequence[Path], load: Any) -> tuple[Any, np.ndarray, list[tuple[str, int]], list[str]]:
    """Run ``load()`` once per set of files (by path, mtime and size); later calls share its column."""
    key = _file_key(paths)
    if key not in _LOADED:
        if len(_LOADED) >= _MAX_LOADED:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = load(key)
    return _LOADED[key]
