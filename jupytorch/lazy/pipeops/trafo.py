"""The ``trafo_*`` PipeOps: preprocessing applied in train and predict (``stages="both"``).

Each row of :data:`TRAFO_SPECS` becomes a class (``trafo_resize`` -> ``PipeOpTrafoResize``) whose
step is one ``torchvision.transforms.v2.functional`` call on the whole batch (``trafo_reshape``:
a tensor reshape; ``trafo_nop``: no step).

Examples
--------
>>> from jupytorch import po
>>> po("trafo_resize", size=(32, 32)).shapes_out((None, 1, 28, 28))
(None, 1, 32, 32)
"""

from __future__ import annotations

from typing import Any

from jupytorch.core.paramset import ParamDbl, ParamFct, ParamLgl, ParamUty
from jupytorch.lazy.graph import Shape
from jupytorch.lazy.pipeops.base import OpSpec, make_op_class
from jupytorch.lazy.pipeops.batch_steps import Functional
from jupytorch.lazy.pipeops.checks import (
    ShapeContext,
    add,
    check_int_or_pair,
    check_numbers,
    check_padding,
    is_int,
    padding_ltrb,
)
from jupytorch.lazy.steps import Reshape

__all__ = ["INTERPOLATIONS", "TRAFO_SPECS", "resize_shape"]

T = ("train",)
TR = ("train", "required")
INTERPOLATIONS = ["nearest", "nearest-exact", "bilinear", "bicubic"]


def _same(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    return shape


def _channels_same(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    ctx.channels((1, 3))
    return shape


# -- reshape ---------------------------------------------------------------------------------------
def _check_reshape(value: Any) -> bool | str:
    ok = isinstance(value, (tuple, list)) and len(value) >= 1 and value[0] in (-1, None)
    ok = ok and all(is_int(d) and (d > 0 or d == -1) for d in value[1:]) and sum(d == -1 for d in value[1:]) <= 1
    return True if ok else "a shape starting with -1 (the batch), e.g. (-1, 784); at most one other -1"


def _reshape_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    step = Reshape(pv["shape"])
    rest = [d for d in step.shape[1:]]
    known = None if any(d is None for d in shape[1:]) else 1
    if known is not None:
        for d in shape[1:]:
            known *= d
        fixed = 1
        for d in rest:
            fixed *= d if d != -1 else 1
        fits = known % fixed == 0 if -1 in rest else known == fixed
        if not fits:
            raise ctx.fail(f"rows whose {known} elements fill the shape {tuple(pv['shape'])}")
    return step.out_shape(shape)


# -- resize ----------------------------------------------------------------------------------------
def resize_shape(ctx: ShapeContext, shape: Shape, size: Any) -> Shape:
    """Output shape of ``v2.functional.resize`` (an int size matches the shorter edge, keeping the ratio)."""
    h, w = ctx.spatial()
    if isinstance(size, (tuple, list)) and len(size) == 2:
        return ctx.with_hw(int(size[0]), int(size[1]))
    s = int(size[0]) if isinstance(size, (tuple, list)) else int(size)
    if h is None or w is None:
        return ctx.with_hw(None, None)
    short, long = (h, w) if h <= w else (w, h)
    new_long = int(s * long / short)
    return ctx.with_hw(s, new_long) if h <= w else ctx.with_hw(new_long, s)


def _resize_step(pv: dict[str, Any]) -> Functional:
    size = pv["size"]
    size = [int(size)] if is_int(size) else [int(s) for s in size]
    return Functional("resize", size=size, interpolation=pv["interpolation"],
                      antialias=pv["antialias"])


# -- normalize -------------------------------------------------------------------------------------
def _normalize_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    if len(shape) < 4:
        raise ctx.fail("images (None, C, H, W) (the mean and std are per channel)")
    c = shape[-3]
    for pid in ("mean", "std"):
        n = 1 if not isinstance(pv[pid], (tuple, list)) else len(pv[pid])
        if c is not None and n not in (1, c):
            raise ctx.fail(f"one {pid} per channel: {c} values (or a single one), got {n}")
    return shape


def _as_list(value: Any) -> list[float]:
    return [float(v) for v in value] if isinstance(value, (tuple, list)) else [float(value)]


def _check_std(value: Any) -> bool | str:
    ok = check_numbers(value) is True and all(v > 0 for v in _as_list(value))
    return True if ok else "a number > 0 or a sequence of numbers > 0, one per channel"


# -- pad -------------------------------------------------------------------------------------------
def _pad_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    h, w = ctx.spatial()
    left, top, right, bottom = padding_ltrb(pv["padding"])
    too_wide = (h is not None and max(top, bottom) >= h) or (w is not None and max(left, right) >= w)
    if pv["padding_mode"] == "reflect" and too_wide:
        raise ctx.fail("padding smaller than the image's height and width for padding_mode='reflect'")
    return ctx.with_hw(add(h, top + bottom), add(w, left + right))


def _pad_step(pv: dict[str, Any]) -> Functional:
    return Functional("pad", padding=list(padding_ltrb(pv["padding"])), fill=float(pv["fill"]),
                      padding_mode=pv["padding_mode"])


# -- grayscale -------------------------------------------------------------------------------------
def _gray_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    ctx.channels((1, 3))
    return (*shape[:-3], int(pv["num_output_channels"]), *shape[-2:])


def _gray_params() -> dict[str, Any]:
    return {"num_output_channels": ParamFct([1, 3], default=1, tags=T,
                                            description="Channels of the output: 1, or 3 equal ones.")}


def _gray_step(pv: dict[str, Any]) -> Functional:
    return Functional("rgb_to_grayscale", num_output_channels=int(pv["num_output_channels"]))


def _adjust(name: str, pid: str) -> Any:
    def make(pv: dict[str, Any]) -> Functional:
        return Functional(name, **{pid: float(pv[pid])})

    return make


TRAFO_SPECS = [
    OpSpec("trafo_nop", "Pass lazy tensors on unchanged", {}, lambda pv: None, _same,
           batched="no step is added"),
    OpSpec(
        "trafo_reshape", "Reshape each row, e.g. images (1, 28, 28) to vectors (784)",
        {"shape": ParamUty(tags=TR, custom_check=_check_reshape,
                           description="The new shape, batch first as -1: (-1, 784) or (-1, 1, 28, 28).")},
        lambda pv: Reshape(pv["shape"]), _reshape_shape,
        example=">>> from jupytorch import po\n>>> po('trafo_reshape', shape=(-1, 784)).shapes_out((None, 1, 28, 28))\n"
                "(None, 784)",
        batched="one reshape of the batch",
    ),
    OpSpec(
        "trafo_resize", "Resize images to ``size`` (``v2.functional.resize``)",
        {"size": ParamUty(tags=TR, custom_check=check_int_or_pair,
                          description="(height, width), or one int for the shorter edge (keeping the aspect ratio)."),
         "interpolation": ParamFct(INTERPOLATIONS, default="bilinear", tags=T, description="Interpolation mode."),
         "antialias": ParamLgl(default=True, tags=T, description="Antialias when shrinking (bilinear, bicubic).")},
        _resize_step, lambda ctx, shape, pv: resize_shape(ctx, shape, pv["size"]),
        example=">>> from jupytorch import po\n>>> po('trafo_resize', size=(224, 224)).shapes_out((None, 3, 64, 64))\n"
                "(None, 3, 224, 224)",
    ),
    OpSpec(
        "trafo_normalize", "Normalize each channel: ``(x - mean) / std``",
        {"mean": ParamUty(tags=TR, custom_check=check_numbers, description="Per-channel means (or one for all)."),
         "std": ParamUty(tags=TR, custom_check=_check_std, description="Per-channel standard deviations > 0.")},
        lambda pv: Functional("normalize", mean=_as_list(pv["mean"]), std=_as_list(pv["std"])), _normalize_shape,
    ),
    OpSpec(
        "trafo_pad", "Pad images on their borders (``v2.functional.pad``)",
        {"padding": ParamUty(tags=TR, custom_check=check_padding,
                             description="One int for all sides, (left/right, top/bottom) or (left, top, right, bottom)."),
         "fill": ParamDbl(default=0.0, tags=T, description="Value of padded pixels (padding_mode 'constant')."),
         "padding_mode": ParamFct(["constant", "edge", "reflect", "symmetric"], default="constant", tags=T,
                                  description="How the border is filled.")},
        _pad_step, _pad_shape,
    ),
    OpSpec("trafo_grayscale", "Convert RGB images to grayscale", _gray_params(), _gray_step, _gray_shape),
    OpSpec("trafo_rgb_to_grayscale", "Convert RGB images to grayscale (``v2.functional.rgb_to_grayscale``)",
           _gray_params(), _gray_step, _gray_shape),
    OpSpec(
        "trafo_adjust_gamma", "Gamma correction: ``gain * x ** gamma``",
        {"gamma": ParamDbl(0, None, tags=TR, description="The exponent (< 1 brightens dark regions)."),
         "gain": ParamDbl(default=1.0, tags=T, description="The constant multiplier.")},
        lambda pv: Functional("adjust_gamma", gamma=float(pv["gamma"]), gain=float(pv["gain"])), _same,
    ),
    OpSpec("trafo_adjust_brightness", "Scale the brightness of images",
           {"brightness_factor": ParamDbl(0, None, tags=TR, description="0 gives black, 1 the original, 2 doubles.")},
           _adjust("adjust_brightness", "brightness_factor"), _channels_same),
    OpSpec("trafo_adjust_hue", "Shift the hue of RGB images",
           {"hue_factor": ParamDbl(-0.5, 0.5, tags=TR, description="Shift of the hue channel, in [-0.5, 0.5].")},
           _adjust("adjust_hue", "hue_factor"), _channels_same),
    OpSpec("trafo_adjust_saturation", "Scale the colour saturation of RGB images",
           {"saturation_factor": ParamDbl(0, None, tags=TR, description="0 gives grayscale, 1 the original.")},
           _adjust("adjust_saturation", "saturation_factor"), _channels_same),
]

for _spec in TRAFO_SPECS:
    _cls = make_op_class(_spec, __name__)
    globals()[_cls.__name__] = _cls
    __all__.append(_cls.__name__)
del _spec, _cls

