"""The ``augment_*`` PipeOps: augmentation applied to training batches only (``stages="train"``).

Each row of :data:`AUGMENT_SPECS` becomes a class (``augment_random_crop`` ->
``PipeOpAugmentRandomCrop``). Deterministic ops (crop, center_crop, resized_crop, hflip, vflip,
rotate) are one ``torchvision.transforms.v2.functional`` call per batch. Random ops draw their
parameters per row and stay vectorised: flips with :class:`~jupytorch.lazy.steps.RandomFlip`,
crops, resized crops and affine warps with the steps of
:mod:`~jupytorch.lazy.pipeops.random_geometry`, colour jitter with
:class:`~jupytorch.lazy.pipeops.random_color.ColorJitter`.

Examples
--------
>>> from jupytorch import po
>>> po("augment_random_crop", size=24).shapes_out((None, 1, 28, 28))
(None, 1, 24, 24)
"""

from __future__ import annotations

from typing import Any

from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamLgl, ParamUty
from jupytorch.lazy.graph import Shape
from jupytorch.lazy.pipeops.base import OpSpec, make_op_class
from jupytorch.lazy.pipeops.batch_steps import Functional
from jupytorch.lazy.pipeops.checks import (
    ShapeContext,
    allow_none,
    as_pair,
    check_hue,
    check_int_or_pair,
    check_number_or_pair,
    check_padding,
    check_range_pair,
    is_number,
    padding_ltrb,
)
from jupytorch.lazy.pipeops.random_color import ColorJitter
from jupytorch.lazy.pipeops.random_compose import RandomChoice, RandomOrder, as_steps
from jupytorch.lazy.pipeops.random_geometry import (
    RandomAffine,
    RandomCrop,
    RandomResizedCrop,
)
from jupytorch.lazy.pipeops.trafo import INTERPOLATIONS
from jupytorch.lazy.steps import RandomFlip

__all__ = ["AUGMENT_SPECS"]

T = ("train",)
TR = ("train", "required")
PER_ROW = "parameters drawn per row, applied to the batch in one vectorised call"


def _size(size: Any) -> tuple[int, int]:
    h, w = as_pair(size)
    return int(h), int(w)


def _sized(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    ctx.spatial()
    return ctx.with_hw(*_size(pv["size"]))


def _spatial_same(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    ctx.spatial()
    return shape


def _channels_same(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    ctx.channels((1, 3))
    return shape


def _size_param(what: str = "Output (height, width), or one int for a square.") -> ParamUty:
    return ParamUty(tags=TR, custom_check=check_int_or_pair, description=what)


def _box_params() -> dict[str, Any]:
    return {
        "top": ParamInt(tags=TR, description="Row of the box's top edge."),
        "left": ParamInt(tags=TR, description="Column of the box's left edge."),
        "height": ParamInt(1, None, tags=TR, description="Height of the box."),
        "width": ParamInt(1, None, tags=TR, description="Width of the box."),
    }


def _crop_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    ctx.spatial()
    return ctx.with_hw(int(pv["height"]), int(pv["width"]))


def _check_fractions(value: Any) -> bool | str:
    ok = isinstance(value, (tuple, list)) and len(value) == 2 and all(is_number(v) and 0 <= v <= 1 for v in value)
    return True if ok else "a pair of fractions (of width, of height) in [0, 1]"


def _check_fill(value: Any) -> bool | str:
    return True if value is None or is_number(value) else "a number or None"


def _check_center(value: Any) -> bool | str:
    ok = value is None or (isinstance(value, (tuple, list)) and len(value) == 2 and all(is_number(v) for v in value))
    return True if ok else "None or a pair (x, y) of pixel coordinates"


def _check_shear(value: Any) -> bool | str:
    if value is None or (is_number(value) and value >= 0):
        return True
    ok = isinstance(value, (tuple, list)) and len(value) in (2, 4) and all(is_number(v) for v in value)
    return True if ok else "None, a number >= 0, or 2 or 4 numbers (x range, then y range) in degrees"


def _rotate_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    h, w = ctx.spatial()
    if not pv["expand"]:
        return shape
    if h is None or w is None:
        return ctx.with_hw(None, None)
    import torch

    probe = _rotate_step(pv)(torch.zeros(1, h, w))
    return ctx.with_hw(int(probe.shape[-2]), int(probe.shape[-1]))


def _rotate_step(pv: dict[str, Any]) -> Functional:
    fill = pv.get("fill")
    center = pv.get("center")
    return Functional("rotate", angle=float(pv["angle"]), interpolation=pv["interpolation"],
                      expand=bool(pv["expand"]), center=None if center is None else [float(c) for c in center],
                      fill=None if fill is None else [float(fill)])


def _random_crop_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape:
    h, w = ctx.spatial()
    size = _size(pv["size"])
    if not pv["pad_if_needed"]:
        left, top, right, bottom = padding_ltrb(pv.get("padding"))
        small = (h is not None and h + top + bottom < size[0]) or (w is not None and w + left + right < size[1])
        if small:
            raise ctx.fail(f"images of at least {size[0]}x{size[1]} (after padding) for a {size[0]}x{size[1]} crop",
                           "Set pad_if_needed=True or padding=..., or crop smaller.")
    return ctx.with_hw(*size)


def _random_crop_step(pv: dict[str, Any]) -> RandomCrop:
    return RandomCrop(pv["size"], pv.get("padding"), pv["pad_if_needed"], pv["fill"],
                      pv["padding_mode"])


def _affine_step(pv: dict[str, Any]) -> RandomAffine:
    return RandomAffine(pv["degrees"], pv.get("translate"), pv.get("scale"), pv.get("shear"),
                        pv["interpolation"], pv["fill"], pv.get("center"))


def _p_param() -> dict[str, Any]:
    return {"p": ParamDbl(0, 1, default=0.5, tags=T, description="Probability that a row is flipped.")}


def _check_transforms(value: Any) -> bool | str:
    from jupytorch.lazy.pipeops.base import PipeOpTaskPreprocTorch

    ok = isinstance(value, (list, tuple)) and value and all(
        isinstance(t, PipeOpTaskPreprocTorch) or callable(t) for t in value)
    return True if ok else "a non-empty list of preprocessing PipeOps (po('augment_...')) or batch callables"


def _check_weights(value: Any) -> bool | str:
    ok = value is None or (isinstance(value, (list, tuple)) and all(is_number(v) and v >= 0 for v in value))
    return True if ok else "None or one non-negative weight per transform"


def _composed_shapes(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> list[Shape | None]:
    from jupytorch.lazy.pipeops.base import PipeOpTaskPreprocTorch

    return [t.shapes_out(shape, ctx.column) if isinstance(t, PipeOpTaskPreprocTorch) else shape for t in pv["transforms"]]


def _choice_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape | None:
    shapes = _composed_shapes(ctx, shape, pv)
    if len(set(shapes)) > 1:
        raise ctx.fail(f"transforms that agree on the output shape (they give {shapes})")
    weights = pv.get("p")
    if weights is not None and len(weights) != len(pv["transforms"]):
        raise ctx.fail(f"one weight per transform in p ({len(pv['transforms'])}), got {len(weights)}")
    return shapes[0]


def _order_shape(ctx: ShapeContext, shape: Shape, pv: dict[str, Any]) -> Shape | None:
    shapes = _composed_shapes(ctx, shape, pv)
    if any(s != shape for s in shapes):
        raise ctx.fail(f"transforms that keep the shape, as they run in any order (they give {shapes})")
    return shape


def _transforms_param() -> dict[str, Any]:
    return {"transforms": ParamUty(tags=TR, custom_check=_check_transforms,
                                   description="Preprocessing PipeOps or batch callables.")}


AUGMENT_SPECS = [
    OpSpec("augment_crop", "Crop every image to the same box (``v2.functional.crop``)", _box_params(),
           lambda pv: Functional("crop", top=int(pv["top"]), left=int(pv["left"]), height=int(pv["height"]),
                                 width=int(pv["width"])),
           _crop_shape),
    OpSpec("augment_center_crop", "Crop the centre of every image to ``size``", {"size": _size_param()},
           lambda pv: Functional("center_crop", output_size=list(_size(pv["size"]))), _sized),
    OpSpec(
        "augment_resized_crop", "Crop every image to the same box, then resize it to ``size``",
        {**_box_params(), "size": _size_param(),
         "interpolation": ParamFct(INTERPOLATIONS, default="bilinear", tags=T, description="Interpolation mode."),
         "antialias": ParamLgl(default=True, tags=T, description="Antialias when shrinking.")},
        lambda pv: Functional("resized_crop", top=int(pv["top"]), left=int(pv["left"]), height=int(pv["height"]),
                              width=int(pv["width"]), size=list(_size(pv["size"])),
                              interpolation=pv["interpolation"], antialias=pv["antialias"]),
        _sized,
    ),
    OpSpec("augment_hflip", "Flip every image horizontally", {}, lambda pv: Functional("horizontal_flip"), _spatial_same),
    OpSpec("augment_vflip", "Flip every image vertically", {}, lambda pv: Functional("vertical_flip"), _spatial_same),
    OpSpec("augment_random_horizontal_flip", "Flip images horizontally with probability ``p``, drawn per row",
           _p_param(), lambda pv: RandomFlip(pv["p"], dim=-1), _spatial_same, batched=PER_ROW,
           example=">>> from jupytorch import po\n>>> po('augment_random_horizontal_flip', p=0.5).param_set.values['p']\n0.5"),
    OpSpec("augment_random_vertical_flip", "Flip images vertically with probability ``p``, drawn per row",
           _p_param(), lambda pv: RandomFlip(pv["p"], dim=-2), _spatial_same, batched=PER_ROW),
    OpSpec(
        "augment_rotate", "Rotate every image by ``angle`` degrees counter-clockwise",
        {"angle": ParamDbl(tags=TR, description="Angle in degrees, counter-clockwise."),
         "interpolation": ParamFct(["nearest", "bilinear"], default="nearest", tags=T, description="Interpolation."),
         "expand": ParamLgl(default=False, tags=T, description="Grow the output to hold the whole rotated image."),
         "center": ParamUty(None, tags=T, custom_check=_check_center, description="Centre (x, y); default the middle."),
         "fill": ParamUty(None, tags=T, custom_check=_check_fill, description="Value of pixels from outside.")},
        _rotate_step, _rotate_shape,
    ),
    OpSpec(
        "augment_random_crop", "Crop each image at a random position (drawn per row)",
        {"size": _size_param(),
         "padding": ParamUty(None, tags=T, custom_check=allow_none(check_padding),
                             description="Padding of every image before cropping."),
         "pad_if_needed": ParamLgl(default=False, tags=T, description="Pad images smaller than size."),
         "fill": ParamDbl(default=0.0, tags=T, description="Value of padded pixels."),
         "padding_mode": ParamFct(["constant", "edge", "reflect", "symmetric"], default="constant", tags=T,
                                  description="How padding is filled.")},
        _random_crop_step, _random_crop_shape, batched=PER_ROW,
        example=">>> from jupytorch import po\n>>> po('augment_random_crop', size=(24, 24)).shapes_out((None, 1, 28, 28))\n"
                "(None, 1, 24, 24)",
    ),
    OpSpec(
        "augment_random_resized_crop", "Crop a random area and aspect ratio per row, resized to ``size``",
        {"size": _size_param(),
         "scale": ParamUty((0.08, 1.0), tags=T, custom_check=check_range_pair(0.0, 1.0),
                           description="Range of the cropped area as a fraction of the image."),
         "ratio": ParamUty((3 / 4, 4 / 3), tags=T, custom_check=check_range_pair(1e-6, 1e6),
                           description="Range of the aspect ratio (width / height)."),
         "interpolation": ParamFct(["nearest", "bilinear", "bicubic"], default="bilinear", tags=T,
                                   description="Interpolation mode.")},
        lambda pv: RandomResizedCrop(pv["size"], pv["scale"], pv["ratio"],
                                     pv["interpolation"]),
        _sized, batched=PER_ROW,
    ),
    OpSpec(
        "augment_random_affine", "Random rotation, translation, scaling and shear, drawn per row",
        {"degrees": ParamUty(tags=TR, custom_check=check_number_or_pair(-360.0),
                             description="Rotation range in degrees; d means (-d, d)."),
         "translate": ParamUty(None, tags=T, custom_check=allow_none(_check_fractions),
                               description="Largest shift as fractions (of width, of height) in [0, 1]."),
         "scale": ParamUty(None, tags=T, custom_check=allow_none(check_range_pair(1e-6, 1e6)),
                           description="Range of the scale factor."),
         "shear": ParamUty(None, tags=T, custom_check=_check_shear, description="Shear range(s) in degrees."),
         "interpolation": ParamFct(["nearest", "bilinear"], default="nearest", tags=T, description="Interpolation."),
         "fill": ParamUty(0.0, tags=T, custom_check=_check_fill, description="Value of pixels from outside."),
         "center": ParamUty(None, tags=T, custom_check=_check_center, description="Centre (x, y); default the middle.")},
        _affine_step, _spatial_same, batched=PER_ROW,
    ),
    OpSpec(
        "augment_color_jitter", "Random brightness, contrast, saturation and hue, drawn per row",
        {"brightness": ParamUty(0.0, tags=T, custom_check=check_number_or_pair(0.0),
                                description="b draws a factor from [max(0, 1 - b), 1 + b]; or a range."),
         "contrast": ParamUty(0.0, tags=T, custom_check=check_number_or_pair(0.0), description="As brightness."),
         "saturation": ParamUty(0.0, tags=T, custom_check=check_number_or_pair(0.0), description="As brightness."),
         "hue": ParamUty(0.0, tags=T, custom_check=check_hue,
                         description="h draws a shift from [-h, h] (h <= 0.5); or a range.")},
        lambda pv: ColorJitter(pv.get("brightness"), pv.get("contrast"), pv.get("saturation"), pv.get("hue")),
        _channels_same, batched=PER_ROW + " (the order of the four adjustments is drawn per batch)",
    ),
    OpSpec(
        "augment_random_choice", "Apply one of several transforms to each row, chosen per row",
        {**_transforms_param(),
         "p": ParamUty(None, tags=T, custom_check=_check_weights, description="Weights of the transforms (default equal).")},
        lambda pv: RandomChoice(as_steps(pv["transforms"]), pv.get("p")), _choice_shape,
        batched="each transform runs once per batch on the rows that drew it",
        example=">>> from jupytorch import po\n>>> op = po('augment_random_choice', transforms=[po('augment_hflip'), "
                "po('augment_vflip')])\n>>> op.shapes_out((None, 3, 8, 8))\n(None, 3, 8, 8)",
    ),
    OpSpec(
        "augment_random_order", "Apply several transforms in a random order (drawn per batch)", _transforms_param(),
        lambda pv: RandomOrder(as_steps(pv["transforms"])), _order_shape,
        batched="the order is drawn per batch; each transform is one call on the batch",
    ),
]

for _spec in AUGMENT_SPECS:
    _cls = make_op_class(_spec, __name__)
    globals()[_cls.__name__] = _cls
    __all__.append(_cls.__name__)
del _spec, _cls
