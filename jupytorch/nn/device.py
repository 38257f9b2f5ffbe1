"""Devices, threads, seeding and mixed precision: ``auto_device``, ``resolve_device``, ``torch_threads``,
``seeded`` and ``autocast`` (with ``AMP_DTYPES``, the one map from ``precision`` to a dtype)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["AMP_DTYPES", "auto_device", "autocast", "resolve_device", "seeded", "torch_threads"]

AMP_DTYPES: dict[str, torch.dtype] = {"bf16": torch.bfloat16, "fp16": torch.float16}
"""The ``precision`` parameter's values and the dtype ``torch.autocast`` computes in."""

_NULL = contextlib.nullcontext()


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
    """Seed torch's generators that ``device`` uses inside the block; restore the caller's state after it.

    Only the CPU generator is seeded, plus the CUDA generator of ``device`` when it is a CUDA
    device: ``torch.manual_seed`` would also queue the seeding of every accelerator (and record a
    stack trace for it) on each call.

    Examples
    --------
    >>> with seeded(1, torch.device("cpu")):
    ...     a = torch.rand(2)
    >>> with seeded(1, torch.device("cpu")):
    ...     b = torch.rand(2)
    >>> bool((a == b).all())
    True
    """
    if seed is None:
        yield
        return
    cpu = torch.default_generator
    saved = cpu.get_state()
    cuda = None
    if device.type == "cuda":
        torch.cuda.init()  # fills torch.cuda.default_generators
        index = device.index if device.index is not None else torch.cuda.current_device()
        cuda = torch.cuda.default_generators[index]
        saved_cuda = cuda.get_state()
        cuda.manual_seed(int(seed))
    cpu.manual_seed(int(seed))
    try:
        yield
    finally:
        cpu.set_state(saved)
        if cuda is not None:
            cuda.set_state(saved_cuda)


def autocast(device: torch.device, precision: str | None) -> Any:
    """The ``torch.autocast`` context for ``precision`` (None: a no-op context).

    Examples
    --------
    >>> with autocast(torch.device("cpu"), "bf16"):
    ...     out = torch.nn.Linear(2, 1)(torch.ones(1, 2))
    >>> out.dtype
    torch.bfloat16
    """
    dtype = AMP_DTYPES.get(precision or "")
    return _NULL if dtype is None else torch.autocast(device.type, dtype=dtype)
