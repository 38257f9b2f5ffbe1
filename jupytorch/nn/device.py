"""Devices, threads, seeding and mixed precision: ``auto_device``, ``resolve_device``, ``torch_threads``,
``seeded`` and ``autocast`` (with ``AMP_DTYPES``, the one map from ``precision`` to a dtype).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["AMP_DTYPES", "auto_device", "autocast", "device_rows", "device_status", "resolve_device", "seeded",
           "torch_threads"]

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


def _cuda_utilization(index: int) -> float | None:
    """Percent of time the GPU was busy (through NVML, when ``pynvml`` is installed), else None."""
    try:
        return float(torch.cuda.utilization(index))
    except Exception:  # noqa: BLE001 - NVML missing or not supported by the driver
        return None


def device_status(device: Any = "cpu", utilization: bool = True) -> dict[str, Any]:
    """What a device is and how busy it is: the one source of the device line of progress views.

    Returns a dict with ``type`` and ``name``, and for CUDA ``memory_used``, ``memory_peak``,
    ``memory_total`` (bytes, through ``torch.cuda``) and ``utilization`` (percent, through NVML
    when ``pynvml`` is installed, else None). For the CPU the name gives cores and torch threads.

    Examples
    --------
    >>> status = device_status("cpu")
    >>> status["type"], "threads" in status["name"]
    ('cpu', True)
    """
    import os

    device = torch.device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return {
            "type": f"cuda:{index}", "name": torch.cuda.get_device_name(index),
            "memory_used": torch.cuda.memory_allocated(index), "memory_peak": torch.cuda.max_memory_allocated(index),
            "memory_total": torch.cuda.get_device_properties(index).total_memory,
            "utilization": _cuda_utilization(index) if utilization else None,
        }
    if device.type == "mps":
        return {"type": "mps", "name": "Apple Metal"}
    threads = torch.get_num_threads()
    return {"type": device.type, "name": f"{os.cpu_count()} cores, torch threads: {threads}"}


def device_rows() -> list[dict[str, Any]]:
    """One row per device torch sees (the CPU, each CUDA GPU, MPS), as ``%jupytorch device`` lists them.

    Examples
    --------
    >>> device_rows()[0]["device"]
    'cpu'
    """
    rows: list[dict[str, Any]] = [{"device": "cpu", "name": f"{device_status('cpu')['name']}, torch {torch.__version__}",
                                   "available": True}]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            status = device_status(f"cuda:{index}")
            props = torch.cuda.get_device_properties(index)
            row = {"device": status["type"], "name": status["name"], "available": True,
                   "memory_total_gb": round(status["memory_total"] / 2**30, 2),
                   "memory_used_gb": round(status["memory_used"] / 2**30, 3),
                   "memory_peak_gb": round(status["memory_peak"] / 2**30, 3),
                   "capability": f"{props.major}.{props.minor}"}
            if status["utilization"] is not None:
                row["utilization_pct"] = status["utilization"]
            rows.append(row)
    else:
        rows.append({"device": "cuda", "name": "no CUDA GPU visible", "available": False})
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        rows.append({"device": "mps", "name": "Apple Metal", "available": True})
    return rows


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
