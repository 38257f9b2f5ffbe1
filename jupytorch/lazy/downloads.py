"""Download the files of image tasks into the data directory when they are missing.

MNIST, Fashion-MNIST, CIFAR-10 and CIFAR-100 are fetched with torchvision's own dataset
downloaders (their mirrors and checksums), into the layout :mod:`jupytorch.lazy.tasks` reads:
``<data dir>/MNIST/raw/``, ``<data dir>/FashionMNIST/raw/``, ``<data dir>/cifar-10-batches-py/``,
``<data dir>/cifar-100-python/``. The data directory is ``JUPYTORCH_DATA`` (or
``jupytorch.lazy.tasks.set_data_dir()``; default ``~/.cache/jupytorch``). Without network,
or with ``JUPYTORCH_OFFLINE=1``, nothing is fetched and the task's error says which files to put
where.
"""

from __future__ import annotations

import contextlib
import io
import socket
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TIMEOUT", "fetch_torchvision"]

#: seconds to wait for a server before giving up (per blocking read)
TIMEOUT = 60.0

_CLASSES = {"MNIST": "MNIST", "FashionMNIST": "FashionMNIST", "cifar10": "CIFAR10", "cifar100": "CIFAR100"}


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def fetch_torchvision(name: str, root: str | Path) -> str | None:
    """Download the train and test files of ``name`` with torchvision into ``root``.

    Parameters
    ----------
    name : {"MNIST", "FashionMNIST", "cifar10", "cifar100"}
    root : path
        The data directory.

    Returns
    -------
    str or None
        None when the files are there now, else why they could not be downloaded.

    Examples
    --------
    >>> import os; os.environ["JUPYTORCH_OFFLINE"] = "1"
    >>> fetch_torchvision("MNIST", "/tmp/nowhere")
    'downloads are turned off (JUPYTORCH_OFFLINE is set)'
    >>> del os.environ["JUPYTORCH_OFFLINE"]
    """
    from jupytorch.core.download import offline

    if offline():
        return "downloads are turned off (JUPYTORCH_OFFLINE is set)"
    import torchvision.datasets

    cls = getattr(torchvision.datasets, _CLASSES[name])
    try:
        # torchvision prints its progress; keep the notebook output to our own messages
        with _socket_timeout(TIMEOUT), contextlib.redirect_stdout(io.StringIO()):
            for train in (True, False):
                cls(str(root), train=train, download=True)
    except Exception as error:  # noqa: BLE001 - any failure means: not available, say why
        lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [repr(error)]
        detail = lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
        return f"{type(error).__name__}: {detail}"
    return None
