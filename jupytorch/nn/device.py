"""Devices and threads: ``auto_device``, ``resolve_device`` and a ``num_threads`` context."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["auto_device", "resolve_device", "seeded", "torch_threads"]


def auto_device() -> torch.device:
    """The best available device: CUDA, then Apple MPS, then the CPU.

    Examples
    --------
    >>> auto_device().type in ("cuda", "mps", "cpu")
    True
    """
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def resolve_device(value: Any, owner: str = "") -> torch.device:
    """Turn the ``device`` parameter (``"auto"``, ``"cpu"``, ``"cuda:1"``, a torch.device) into a device."""
    if value is None or value == "auto":
        return auto_device()
    try:
        device = torch.device(value)
    except (RuntimeError, TypeError) as error:
        raise InvalidParameterError(
            f"{owner}parameter 'device' must be 'auto', 'cpu', 'cuda', 'cuda:<n>', 'mps' or a torch.device. Got {value!r} instead."
        ) from error
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameterError(f"{owner}device {value!r} was asked for, but CUDA is not available here; use device='auto' or 'cpu'.")
    return device


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Use ``n`` CPU threads inside the block (None: leave torch's setting)."""
    if n is None:
        yield
        return
    previous = torch.get_num_threads()
    if previous != n:
        torch.set_num_threads(int(n))
    try:
        yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


@contextlib.contextmanager
def seeded(seed: int | None, device: torch.device) -> Iterator[None]:
    """Seed torch's random numbers inside the block and restore the caller's state after it."""
    if seed is None:
        yield
        return
    devices = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type=device.type if device.type == "cuda" else "cuda"):
        torch.manual_seed(int(seed))
        yield
