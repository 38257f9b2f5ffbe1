"""po("preproc_torch", fn=...): a user function as a lazy-tensor preprocessing step."""

from __future__ import annotations

import pickle

import pytest
import torch

import jupytorch as jt
from jupytorch import po
from jupytorch.core.exceptions import InvalidParameterError, JupytorchError


def scale(x, factor=2.0):
    return x * factor


def shift(x, offset):
    return x + offset


def crop_corner(x, size=4):
    return x[..., :size, :size]


def one_row_sum(row):
    assert row.dim() == 3  # called per row
    return row.sum(dim=0, keepdim=True)


def test_fn_arguments_become_parameters(rgb):
    task, images = rgb
    op = po("preproc_torch", fn=scale, factor=0.5)
    assert set(op.param_set.ids()) == {"factor", "stages", "affect_columns"}
    assert op.param_set.values["stages"] == "both"
    out = op.train([task])[0].data()["image"]
    assert torch.equal(jt.materialize(out, rbind=True), images * 0.5)
    needs = po("preproc_torch", fn=shift)
    with pytest.raises(InvalidParameterError, match="offset"):
        needs.train([task])
    trained = po("preproc_torch", fn=shift, offset=1.0)
    assert torch.equal(jt.materialize(trained.train([task])[0].data()["image"], rbind=True), images + 1.0)


@pytest.mark.parametrize(("shapes_out", "expected"), [
    ("infer", (None, 3, 4, 4)), ((None, 3, 4, 4), (None, 3, 4, 4)), (lambda s: (*s[:-2], 4, 4), (None, 3, 4, 4)), (None, None),
])
def test_shapes_out_variants(shapes_out, expected, rgb):
    task, images = rgb
    op = po("preproc_torch", fn=crop_corner, shapes_out=shapes_out)
    column = op.train([task])[0].data()["image"]
    assert jt.lazy_shape(column) == expected
    assert torch.equal(jt.materialize(column, rbind=True), images[..., :4, :4])


def test_a_wrong_declared_shape_is_caught_when_materializing(rgb):
    task, _ = rgb
    column = po("preproc_torch", fn=crop_corner, shapes_out=(None, 3, 5, 5)).train([task])[0].data()["image"]
    with pytest.raises(JupytorchError, match="declared"):
        jt.materialize(column, rbind=True)


def test_stages_train_makes_an_augmentation(rgb):
    task, images = rgb
    op = po("preproc_torch", fn=scale, stages="train")
    column = op.train([task])[0].data()["image"]
    assert torch.equal(jt.materialize(column, rbind=True, stage="train"), images * 2)
    assert torch.equal(jt.materialize(column, rbind=True, stage="predict"), images)
    assert torch.equal(jt.materialize(op.predict([task])[0].data()["image"], rbind=True, stage="train"), images)


def test_rowwise_calls_fn_per_row(rgb):
    task, images = rgb
    column = po("preproc_torch", fn=one_row_sum, rowwise=True).train([task])[0].data()["image"]
    assert jt.lazy_shape(column) == (None, 1, 16, 20)
    torch.testing.assert_close(jt.materialize(column, rbind=True), images.sum(dim=1, keepdim=True))


def test_bad_constructions_fail_clearly():
    with pytest.raises(InvalidParameterError, match="must be a function"):
        po("preproc_torch", fn=3)
    with pytest.raises(InvalidParameterError, match="shapes_out"):
        po("preproc_torch", fn=scale, shapes_out="guess")

    def uses_reserved(x, stages=1):
        return x

    with pytest.raises(InvalidParameterError, match="'stages'"):
        po("preproc_torch", fn=uses_reserved)


def test_inference_errors_say_where(rgb):
    task, _ = rgb

    def broken(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom") as info:
        po("preproc_torch", id="mine", fn=broken).train([task])
    assert any("'mine'" in note and "shapes_out" in note for note in info.value.__notes__)


def test_task_and_op_pickle_with_a_module_level_fn(rgb):
    task, images = rgb
    op = po("preproc_torch", fn=scale, factor=3.0)
    out = op.train([task])[0]
    again = pickle.loads(pickle.dumps(out))
    assert torch.equal(jt.materialize(again.data()["image"], rbind=True), images * 3)
    op2 = pickle.loads(pickle.dumps(op))
    assert torch.equal(jt.materialize(op2.predict([task])[0].data()["image"], rbind=True), images * 3)
