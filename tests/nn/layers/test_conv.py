"""Convolution and pooling layers (jupytorch/nn/layers/conv.py): nn("conv2d"), nn("conv_transpose2d"),
nn("max_pool2d"), nn("avg_pool2d"), nn("adaptive_avg_pool2d") and their 1d and 3d versions.
"""

from __future__ import annotations

import torch

from jupytorch import nn

from ..conftest import fails_to_build
from .conftest import built_module, check_shape_case, layer_keys, shape_cases

CASES = [
    ("conv1d", lambda: nn("conv1d", out_channels=4, kernel_size=3), [(None, 2, 10)], (None, 4, 8)),
    ("conv2d", lambda: nn("conv2d", out_channels=4, kernel_size=3, stride=2, padding=1), [(None, 3, 9, 9)],
     (None, 4, 5, 5)),
    ("conv2d_unknown_size", lambda: nn("conv2d", out_channels=4, kernel_size=3), [(None, 3, None, None)],
     (None, 4, None, None)),
    ("conv3d", lambda: nn("conv3d", out_channels=2, kernel_size=2), [(None, 1, 5, 5, 5)], (None, 2, 4, 4, 4)),
    ("conv_transpose1d", lambda: nn("conv_transpose1d", out_channels=2, kernel_size=3, stride=2), [(None, 3, 4)],
     (None, 2, 9)),
    ("conv_transpose2d", lambda: nn("conv_transpose2d", out_channels=2, kernel_size=2, stride=2), [(None, 3, 4, 5)],
     (None, 2, 8, 10)),
    ("conv_transpose3d", lambda: nn("conv_transpose3d", out_channels=2, kernel_size=3, output_padding=1, stride=2),
     [(None, 1, 2, 2, 2)], (None, 2, 6, 6, 6)),
    ("max_pool1d", lambda: nn("max_pool1d", kernel_size=2), [(None, 3, 9)], (None, 3, 4)),
    ("max_pool2d", lambda: nn("max_pool2d", kernel_size=2, ceil_mode=True), [(None, 3, 9, 9)], (None, 3, 5, 5)),
    ("max_pool3d", lambda: nn("max_pool3d", kernel_size=2), [(None, 2, 4, 4, 4)], (None, 2, 2, 2, 2)),
    ("avg_pool1d", lambda: nn("avg_pool1d", kernel_size=3, stride=1), [(None, 3, 9)], (None, 3, 7)),
    ("avg_pool2d", lambda: nn("avg_pool2d", kernel_size=2), [(None, 3, 8, 6)], (None, 3, 4, 3)),
    ("avg_pool3d", lambda: nn("avg_pool3d", kernel_size=2, padding=1), [(None, 2, 4, 4, 4)], (None, 2, 3, 3, 3)),
    ("adaptive_avg_pool1d", lambda: nn("adaptive_avg_pool1d", output_size=2), [(None, 3, 9)], (None, 3, 2)),
    ("adaptive_avg_pool2d", lambda: nn("adaptive_avg_pool2d", output_size=(2, 3)), [(None, 3, 9, 9)], (None, 3, 2, 3)),
    ("adaptive_avg_pool3d", lambda: nn("adaptive_avg_pool3d", output_size=1), [(None, 2, 4, 4, 4)],
     (None, 2, 1, 1, 1)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_conv_and_pool_layer_has_a_shape_case():
    assert layer_keys("conv") <= {c[0] for c in CASES}


def test_in_channels_come_from_dimension_one():
    conv = built_module(nn("conv2d", out_channels=8, kernel_size=3), [(None, 5, 9, 9)])
    assert type(conv) is torch.nn.Conv2d and (conv.in_channels, conv.out_channels) == (5, 8)
    transposed = built_module(nn("conv_transpose1d", out_channels=2, kernel_size=3), [(None, 4, 7)])
    assert type(transposed) is torch.nn.ConvTranspose1d and transposed.in_channels == 4
    assert "output_padding" in nn("conv_transpose2d").param_set and "output_padding" not in nn("conv2d").param_set


def test_pools_never_return_indices():
    # a pool that returned (values, indices) would break the next layer
    for key in ("max_pool1d", "max_pool2d", "max_pool3d"):
        assert "return_indices" not in nn(key).param_set
    assert "kernel_size" in nn("avg_pool2d").param_set and "output_size" in nn("adaptive_avg_pool3d").param_set


def test_each_version_needs_its_number_of_dimensions(iris):
    message = fails_to_build(nn("conv1d", out_channels=2, kernel_size=2), [(None, 1, 5, 5)], iris, "conv1d")
    assert "3 dimensions" in message and "(batch, channels, length)" in message
    message = fails_to_build(nn("max_pool3d", kernel_size=2), [(None, 1, 5, 5)], iris, "max_pool3d")
    assert "(batch, channels, depth, height, width)" in message
