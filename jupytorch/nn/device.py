"""Devices and threads: ``auto_device``, ``resolve_device`` and a ``num_threads`` context."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["auto_device", "device_rows", "device_status", "resolve_device", "seeded", "torch_threads"]


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
    """Seed torch's random numbers inside the block and restore the caller's state after it."""
    if seed is None:
        yield
        return
    devices = [device.index if device.index is not None else torch.cuda.current_device()] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type=device.type if device.type == "cuda" else "cuda"):
        torch.manual_seed(int(seed))
        yield
