"""Random geometric augmentations drawn per row and applied to the whole batch in one go.

torchvision's random transforms draw their parameters once per call, so on a batch every row
gets the same crop or rotation. These steps draw one set of parameters per row (with torch's
global generator, so a seeded training run draws the same) and stay vectorised:

- :class:`RandomCrop`: one ``gather`` over per-row row/column index ranges (exact pixel copies,
  as ``v2.functional.crop`` per row).
- :class:`RandomResizedCrop` and :class:`RandomAffine`: one ``affine_grid`` + ``grid_sample`` with
  a per-row sampling matrix. The sampling follows torchvision's conventions (pixel centres,
  ``align_corners=False``); interpolation is bilinear, nearest or bicubic without antialiasing.

Each step has ``sample(n, height, width, device)`` (the per-row parameters) and ``apply(x, params)``
so tests can compare a row with torchvision's functional call on the same parameters.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as nnf

from jupytorch.core.exceptions import JupytorchError
from jupytorch.lazy.pipeops.batch_steps import images_view, restore
from jupytorch.lazy.pipeops.checks import as_pair, padding_ltrb

__all__ = ["RandomAffine", "RandomCrop", "RandomResizedCrop", "crop_rows"]


def _uniform(n: int, low: Any, high: Any, device: torch.device) -> torch.Tensor:
    return torch.rand(n, device=device, dtype=torch.float64) * (high - low) + low


def crop_rows(x: torch.Tensor, top: torch.Tensor, left: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Crop row ``b`` of ``x (B, ..., H, W)`` at ``(top[b], left[b])`` to ``height x width`` (one gather each way)."""
    b, lead = x.shape[0], x.shape[1:-2]
    ones = (1,) * len(lead)
    top, left = top.to(x.device), left.to(x.device)
    rows = (top.view(b, 1) + torch.arange(height, device=x.device)).view(b, *ones, height, 1)
    x = x.gather(-2, rows.expand(b, *lead, height, x.shape[-1]))
    cols = (left.view(b, 1) + torch.arange(width, device=x.device)).view(b, *ones, 1, width)
    return x.gather(-1, cols.expand(b, *lead, height, width))


class RandomCrop:
    """Crop each row at its own random position (after optional padding).

    Parameters
    ----------
    size : int or (int, int)
        Output height and width.
    padding : int or sequence, optional
        Padding of every row first (as ``v2.functional.pad``).
    pad_if_needed : bool
        Pad rows smaller than ``size`` (by the difference on both sides, as torchvision does).
    fill : float
    padding_mode : {"constant", "edge", "reflect", "symmetric"}

    Examples
    --------
    >>> step = RandomCrop(24)
    >>> step(torch.rand(8, 1, 28, 28)).shape
    torch.Size([8, 1, 24, 24])
    """

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False, fill: float = 0.0,
                 padding_mode: str = "constant"):
        self.size = tuple(int(s) for s in as_pair(size))
        self.padding = padding
        self.pad_if_needed = bool(pad_if_needed)
        self.fill = float(fill)
        self.padding_mode = padding_mode

    def total_padding(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) padding for rows of ``height x width``."""
        left, top, right, bottom = padding_ltrb(self.padding)
        if self.pad_if_needed:
            h, w = self.size
            dh = max(0, h - (height + top + bottom))
            dw = max(0, w - (width + left + right))
            left, right, top, bottom = left + dw, right + dw, top + dh, bottom + dh
        return left, top, right, bottom

    def _pad(self, x: torch.Tensor) -> torch.Tensor:
        pads = self.total_padding(x.shape[-2], x.shape[-1])
        if not any(pads):
            return x
        from torchvision.transforms.v2 import functional

        return functional.pad(x, list(pads), fill=self.fill, padding_mode=self.padding_mode)

    def sample(self, n: int, height: int, width: int, device: Any = "cpu") -> dict[str, torch.Tensor]:
        """Per-row offsets ``top``, ``left`` into the padded rows of ``height x width``."""
        h, w = self.size
        if height < h or width < w:
            raise JupytorchError(
                f"RandomCrop: rows of {height}x{width} (after padding) are smaller than the crop {h}x{w}; "
                "set pad_if_needed=True or padding."
            )
        top = torch.randint(0, height - h + 1, (n,), device=device)
        left = torch.randint(0, width - w + 1, (n,), device=device)
        return {"top": top, "left": left}

    def apply(self, x: torch.Tensor, params: dict[str, torch.Tensor]) -> torch.Tensor:
        """Crop the padded batch ``x`` with the given per-row offsets."""
        return crop_rows(x, params["top"], params["left"], *self.size)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        x = self._pad(x)
        return self.apply(x, self.sample(x.shape[0], x.shape[-2], x.shape[-1], x.device))

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding}, pad_if_needed={self.pad_if_needed})"


def _sample_grid(x: torch.Tensor, theta: torch.Tensor, out_hw: tuple[int, int], mode: str,
                 padding_mode: str = "zeros", fill: float | None = None, box: torch.Tensor | None = None) -> torch.Tensor:
    """Sample ``x (B, ..., H, W)`` on the grids of the normalized matrices ``theta (B, 2, 3)``.

    ``box (B, 4)`` (normalized x_min, x_max, y_min, y_max) clamps each row's sampling points, so
    that resizing a crop never reads pixels outside it (as resizing the cropped image would not).
    """
    y, lead, dtype = images_view(x)
    b, c = y.shape[:2]
    if fill is not None:
        y = torch.cat([y, torch.ones_like(y[:, :1])], dim=1)
    grid = nnf.affine_grid(theta.to(device=y.device, dtype=y.dtype), [b, y.shape[1], *out_hw], align_corners=False)
    if box is not None:
        box = box.to(device=y.device, dtype=grid.dtype).view(b, 1, 1, 4)
        grid = torch.stack([grid[..., 0].clamp(box[..., 0], box[..., 1]), grid[..., 1].clamp(box[..., 2], box[..., 3])], -1)
    out = nnf.grid_sample(y, grid, mode=mode, padding_mode=padding_mode, align_corners=False)
    if fill is not None:
        out, mask = out[:, :c], out[:, c:]
        if mode == "nearest":
            out = torch.where(mask < 0.5, torch.full_like(out, fill), out)
        else:
            out = (out - fill) * mask + fill
    return restore(out, lead, dtype)


class RandomResizedCrop:
    """Crop a random area with a random aspect ratio from each row, then resize it to ``size``.

    The boxes are drawn per row as torchvision draws them (area fraction from ``scale``, log-uniform
    ratio from ``ratio``, ten tries, then a central crop); all rows are resized in one
    ``grid_sample`` call. Bilinear results equal ``v2.functional.resized_crop(..., antialias=False)``
    per row; there is no antialiasing when a box is shrunk.

    Parameters
    ----------
    size : int or (int, int)
    scale : (float, float)
    ratio : (float, float)
    interpolation : {"bilinear", "nearest", "bicubic"}

    Examples
    --------
    >>> RandomResizedCrop(16)(torch.rand(8, 3, 32, 32)).shape
    torch.Size([8, 3, 16, 16])
    """

    def __init__(self, size: Any, scale: Any = (0.08, 1.0), ratio: Any = (3 / 4, 4 / 3),
                 interpolation: str = "bilinear"):
        self.size = tuple(int(s) for s in as_pair(size))
        self.scale = (float(scale[0]), float(scale[1]))
        self.ratio = (float(ratio[0]), float(ratio[1]))
        self.interpolation = interpolation

    def sample(self, n: int, height: int, width: int, device: Any = "cpu") -> dict[str, torch.Tensor]:
        """Per-row boxes ``top``, ``left``, ``height``, ``width`` (int64)."""
        tries = 10
        area = height * width
        target = area * _uniform(n * tries, *self.scale, device).view(n, tries)
        log_ratio = _uniform(n * tries, math.log(self.ratio[0]), math.log(self.ratio[1]), device).view(n, tries)
        aspect = torch.exp(log_ratio)
        w = torch.round(torch.sqrt(target * aspect)).long()
        h = torch.round(torch.sqrt(target / aspect)).long()
        ok = (w > 0) & (w <= width) & (h > 0) & (h <= height)
        first = ok.to(torch.int8).argmax(dim=1)
        rows = torch.arange(n, device=device)
        h, w, found = h[rows, first], w[rows, first], ok.any(dim=1)
        fb_h, fb_w = self._fallback(height, width)
        h = torch.where(found, h, torch.full_like(h, fb_h))
        w = torch.where(found, w, torch.full_like(w, fb_w))
        top = torch.floor(torch.rand(n, device=device, dtype=torch.float64) * (height - h + 1)).long()
        left = torch.floor(torch.rand(n, device=device, dtype=torch.float64) * (width - w + 1)).long()
        return {"top": top, "left": left, "height": h, "width": w}

    def _fallback(self, height: int, width: int) -> tuple[int, int]:
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            return min(height, round(width / self.ratio[0])), width
        if in_ratio > self.ratio[1]:
            return height, min(width, round(height * self.ratio[1]))
        return height, width

    def apply(self, x: torch.Tensor, params: dict[str, torch.Tensor]) -> torch.Tensor:
        """Resize box ``b`` of row ``b`` to ``size`` for all rows at once."""
        height, width = x.shape[-2], x.shape[-1]
        top, left = params["top"].to(torch.float64), params["left"].to(torch.float64)
        h, w = params["height"].to(torch.float64), params["width"].to(torch.float64)
        theta = torch.zeros(x.shape[0], 2, 3, dtype=torch.float64, device=top.device)
        theta[:, 0, 0] = w / width
        theta[:, 0, 2] = (2 * left + w) / width - 1
        theta[:, 1, 1] = h / height
        theta[:, 1, 2] = (2 * top + h) / height - 1
        # centres of the box's first and last pixels, normalized
        box = torch.stack([(2 * left + 1) / width - 1, (2 * (left + w) - 1) / width - 1,
                           (2 * top + 1) / height - 1, (2 * (top + h) - 1) / height - 1], -1)
        return _sample_grid(x, theta, self.size, self.interpolation, padding_mode="border", box=box)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        # boxes are drawn on the CPU in float64 (as torchvision's Python floats); only the matrices move
        return self.apply(x, self.sample(x.shape[0], x.shape[-2], x.shape[-1]))

    def __repr__(self) -> str:
        return f"RandomResizedCrop(size={self.size}, scale={self.scale}, ratio={self.ratio})"


class RandomAffine:
    """Rotate, translate, scale and shear each row by its own random amounts (one ``grid_sample``).

    The parameters are drawn per row as ``v2.RandomAffine`` draws them once per call; the
    sampling matrix of each row is the one ``v2.functional.affine`` uses for those values.

    Parameters
    ----------
    degrees : float or (float, float)
        Rotation range in degrees (a number ``d`` means ``(-d, d)``).
    translate : (float, float), optional
        Largest shift as fractions of width and height.
    scale : (float, float), optional
    shear : float or sequence of 2 or 4 floats, optional
        x shear range (``s`` means ``(-s, s)``), and with 4 values also the y range.
    interpolation : {"nearest", "bilinear"}
    fill : float or None
        Value for pixels that come from outside the image.
    center : (float, float), optional
        Centre of rotation in pixels (default: the image centre).

    Examples
    --------
    >>> RandomAffine(degrees=15, translate=(0.1, 0.1))(torch.rand(8, 1, 28, 28)).shape
    torch.Size([8, 1, 28, 28])
    """

    def __init__(self, degrees: Any, translate: Any = None, scale: Any = None, shear: Any = None,
                 interpolation: str = "nearest", fill: float | None = 0.0, center: Any = None):
        lo, hi = (-abs(degrees), abs(degrees)) if not isinstance(degrees, (tuple, list)) else degrees
        self.degrees = (float(lo), float(hi))
        self.translate = None if translate is None else (float(translate[0]), float(translate[1]))
        self.scale = None if scale is None else (float(scale[0]), float(scale[1]))
        if shear is None:
            self.shear = None
        elif not isinstance(shear, (tuple, list)):
            self.shear = (-abs(shear), abs(shear), 0.0, 0.0)
        else:
            s = [float(v) for v in shear]
            self.shear = (s[0], s[1], 0.0, 0.0) if len(s) == 2 else tuple(s)
        self.interpolation = interpolation
        self.fill = None if fill is None else float(fill)
        self.center = None if center is None else (float(center[0]), float(center[1]))

    def sample(self, n: int, height: int, width: int, device: Any = "cpu") -> dict[str, torch.Tensor]:
        """Per-row ``angle`` (degrees), ``tx``, ``ty`` (pixels), ``scale``, ``shear_x``, ``shear_y`` (degrees)."""
        zeros = torch.zeros(n, dtype=torch.float64, device=device)
        params = {"angle": _uniform(n, *self.degrees, device)}
        if self.translate is not None:
            dx, dy = self.translate[0] * width, self.translate[1] * height
            params["tx"] = torch.round(_uniform(n, -dx, dx, device))
            params["ty"] = torch.round(_uniform(n, -dy, dy, device))
        else:
            params["tx"], params["ty"] = zeros, zeros.clone()
        params["scale"] = _uniform(n, *self.scale, device) if self.scale is not None else zeros + 1.0
        if self.shear is not None:
            params["shear_x"] = _uniform(n, self.shear[0], self.shear[1], device)
            params["shear_y"] = _uniform(n, self.shear[2], self.shear[3], device)
        else:
            params["shear_x"], params["shear_y"] = zeros.clone(), zeros.clone()
        return params

    def apply(self, x: torch.Tensor, params: dict[str, torch.Tensor]) -> torch.Tensor:
        """Warp row ``b`` by its parameters, all rows in one ``grid_sample``."""
        height, width = x.shape[-2], x.shape[-1]
        theta = inverse_affine(params, height, width, self.center)
        # pixel matrices -> normalized ones: input rows are divided by the half sizes (W/2, H/2),
        # output columns multiplied by them (affine_grid feeds normalized output coordinates)
        theta[:, 0, :] /= width / 2
        theta[:, 1, :] /= height / 2
        theta[:, :, 0] *= width / 2
        theta[:, :, 1] *= height / 2
        return _sample_grid(x, theta, (height, width), self.interpolation, fill=self.fill)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.apply(x, self.sample(x.shape[0], x.shape[-2], x.shape[-1]))  # drawn on the CPU, as above

    def __repr__(self) -> str:
        return (f"RandomAffine(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear})")


def inverse_affine(params: dict[str, torch.Tensor], height: int, width: int, center: Any = None) -> torch.Tensor:
    """Per-row matrices ``(B, 2, 3)`` mapping output pixels to input pixels, both centred on the image.

    The forward map rotates by ``angle`` and shears by ``shear_x``/``shear_y`` about ``center``,
    scales, then translates by ``(tx, ty)``; its linear part has determinant ``scale**2``, so the
    inverse is the adjugate divided by ``scale``.
    """
    rot = torch.deg2rad(params["angle"])
    sx, sy = torch.deg2rad(params["shear_x"]), torch.deg2rad(params["shear_y"])
    a = torch.cos(rot - sy) / torch.cos(sy)
    b = -torch.cos(rot - sy) * torch.tan(sx) / torch.cos(sy) - torch.sin(rot)
    c = torch.sin(rot - sy) / torch.cos(sy)
    d = -torch.sin(rot - sy) * torch.tan(sx) / torch.cos(sy) + torch.cos(rot)
    s = params["scale"]
    cx, cy = (0.0, 0.0) if center is None else (center[0] - width * 0.5, center[1] - height * 0.5)
    m = torch.stack([torch.stack([d, -b], -1), torch.stack([-c, a], -1)], -2) / s.view(-1, 1, 1)
    shift = torch.stack([-cx - params["tx"], -cy - params["ty"]], -1)
    offset = (m @ shift.unsqueeze(-1)).squeeze(-1) + torch.tensor([cx, cy], dtype=m.dtype, device=m.device)
    return torch.cat([m, offset.unsqueeze(-1)], dim=-1)
