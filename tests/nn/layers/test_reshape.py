"""Shape layers (jupytorch/nn/layers/reshape.py): nn("reshape"), nn("flatten"), nn("squeeze"), nn("unsqueeze")."""

from __future__ import annotations

import pytest
import torch

from jupytorch import nn
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.layers.reshape import Reshape

from ..conftest import fails_to_build
from .conftest import built_module, check_shape_case, layer_keys, shape_cases

CASES = [
    ("reshape", lambda: nn("reshape", shape=(None, 2, -1)), [(None, 12)], (None, 2, 6)),
    ("reshape_fn", lambda: nn("reshape", shape=lambda s: (None, s[1] // 4, 4)), [(None, 12)], (None, 3, 4)),
    ("flatten", lambda: nn("flatten"), [(None, 2, 3, 4)], (None, 24)),
    ("flatten_partial", lambda: nn("flatten", start_dim=2), [(None, 2, 3, 4)], (None, 2, 12)),
    ("squeeze", lambda: nn("squeeze", dim=1), [(None, 1, 4)], (None, 4)),
    ("unsqueeze", lambda: nn("unsqueeze", dim=1), [(None, 4)], (None, 1, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_shape_layer_has_a_shape_case():
    assert layer_keys("reshape") <= {c[0] for c in CASES}


def test_reshape_to_a_different_number_of_values(iris):
    message = fails_to_build(nn("reshape", shape=(None, 5)), [(None, 3, 4)], iris, "reshape")
    assert "12 values per row" in message
    fails_to_build(nn("reshape", shape=(None, -1, 5)), [(None, 12)], iris, "not divisible")
    fails_to_build(nn("reshape", shape=(None, -1, -1)), [(None, 12)], iris, "at most one")


def test_reshape_keeps_the_batch_and_reshapes_each_row():
    module = built_module(nn("reshape", shape=(-1, 2, None)), [(None, 6)])
    assert module.shape == (2, -1) and repr(module) == "Reshape(shape=(batch, 2, -1))"
    x = torch.arange(12.0).reshape(2, 6)
    assert torch.equal(module(x), x.reshape(2, 2, 3))
    assert Reshape((3, 2))(torch.zeros(5, 6)).shape == (5, 3, 2)


def test_reshape_of_an_input_with_unknown_sizes_keeps_the_open_entry_open():
    assert nn("reshape", shape=(None, 3, -1)).shapes_out((None, None)) == [(None, 3, None)]


def test_reshape_targets_that_are_refused(iris):
    fails_to_build(nn("reshape", shape=(3, 4)), [(None, 12)], iris, "first entry of shape=.* is the batch dimension")
    with pytest.raises(InvalidParameterError, match="parameter 'shape' must be a shape with the batch first"):
        nn("reshape", shape=(None, 0))
    fails_to_build(nn("reshape", shape=lambda s: (None, 0)), [(None, 12)], iris,
                   r"the shape function returned \(None, 0\)")


def test_squeeze_removes_only_a_dimension_of_size_one_after_the_batch(iris):
    module = built_module(nn("squeeze", dim=-1), [(None, 4, 1)])
    assert module(torch.zeros(1, 4, 1)).shape == (1, 4)  # a batch of one row keeps its batch dimension
    fails_to_build(nn("squeeze", dim=0), [(None, 1)], iris, "batch dimension, which cannot be squeezed")
    fails_to_build(nn("squeeze", dim=5), [(None, 1)], iris, "out of range")
    fails_to_build(nn("squeeze", dim=1), [(None, None, 4)], iris, "has size unknown")


def test_unsqueeze_inserts_after_the_batch(iris):
    assert nn("unsqueeze", dim=-1).shapes_out((None, 4)) == [(None, 4, 1)]
    assert built_module(nn("unsqueeze", dim=2), [(None, 4)])(torch.zeros(3, 4)).shape == (3, 4, 1)
    fails_to_build(nn("unsqueeze", dim=0), [(None, 4)], iris, "before the batch dimension")
    fails_to_build(nn("unsqueeze", dim=-3), [(None, 4)], iris, "before the batch dimension")
    fails_to_build(nn("unsqueeze", dim=3), [(None, 4)], iris, "out of range")
