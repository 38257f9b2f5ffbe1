"""trafo_* PipeOps: results equal the torchvision transform, shapes are inferred and checked at train()."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from torch.utils.data import Dataset
from torchvision.transforms.v2 import functional as F

import jupytorch as jt
from jupytorch import po
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.lazy.pipeops.checks import LazyShapeError
from jupytorch.lazy.pipeops.trafo import TRAFO_SPECS

# key -> (parameter values, the torchvision call on the batch that the op must equal)
CASES = {
    "trafo_nop": ({}, lambda x: x),
    "trafo_reshape": ({"shape": (-1, 3 * 16 * 20)}, lambda x: x.reshape(len(x), -1)),
    "trafo_resize": ({"size": (8, 10)}, lambda x: F.resize(x, [8, 10], antialias=True)),
    "trafo_normalize": ({"mean": (0.5, 0.4, 0.3), "std": (0.2, 0.25, 0.3)},
                        lambda x: F.normalize(x, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3])),
    "trafo_pad": ({"padding": (1, 2, 3, 4), "padding_mode": "reflect"},
                  lambda x: F.pad(x, [1, 2, 3, 4], padding_mode="reflect")),
    "trafo_grayscale": ({"num_output_channels": 3}, lambda x: F.rgb_to_grayscale(x, num_output_channels=3)),
    "trafo_rgb_to_grayscale": ({}, lambda x: F.rgb_to_grayscale(x)),
    "trafo_adjust_gamma": ({"gamma": 0.5, "gain": 0.9}, lambda x: F.adjust_gamma(x, 0.5, 0.9)),
    "trafo_adjust_brightness": ({"brightness_factor": 1.5}, lambda x: F.adjust_brightness(x, 1.5)),
    "trafo_adjust_hue": ({"hue_factor": 0.2}, lambda x: F.adjust_hue(x, 0.2)),
    "trafo_adjust_saturation": ({"saturation_factor": 0.3}, lambda x: F.adjust_saturation(x, 0.3)),
}


def test_every_trafo_op_has_a_case():
    assert {spec.key for spec in TRAFO_SPECS} == set(CASES)


@pytest.mark.parametrize("key", sorted(CASES))
def test_trafo_equals_torchvision_in_train_and_predict(key, rgb):
    task, images = rgb
    values, reference = CASES[key]
    expected = reference(images)
    op = po(key, **values)
    assert op.param_set.values["stages"] == "both"
    trained = op.train([task])[0]
    predicted = op.predict([task])[0]
    for out in (trained, predicted):
        column = out.data()["image"]
        assert jt.lazy_shape(column) == (None, *expected.shape[1:])
        for stage in ("train", "predict"):
            got = jt.materialize(column, rbind=True, stage=stage)
            torch.testing.assert_close(got, expected)
    # the input task is unchanged
    assert torch.equal(jt.materialize(task.data()["image"], rbind=True), images)


@pytest.mark.parametrize(("size", "hw", "expected"), [
    (5, (10, 20), (5, 10)), (5, (20, 10), (10, 5)), (5, (13, 7), (9, 5)), ((6, 4), (13, 7), (6, 4)), ([7], (9, 9), (7, 7)),
])
def test_resize_shape_rule_matches_torchvision(size, hw, expected):
    op = po("trafo_resize", size=size)
    assert op.shapes_out((None, 3, *hw)) == (None, 3, *expected)
    real = F.resize(torch.zeros(2, 3, *hw), [size] if isinstance(size, int) else list(size))
    assert tuple(real.shape[-2:]) == expected


def test_trafo_resize_on_flat_images_fails_naming_op_shape_and_need(mnist):
    flat = po("trafo_reshape", shape=(-1, 28 * 28)).train([mnist])[0]
    with pytest.raises(LazyShapeError) as info:
        po("trafo_resize", size=(32, 32)).train([flat])
    text = str(info.value)
    assert "'trafo_resize'" in text and "(None, 784)" in text and "'image'" in text
    assert "(None, C, H, W)" in text and "shape=(-1, 1, 28, 28)" in text
    assert any("during train()" in note for note in info.value.__notes__)


@pytest.mark.parametrize(("key", "values", "shape", "words"), [
    ("trafo_normalize", {"mean": (0.5, 0.5), "std": (0.2, 0.2)}, (None, 3, 8, 8), "one mean per channel: 3 values"),
    ("trafo_normalize", {"mean": 0.5, "std": 0.2}, (None, 64), "images (None, C, H, W)"),
    ("trafo_reshape", {"shape": (-1, 100)}, (None, 1, 28, 28), "784 elements fill the shape (-1, 100)"),
    ("trafo_reshape", {"shape": (-1, 10, -1)}, (None, 1, 28, 28), "784 elements fill"),
    ("trafo_grayscale", {}, (None, 2, 8, 8), "C in {1, 3}"),
    ("trafo_adjust_hue", {"hue_factor": 0.1}, (None, 8, 8), "images (None, C, H, W)"),
    ("trafo_adjust_brightness", {"brightness_factor": 0.5}, (None, 4, 8, 8), "C in {1, 3}"),
    ("trafo_pad", {"padding": 8, "padding_mode": "reflect"}, (None, 1, 8, 8), "padding smaller than"),
])
def test_shape_errors_name_the_op_and_what_it_needs(key, values, shape, words):
    op = po(key, **values)
    with pytest.raises(LazyShapeError) as info:
        op.shapes_out(shape, column="x")
    assert f"PipeOp {key!r}" in str(info.value) and str(shape) in str(info.value) and words in str(info.value)


def test_unknown_sizes_pass_through_shape_rules():
    assert po("trafo_pad", padding=2).shapes_out((None, 3, None, 10)) == (None, 3, None, 14)
    assert po("trafo_resize", size=(8, 8)).shapes_out((None, 3, None, None)) == (None, 3, 8, 8)
    assert po("trafo_resize", size=8).shapes_out((None, 3, None, None)) == (None, 3, None, None)
    assert po("trafo_reshape", shape=(-1, 4, -1)).shapes_out((None, None, 8)) == (None, 4, None)


class CountingImages(Dataset):
    """Rows are dicts with a 1x6x6 image; counts how often rows are read."""

    def __init__(self, n: int):
        self.n, self.reads = n, 0

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        self.reads += 1
        return {"x": torch.full((1, 6, 6), float(i))}


def test_ops_read_no_data_and_check_shapes_at_construction():
    data = CountingImages(5)
    lt = jt.as_lazy_tensor(data, {"x": (None, 1, 6, 6)})
    assert data.reads == 1  # row 0, once: do the rows have the declared fields?
    task = jt.as_task_regr(pd.DataFrame({"x": lt, "y": [0.0, 1, 2, 3, 4]}), target="y")
    graph = po("trafo_pad", padding=1) >> po("trafo_resize", size=(4, 4)) >> po("augment_random_horizontal_flip")
    out = graph.train(task)[0]
    assert data.reads == 1
    assert jt.lazy_shape(out.data()["x"]) == (None, 1, 4, 4)
    with pytest.raises(LazyShapeError, match="trafo_normalize"):
        (po("trafo_reshape", shape=(-1, 36)) >> po("trafo_normalize", mean=0.5, std=0.5)).train(task)
    assert data.reads == 1
    assert jt.materialize(out.data()["x"], rbind=True).shape == (5, 1, 4, 4)
    assert data.reads == 6


@pytest.mark.parametrize(("key", "values"), [
    ("trafo_resize", {"size": 0}), ("trafo_resize", {"size": (1, 2, 3)}), ("trafo_resize", {"interpolation": "cubic"}),
    ("trafo_normalize", {"std": (0.2, 0.0)}), ("trafo_pad", {"padding": (1, 2, 3)}), ("trafo_pad", {"padding": -1}),
    ("trafo_grayscale", {"num_output_channels": 2}), ("trafo_adjust_hue", {"hue_factor": 0.7}),
    ("trafo_adjust_gamma", {"gamma": -1.0}), ("trafo_reshape", {"shape": (784,)}), ("trafo_reshape", {"shape": (-1, -1, -1)}),
])
def test_parameters_are_typed_and_ranged(key, values):
    with pytest.raises(InvalidParameterError):
        po(key, **values)


def test_required_parameters_are_checked_before_training(rgb):
    task, _ = rgb
    with pytest.raises(InvalidParameterError, match="size"):
        po("trafo_resize").train([task])


def test_affect_columns_picks_lazy_columns(rgb):
    task, images = rgb
    frame = task.data()
    frame["small"] = jt.as_lazy_tensor(images[:, :1])
    frame["num"] = range(len(frame))
    two = jt.as_task_classif(frame, target="y")
    out = po("trafo_resize", size=(4, 4), affect_columns=jt.selector_name(["small"])).train([two])[0]
    assert jt.lazy_shape(out.data()["small"]) == (None, 1, 4, 4)
    assert jt.lazy_shape(out.data()["image"]) == (None, 3, 16, 20)
    assert out.data()["num"].tolist() == list(range(8))
    both = po("trafo_resize", size=(4, 4)).train([two])[0]
    assert jt.lazy_shape(both.data()["image"]) == (None, 3, 4, 4)
