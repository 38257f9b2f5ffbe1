"""Colour jitter with factors drawn per row, applied to the whole batch with broadcasting.

``v2.ColorJitter`` draws one brightness, contrast, saturation and hue factor per call. Here each
row gets its own factors, and each adjustment is one broadcast tensor expression over the batch
(the same formulas as ``v2.functional.adjust_*`` for float images in [0, 1]; integer images
are bounded by 255). The order of the four adjustments is drawn once per batch.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["ColorJitter", "adjust_rows", "jitter_range"]

_GRAY = (0.2989, 0.587, 0.114)


def jitter_range(value: Any, center: float, lower: float, upper: float) -> tuple[float, float] | None:
    """A factor range as torchvision reads it: ``v`` -> ``(center - v, center + v)`` clipped; None: no change."""
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        lo, hi = float(value[0]), float(value[1])
    else:
        lo, hi = center - float(value), center + float(value)
    lo, hi = max(lo, lower), min(hi, upper)
    return None if lo == hi == center else (lo, hi)


def _per_row(factor: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    return factor.to(x.dtype).view(-1, *([1] * (x.dim() - 1)))


def _gray(x: torch.Tensor) -> torch.Tensor:
    r, g, b = x.unbind(dim=-3)
    return (_GRAY[0] * r + _GRAY[1] * g + _GRAY[2] * b).unsqueeze(-3)


def _blend(a: torch.Tensor, b: torch.Tensor, ratio: torch.Tensor, bound: float) -> torch.Tensor:
    return (ratio * a + (1.0 - ratio) * b).clamp(0.0, bound)


def _rgb_to_hsv(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r, g, b = x.unbind(dim=-3)
    maxc, _ = x.max(dim=-3)
    minc, _ = x.min(dim=-3)
    delta = maxc - minc
    safe = torch.where(delta > 0, delta, torch.ones_like(delta))
    s = delta / torch.where(maxc > 0, maxc, torch.ones_like(maxc))
    h = torch.where(maxc == r, ((g - b) / safe) % 6.0, torch.where(maxc == g, (b - r) / safe + 2.0, (r - g) / safe + 4.0))
    h = torch.where(delta > 0, h / 6.0, torch.zeros_like(h))
    return h, s, maxc


def _hsv_to_rgb(h: torch.Tensor, s: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    h6 = h * 6.0
    i = torch.floor(h6)
    f = h6 - i
    i = i.long() % 6
    p, q, t = v * (1.0 - s), v * (1.0 - s * f), v * (1.0 - s * (1.0 - f))
    choices = (
        (v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q),
    )
    r, g, b = (torch.zeros_like(v) for _ in range(3))
    for k, (cr, cg, cb) in enumerate(choices):
        sel = i == k
        r, g, b = torch.where(sel, cr, r), torch.where(sel, cg, g), torch.where(sel, cb, b)
    return torch.stack([r, g, b], dim=-3)


def adjust_rows(x: torch.Tensor, what: str, factor: torch.Tensor) -> torch.Tensor:
    """Adjust row ``b`` of the float images ``x (B, ..., C, H, W)`` by ``factor[b]``.

    ``what`` is ``"brightness"``, ``"contrast"``, ``"saturation"`` or ``"hue"``; the formulas are
    those of ``v2.functional.adjust_<what>`` with a per-row factor.
    """
    bound = 1.0 if x.is_floating_point() else 255.0
    dtype = x.dtype
    y = x if x.is_floating_point() else x.to(torch.float32)
    f = _per_row(factor, y)
    c = y.shape[-3]
    if what == "brightness":
        out = (y * f).clamp(0.0, bound)
    elif what == "contrast":
        gray = _gray(y) if c == 3 else y
        out = _blend(y, gray.mean(dim=(-3, -2, -1), keepdim=True), f, bound)
    elif what == "saturation":
        out = y if c == 1 else _blend(y, _gray(y), f, bound)
    elif what == "hue":
        if c == 1:
            out = y
        else:
            h, s, v = _rgb_to_hsv(y / bound)
            out = _hsv_to_rgb((h + f.squeeze(-3)) % 1.0, s, v) * bound
    else:
        raise ValueError(f"adjust_rows: unknown adjustment {what!r}.")
    return out if dtype.is_floating_point else out.round().clamp(0, 255).to(dtype)


class ColorJitter:
    """Jitter brightness, contrast, saturation and hue with factors drawn per row.

    Parameters
    ----------
    brightness, contrast, saturation : float or (float, float), optional
        ``v`` draws a factor from ``[max(0, 1 - v), 1 + v]``; a pair gives the range.
    hue : float or (float, float), optional
        ``v`` draws a hue shift from ``[-v, v]`` (within [-0.5, 0.5]).

    Examples
    --------
    >>> ColorJitter(brightness=0.4, hue=0.1)(torch.rand(8, 3, 16, 16)).shape
    torch.Size([8, 3, 16, 16])
    """

    def __init__(self, brightness: Any = None, contrast: Any = None, saturation: Any = None, hue: Any = None):
        self.ranges = {
            "brightness": jitter_range(brightness, 1.0, 0.0, float("inf")),
            "contrast": jitter_range(contrast, 1.0, 0.0, float("inf")),
            "saturation": jitter_range(saturation, 1.0, 0.0, float("inf")),
            "hue": jitter_range(hue, 0.0, -0.5, 0.5),
        }

    def sample(self, n: int, device: Any = "cpu") -> dict[str, Any]:
        """Per-row factors for each active adjustment, and one order for the batch."""
        params: dict[str, Any] = {"order": [list(self.ranges)[i] for i in torch.randperm(4).tolist()]}
        for what, bounds in self.ranges.items():
            if bounds is not None:
                lo, hi = bounds
                params[what] = torch.rand(n, device=device) * (hi - lo) + lo
        return params

    def apply(self, x: torch.Tensor, params: dict[str, Any]) -> torch.Tensor:
        """Apply the adjustments in ``params["order"]`` with their per-row factors."""
        for what in params["order"]:
            if what in params:
                x = adjust_rows(x, what, params[what])
        return x

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.apply(x, self.sample(x.shape[0], x.device))

    def __repr__(self) -> str:
        active = ", ".join(f"{k}={v}" for k, v in self.ranges.items() if v is not None)
        return f"ColorJitter({active})"
