"""Shape helpers: checking, printing, broadcasting, inference on meta tensors."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.shapes import (
    ShapeError,
    assert_shape,
    broadcast_shapes,
    infer_shapes,
    shape_to_str,
)


def test_assert_shape():
    assert assert_shape([None, 3]) == (None, 3)
    assert assert_shape(torch.Size([2, 3])) == (2, 3)
    assert assert_shape((None, float("nan"), 4)) == (None, None, 4)
    for bad in ((), (None, 0), (None, 2.5), "abc", (None, True)):
        with pytest.raises(InvalidParameterError):
            assert_shape(bad)
    assert assert_shape(None, allow_none=True) is None


def test_shape_to_str():
    assert shape_to_str((None, 10)) == "(None, 10)"
    assert shape_to_str((None,)) == "(None,)"
    assert shape_to_str(None) == "?"


def test_broadcast_shapes():
    assert broadcast_shapes([(None, 1, 4), (3, 1)]) == (None, 3, 4)
    assert broadcast_shapes([(None, 4), (None, None)]) == (None, 4)
    with pytest.raises(ShapeError, match="do not broadcast"):
        broadcast_shapes([(None, 3), (None, 4)])


def test_infer_shapes_marks_dimensions_that_follow_unknown_ones():
    assert infer_shapes(torch.nn.Conv2d(1, 4, 3), [(None, 1, 28, 28)]) == [(None, 4, 26, 26)]
    assert infer_shapes(torch.nn.Conv2d(1, 4, 3), [(None, 1, None, 28)]) == [(None, 4, None, 26)]
    assert infer_shapes(torch.nn.Flatten(), [(None, 3, None)]) == [(None, None)]


def test_infer_shapes_falls_back_to_the_cpu_for_modules_that_cannot_run_on_meta():
    class HoldsATensor(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.plain = torch.ones(4)  # neither parameter nor buffer: stays on the cpu

        def forward(self, x):
            return x * self.plain

    assert infer_shapes(HoldsATensor(), [(None, 4)]) == [(None, 4)]


def test_infer_shapes_reports_the_module_complaint():
    with pytest.raises(ShapeError, match=r"my_op cannot take input of shape \(None, 3\)"):
        infer_shapes(torch.nn.Linear(4, 2), [(None, 3)], who="my_op")


def test_nn_sugar_is_importable_from_the_package():
    from jupytorch import nn

    assert nn("relu").id == "relu"
    assert jt.nn("linear_1", out_features=2).param_set.values == {"out_features": 2}
