"""Tensors as small PNG thumbnails for the notebook widgets (no imaging library needed).

:func:`thumbnail` turns one sample into what :class:`~jupytorch.notebook.LazyTensorPreview`
shows: a greyscale or RGB image for ``(1, H, W)`` and ``(3, H, W)`` tensors, a heat map for other
2-d and 3-d shapes, a value strip for vectors, each downsized to at most ``max_side`` pixels and
encoded by :func:`png_bytes` (a few lines of ``zlib``), plus the sample's shape, dtype and
min/mean/max.
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import numpy as np

__all__ = ["png_bytes", "thumbnail", "image_kind"]

# Eight stops of a perceptually ordered dark-blue -> teal -> yellow ramp (viridis-like), interpolated.
_RAMP = np.array([
    [68, 1, 84], [70, 50, 127], [54, 92, 141], [39, 127, 142],
    [31, 161, 135], [74, 194, 109], [159, 218, 58], [253, 231, 37],
], dtype=np.float64)
_STRIP_MAX = 256  # values shown at most in a value strip


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(pixels: np.ndarray) -> bytes:
    r"""Encode ``(H, W)`` greyscale or ``(H, W, 3)`` RGB ``uint8`` pixels as a PNG file.

    Examples
    --------
    >>> data = png_bytes(np.zeros((2, 3), dtype=np.uint8))
    >>> data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", len(data) < 100
    (True, True)
    """
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim == 2:
        colour = 0
    elif pixels.ndim == 3 and pixels.shape[2] == 3:
        colour = 2
    else:
        raise ValueError(f"png_bytes: pixels must be (H, W) or (H, W, 3) uint8, got shape {pixels.shape}.")
    height, width = pixels.shape[:2]
    rows = pixels.reshape(height, -1)
    raw = np.hstack([np.zeros((height, 1), dtype=np.uint8), rows]).tobytes()  # filter type 0 per row
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def image_kind(shape: tuple[int, ...]) -> str:
    """How a sample of ``shape`` (no batch dimension) is drawn: ``"gray"``, ``"rgb"``, ``"heatmap"`` or ``"strip"``.

    Examples
    --------
    >>> image_kind((1, 28, 28)), image_kind((3, 32, 32)), image_kind((8, 8)), image_kind((784,))
    ('gray', 'rgb', 'heatmap', 'strip')
    """
    if len(shape) == 3 and shape[0] in (1, 3) and min(shape[1:]) > 1:
        return "gray" if shape[0] == 1 else "rgb"
    if len(shape) in (2, 3) and min(shape[-2:]) > 1:
        return "heatmap"
    return "strip"


def _to_unit(values: np.ndarray, integer: bool) -> np.ndarray:
    """Scale to [0, 1]: images in [0, 1] or [0, 255] keep their brightness, anything else is min-max scaled."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros_like(values)
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0 and hi <= 1:
        scaled = values
    elif integer and lo >= 0 and hi <= 255:
        scaled = values / 255.0
    else:
        scaled = (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
    return np.nan_to_num(np.clip(scaled, 0, 1))


def _ramp(unit: np.ndarray) -> np.ndarray:
    pos = unit * (len(_RAMP) - 1)
    low = np.floor(pos).astype(int).clip(0, len(_RAMP) - 2)
    frac = (pos - low)[..., None]
    return (_RAMP[low] * (1 - frac) + _RAMP[low + 1] * frac) / 255.0


def _shrink(array: np.ndarray, max_side: int) -> np.ndarray:
    """Average-pool a ``(C, H, W)`` array so that neither side exceeds ``max_side``."""
    import torch

    height, width = array.shape[-2:]
    if max(height, width) <= max_side:
        return array
    scale = max_side / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    tensor = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))[None]
    return torch.nn.functional.interpolate(tensor, size=size, mode="area")[0].numpy()


def thumbnail(sample: Any, max_side: int = 96) -> dict[str, Any]:
    """A sample (tensor or array without batch dimension) as a PNG data payload with its statistics.

    Returns a dict with ``png`` (base64 text), ``kind`` (see :func:`image_kind`), ``width`` and
    ``height`` of the PNG, ``shape``, ``dtype``, ``min``, ``mean`` and ``max`` (None when the
    sample has no finite values).

    Examples
    --------
    >>> import torch
    >>> t = thumbnail(torch.ones(1, 28, 28))
    >>> t["kind"], t["shape"], t["dtype"], t["mean"], (t["width"], t["height"])
    ('gray', [1, 28, 28], 'float32', 1.0, (28, 28))
    >>> thumbnail(torch.arange(10.0))["kind"]
    'strip'
    """
    dtype = str(getattr(sample, "dtype", "")).replace("torch.", "")
    array = sample.detach().cpu().numpy() if hasattr(sample, "detach") else np.asarray(sample)
    shape = [int(d) for d in array.shape]
    integer = array.dtype.kind in "iub"
    values = array.astype(np.float64, copy=False)
    finite = values[np.isfinite(values)]
    stats = {"min": None, "mean": None, "max": None}
    if finite.size:
        stats = {"min": float(finite.min()), "mean": float(finite.mean()), "max": float(finite.max())}
    kind = image_kind(tuple(shape))
    if kind in ("gray", "rgb"):
        pixels = _to_unit(_shrink(values, max_side), integer)
        pixels = pixels[0] if kind == "gray" else pixels.transpose(1, 2, 0)
    else:
        grid = values.mean(axis=0) if values.ndim == 3 else values
        if kind == "strip":
            flat = grid.reshape(-1)
            if flat.size > _STRIP_MAX:  # pool into at most _STRIP_MAX bins
                edges = np.linspace(0, flat.size, _STRIP_MAX + 1).astype(int)
                flat = np.add.reduceat(flat, edges[:-1]) / np.diff(edges)
            grid = flat.reshape(1, -1) if flat.size else np.zeros((1, 1))
        else:
            grid = _shrink(grid[None], max_side)[0]
        pixels = _ramp(_to_unit(grid, integer))
    pixels = np.round(pixels * 255).astype(np.uint8)
    data = png_bytes(pixels)
    return {"png": base64.b64encode(data).decode("ascii"), "kind": kind, "width": int(pixels.shape[1]),
            "height": int(pixels.shape[0]), "shape": shape, "dtype": dtype, **stats}
