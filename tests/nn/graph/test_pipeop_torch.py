"""What every layer PipeOp shares (PipeOpTorch, torch_layer, nn()): shapes without a graph, parameters
from the torch signature, ids and keys. Each layer module's own tests are in tests/nn/layers.
"""

from __future__ import annotations

from pathlib import Path

import jupytorch as jt
from jupytorch import nn
from jupytorch.core.registry import registry

LAYER_TESTS = Path(__file__).resolve().parents[1] / "layers"


def test_every_registered_layer_comes_from_a_layer_module_with_its_own_tests():
    # each tests/nn/layers/test_<module>.py checks that its shape cases cover the module's layers
    modules = {registry("pipeop").factory(key).__module__ for key in registry("pipeop") if key.startswith("nn_")}
    assert all(m.startswith("jupytorch.nn.layers.") for m in modules), sorted(modules)
    missing = sorted(m for m in modules if not (LAYER_TESTS / f"test_{m.rpartition('.')[2]}.py").is_file())
    assert not missing, f"layer modules without a test module in tests/nn/layers: {missing}"


def test_shapes_out_without_a_graph():
    assert nn("conv2d", out_channels=8, kernel_size=3).shapes_out((None, 1, 28, 28)) == [(None, 8, 26, 26)]
    assert nn("merge_cat").shapes_out([(None, 3), (None, 5)]) == [(None, 8)]


def test_layer_parameters_come_from_the_torch_signature():
    ps = nn("conv2d").param_set
    assert {"out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode"} <= set(ps.ids())
    assert "in_channels" not in ps  # inferred from the shape
    assert "min_value" not in nn("hardtanh").param_set  # deprecated torch aliases are left out
    assert nn("leaky_relu", negative_slope=0.1).param_set.values == {"negative_slope": 0.1}


def test_layer_ids_and_keys():
    assert nn("linear_1").id == "linear_1"
    assert jt.po("nn_relu").id == "relu"
    assert type(nn("relu")).__name__ == "PipeOpTorchReLU"
