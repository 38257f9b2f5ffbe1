"""augment_* PipeOps: train-only stage semantics, per-row randomness, equality with torchvision per row."""

from __future__ import annotations

import pytest
import torch
from torchvision.transforms.v2 import functional as F

import jupytorch as jt
from jupytorch import po
from jupytorch.core.exceptions import TaskError
from jupytorch.lazy.pipeops.augment import AUGMENT_SPECS
from jupytorch.lazy.pipeops.checks import LazyShapeError
from jupytorch.lazy.pipeops.random_color import ColorJitter, adjust_rows
from jupytorch.lazy.pipeops.random_geometry import (
    RandomAffine,
    RandomCrop,
    RandomResizedCrop,
)
from jupytorch.lazy.pipeops.trafo import TRAFO_SPECS

# deterministic ops: key -> (parameter values, the torchvision call the training batches must equal)
DETERMINISTIC = {
    "augment_crop": ({"top": 2, "left": 3, "height": 10, "width": 12}, lambda x: F.crop(x, 2, 3, 10, 12)),
    "augment_center_crop": ({"size": 10}, lambda x: F.center_crop(x, [10, 10])),
    "augment_resized_crop": ({"top": 1, "left": 2, "height": 10, "width": 12, "size": (20, 24)},
                             lambda x: F.resized_crop(x, 1, 2, 10, 12, [20, 24], antialias=True)),
    "augment_hflip": ({}, F.horizontal_flip),
    "augment_vflip": ({}, F.vertical_flip),
    "augment_rotate": ({"angle": 30.0, "expand": True, "interpolation": "bilinear"},
                       lambda x: F.rotate(x, 30.0, interpolation="bilinear", expand=True)),
}
# random ops with parameters that change every image for sure (for the stage tests)
RANDOM = {
    "augment_random_horizontal_flip": {"p": 1.0},
    "augment_random_vertical_flip": {"p": 1.0},
    "augment_random_crop": {"size": (12, 14), "padding": 2},
    "augment_random_resized_crop": {"size": (8, 8)},
    "augment_random_affine": {"degrees": (10, 30), "translate": (0.1, 0.1), "scale": (0.8, 1.2), "shear": 10},
    "augment_color_jitter": {"brightness": (1.2, 1.5), "contrast": 0.4, "saturation": 0.4, "hue": 0.1},
    "augment_random_choice": {"transforms": [po("augment_color_jitter", brightness=(1.2, 1.5)),
                                             po("augment_random_affine", degrees=(10, 30))]},
    "augment_random_order": {"transforms": [po("augment_hflip"), po("augment_color_jitter", brightness=(1.2, 1.5))]},
}
ALL_OPS = {**{k: v for k, (v, _) in DETERMINISTIC.items()}, **RANDOM}
TRAFO_VALUES = {"trafo_reshape": {"shape": (-1, 960)}, "trafo_resize": {"size": 8}, "trafo_pad": {"padding": 1},
                "trafo_normalize": {"mean": 0.5, "std": 0.2}, "trafo_adjust_gamma": {"gamma": 2.0},
                "trafo_adjust_brightness": {"brightness_factor": 0.5}, "trafo_adjust_hue": {"hue_factor": 0.25},
                "trafo_adjust_saturation": {"saturation_factor": 0.5}}


def test_every_augment_op_is_covered():
    assert {spec.key for spec in AUGMENT_SPECS} == set(ALL_OPS)


@pytest.mark.parametrize("key", sorted(DETERMINISTIC))
def test_deterministic_augment_equals_torchvision(key, rgb):
    task, images = rgb
    values, reference = DETERMINISTIC[key]
    expected = reference(images)
    op = po(key, **values)
    column = op.train([task])[0].data()["image"]
    assert jt.lazy_shape(column) == (None, *expected.shape[1:])
    torch.testing.assert_close(jt.materialize(column, rbind=True, stage="train"), expected)


@pytest.mark.parametrize("key", sorted(ALL_OPS))
def test_augmentation_never_runs_at_predict(key, rgb):
    task, images = rgb
    op = po(key, **ALL_OPS[key])
    assert op.param_set.values["stages"] == "train"
    trained = op.train([task])[0].data()["image"]
    train_batch = jt.materialize(trained, rbind=True, stage="train")
    assert train_batch.shape != images.shape or not torch.equal(train_batch, images)
    assert jt.lazy_shape(trained, stage="predict") == (None, 3, 16, 20)
    assert torch.equal(jt.materialize(trained, rbind=True, stage="predict"), images)
    predicted = op.predict([task])[0].data()["image"]
    for stage in ("train", "predict"):
        assert torch.equal(jt.materialize(predicted, rbind=True, stage=stage), images)


@pytest.mark.parametrize("spec", TRAFO_SPECS, ids=lambda s: s.key)
def test_trafo_train_and_predict_batches_are_equal(spec, rgb):
    task, _ = rgb
    column = po(spec.key, **TRAFO_VALUES.get(spec.key, {})).train([task])[0].data()["image"]
    assert torch.equal(jt.materialize(column, rbind=True, stage="train"),
                       jt.materialize(column, rbind=True, stage="predict"))


def test_validation_data_is_not_augmented(make_rgb):
    task, images = make_rgb(8)
    valid, valid_images = make_rgb(4, seed=1)
    task.internal_valid_task = valid
    out = (po("augment_random_vertical_flip", p=1.0) >> po("trafo_adjust_gamma", gamma=2.0)).train(task)[0]
    torch.testing.assert_close(jt.materialize(out.data()["image"], rbind=True, stage="train"), images.flip(-2) ** 2)
    got = jt.materialize(out.internal_valid_task.data()["image"], rbind=True, stage="train")
    torch.testing.assert_close(got, valid_images ** 2)


def flipped_rows(batch: torch.Tensor, original: torch.Tensor, dim: int) -> torch.Tensor:
    same = (batch == original).flatten(1).all(1)
    flipped = (batch == original.flip(dim)).flatten(1).all(1)
    assert bool((same | flipped).all())
    return flipped & ~same


@pytest.mark.parametrize(("key", "dim"), [("augment_random_horizontal_flip", -1), ("augment_random_vertical_flip", -2)])
def test_random_flip_draws_per_row(key, dim, mnist):
    task = mnist.filter(range(200))
    original = jt.materialize(task.data()["image"], rbind=True)
    column = po(key, p=0.5).train([task])[0].data()["image"]
    torch.manual_seed(3)
    n = int(flipped_rows(jt.materialize(column, rbind=True, stage="train"), original, dim).sum())
    assert 60 < n < 140  # some rows, not all or none (one draw per batch would give 0 or 200)


def test_random_ops_draw_per_row_and_follow_the_seed(make_rgb):
    task, images = make_rgb(16, 24, 24)
    for key, values in RANDOM.items():
        if "flip" in key:
            continue
        column = po(key, **values).train([task])[0].data()["image"]
        same_image = jt.as_lazy_tensor(images[:1].expand(16, -1, -1, -1).contiguous())
        same_out = jt.materialize(same_image.with_step(column.array.descriptor.graph.steps[-1].fn), rbind=True)
        distinct = {tuple(row.flatten().tolist()) for row in same_out}
        assert len(distinct) > 8, key  # one image, 16 copies: per-row draws give different results
        torch.manual_seed(7)
        a = jt.materialize(column, rbind=True, stage="train")
        torch.manual_seed(7)
        b = jt.materialize(column, rbind=True, stage="train")
        assert torch.equal(a, b), key


def test_random_crop_rows_equal_torchvision_crops():
    x = torch.rand(6, 3, 20, 24)
    step = RandomCrop((10, 12))
    params = step.sample(6, 20, 24)
    assert len(set(zip(params["top"].tolist(), params["left"].tolist()))) > 1
    expected = torch.stack([F.crop(x[i], int(params["top"][i]), int(params["left"][i]), 10, 12) for i in range(6)])
    assert torch.equal(step.apply(x, params), expected)


def test_random_crop_padding_and_pad_if_needed():
    x = torch.rand(4, 1, 10, 10)
    assert RandomCrop(12, pad_if_needed=True)(x).shape == (4, 1, 12, 12)
    assert RandomCrop(14, padding=2)(x).shape == (4, 1, 14, 14)
    assert po("augment_random_crop", size=28, pad_if_needed=True).shapes_out((None, 1, 20, 30)) == (None, 1, 28, 28)
    with pytest.raises(LazyShapeError, match="at least 28x28"):
        po("augment_random_crop", size=28).shapes_out((None, 1, 20, 30))


@pytest.mark.parametrize("size", [(30, 28), (8, 8)])
def test_random_resized_crop_rows_equal_torchvision(size):
    x = torch.rand(6, 3, 20, 24)
    step = RandomResizedCrop(size)
    params = step.sample(6, 20, 24)
    expected = torch.stack([
        F.resized_crop(x[i], *(int(params[k][i]) for k in ("top", "left", "height", "width")), list(size), antialias=False)
        for i in range(6)
    ])
    torch.testing.assert_close(step.apply(x, params), expected, atol=1e-5, rtol=0)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_random_affine_rows_equal_torchvision(interpolation):
    x = torch.rand(6, 3, 20, 24)
    step = RandomAffine(40, translate=(0.2, 0.1), scale=(0.7, 1.3), shear=(-10, 10, -5, 5), interpolation=interpolation,
                        fill=0.25, center=(9.0, 8.0))
    p = step.sample(6, 20, 24)
    assert len(set(p["angle"].tolist())) == 6
    expected = torch.stack([
        F.affine(x[i], angle=float(p["angle"][i]), translate=[float(p["tx"][i]), float(p["ty"][i])],
                 scale=float(p["scale"][i]), shear=[float(p["shear_x"][i]), float(p["shear_y"][i])],
                 interpolation=interpolation, fill=0.25, center=[9.0, 8.0])
        for i in range(6)
    ])
    torch.testing.assert_close(step.apply(x, p), expected, atol=1e-4, rtol=0)


@pytest.mark.parametrize("what", ["brightness", "contrast", "saturation", "hue"])
def test_color_adjustments_per_row_equal_torchvision(what):
    x = torch.rand(6, 3, 12, 10)
    factors = torch.tensor([-0.3, -0.1, 0.0, 0.1, 0.2, 0.4]) if what == "hue" else torch.tensor([0.2, 0.5, 0.9, 1.0, 1.3, 1.8])
    expected = torch.stack([getattr(F, f"adjust_{what}")(x[i], float(factors[i])) for i in range(6)])
    torch.testing.assert_close(adjust_rows(x, what, factors), expected, atol=1e-5, rtol=0)


def test_color_jitter_ranges_and_grayscale_images():
    step = ColorJitter(brightness=0.5, hue=0.2)
    assert step.ranges["brightness"] == (0.5, 1.5) and step.ranges["hue"] == (-0.2, 0.2)
    assert step.ranges["contrast"] is None
    params = step.sample(10)
    assert params["brightness"].shape == (10,) and sorted(params["order"]) == sorted(step.ranges)
    gray = torch.rand(4, 1, 8, 8)
    assert ColorJitter(saturation=0.5, hue=0.3)(gray).equal(gray)  # no colour to change


def test_shape_changing_augmentation_fails_at_ingress_not_at_predict(mnist):
    task = mnist.filter(range(50))
    cropped = po("augment_random_crop", size=24).train([task])[0]
    with pytest.raises(TaskError, match="in training batches but"):
        po("torch_ingress_ltnsr").train([cropped])
    restored = (po("augment_random_crop", size=24) >> po("trafo_resize", size=(28, 28))).train(task)[0]
    md = po("torch_ingress_ltnsr").train([restored])[0]
    assert md.pointer_shape == (None, 1, 28, 28)


def test_rotate_expand_shape_and_stages_both(rgb):
    task, images = rgb
    op = po("augment_rotate", angle=90.0, expand=True, stages="both")
    column = op.train([task])[0].data()["image"]
    assert jt.lazy_shape(column) == jt.lazy_shape(column, stage="predict") == (None, 3, 20, 16)
    got = jt.materialize(op.predict([task])[0].data()["image"], rbind=True, stage="predict")
    assert torch.equal(got, F.rotate(images, 90.0, expand=True))
