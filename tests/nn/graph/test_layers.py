"""Shape inference of every layer PipeOp: the inferred output shape equals what the real module gives."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch import nn
from jupytorch.core.registry import registry

from .conftest import run_layer


def last_token(x, dim=1):
    return x.select(dim, -1)


def _block():
    return nn("block", nn("linear", out_features=4) >> nn("relu"), n_blocks=2)


# (case id, layer factory, input shapes, expected output shape)
CASES = [
    ("linear", lambda: nn("linear", out_features=5), [(None, 7)], (None, 5)),
    ("linear_3d", lambda: nn("linear", out_features=5), [(None, 4, 7)], (None, 4, 5)),
    ("linear_unknown_middle", lambda: nn("linear", out_features=5), [(None, None, 7)], (None, None, 5)),
    ("head", lambda: nn("head"), [(None, 7)], (None, 3)),
    ("identity", lambda: nn("identity"), [(None, 3, 4)], (None, 3, 4)),
    ("fn", lambda: nn("fn", fn=last_token), [(None, 3, 4)], (None, 4)),
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
    ("batch_norm1d", lambda: nn("batch_norm1d"), [(None, 5)], (None, 5)),
    ("batch_norm1d_3d", lambda: nn("batch_norm1d"), [(None, 5, 7)], (None, 5, 7)),
    ("batch_norm2d", lambda: nn("batch_norm2d", momentum=0.2), [(None, 3, 4, 4)], (None, 3, 4, 4)),
    ("batch_norm3d", lambda: nn("batch_norm3d"), [(None, 2, 3, 3, 3)], (None, 2, 3, 3, 3)),
    ("layer_norm", lambda: nn("layer_norm", dims=2), [(None, 3, 4)], (None, 3, 4)),
    ("dropout", lambda: nn("dropout", p=0.2), [(None, 3, 4)], (None, 3, 4)),
    ("reshape", lambda: nn("reshape", shape=(None, 2, -1)), [(None, 12)], (None, 2, 6)),
    ("reshape_fn", lambda: nn("reshape", shape=lambda s: (None, s[1] // 4, 4)), [(None, 12)], (None, 3, 4)),
    ("flatten", lambda: nn("flatten"), [(None, 2, 3, 4)], (None, 24)),
    ("flatten_partial", lambda: nn("flatten", start_dim=2), [(None, 2, 3, 4)], (None, 2, 12)),
    ("squeeze", lambda: nn("squeeze", dim=1), [(None, 1, 4)], (None, 4)),
    ("unsqueeze", lambda: nn("unsqueeze", dim=1), [(None, 4)], (None, 1, 4)),
    ("merge_sum", lambda: nn("merge_sum"), [(None, 4), (None, 4)], (None, 4)),
    ("merge_sum_broadcast", lambda: nn("merge_sum"), [(None, 4), (None, 1), (None, 4)], (None, 4)),
    ("merge_prod", lambda: nn("merge_prod"), [(None, 2, 4), (None, 1, 4)], (None, 2, 4)),
    ("merge_cat", lambda: nn("merge_cat"), [(None, 3), (None, 5)], (None, 8)),
    ("merge_cat_dim1", lambda: nn("merge_cat", dim=1), [(None, 3, 4), (None, 2, 4)], (None, 5, 4)),
    ("block", _block, [(None, 7)], (None, 4)),
    ("tokenizer_num", lambda: nn("tokenizer_num", d_token=4), [(None, 3)], (None, 3, 4)),
    ("ft_cls", lambda: nn("ft_cls"), [(None, 3, 4)], (None, 4, 4)),
    ("ft_transformer_block", lambda: nn("ft_transformer_block", attention_n_heads=2), [(None, 3, 4)], (None, 3, 4)),
    ("ft_transformer_block_cls", lambda: nn("ft_transformer_block", attention_n_heads=2, query_idx=-1,
                                            ffn_activation="relu", prenormalization=False), [(None, 3, 4)], (None, 1, 4)),
    ("transformer_encoder_layer", lambda: nn("transformer_encoder_layer", nhead=2, dim_feedforward=8),
     [(None, 3, 4)], (None, 3, 4)),
    ("transformer_encoder_layer_causal", lambda: nn("transformer_encoder_layer", nhead=2, dim_feedforward=8,
                                                    is_causal=True), [(None, 3, 4)], (None, 3, 4)),
    ("multihead_attention", lambda: nn("multihead_attention", num_heads=2), [(None, 3, 4)], (None, 3, 4)),
    ("multihead_attention_cross", lambda: nn("multihead_attention", num_heads=2, mode="cross"),
     [(None, 1, 4), (None, 3, 6)], (None, 1, 4)),
    ("ensemble_view", lambda: nn("ensemble_view", k=5), [(None, 4)], (None, 5, 4)),
    ("linear_batch_ensemble", lambda: nn("linear_batch_ensemble", out_features=6), [(None, 5, 4)], (None, 5, 6)),
    ("linear_ensemble", lambda: nn("linear_ensemble"), [(None, 5, 4)], (None, 5, 3)),  # iris: 3 logits
    ("ensemble_mean", lambda: nn("ensemble_mean"), [(None, 5, 4)], (None, 4)),
]

ACTIVATION_PARAMS = {"threshold": {"threshold": 0.1, "value": 0.0}, "prelu": {"num_parameters": 1}}
HALVING = {"glu", "reglu", "geglu"}
for _key in ("elu", "hardshrink", "hardsigmoid", "hardtanh", "leaky_relu", "log_sigmoid", "prelu", "relu", "relu6",
             "rrelu", "selu", "celu", "gelu", "sigmoid", "softplus", "softshrink", "softsign", "tanh", "tanhshrink",
             "threshold", "glu", "reglu", "geglu", "softmax"):
    CASES.append((_key, lambda k=_key: nn(k, **ACTIVATION_PARAMS.get(k, {})), [(None, 6)],
                  (None, 3) if _key in HALVING else (None, 6)))


@pytest.mark.parametrize(("factory", "shapes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    inferred, real = run_layer(factory(), shapes, iris)
    assert inferred == expected
    assert len(real) == len(expected)
    for got, want in zip(real[1:], expected[1:]):
        if want is not None:
            assert got == want
    assert real[0] == 3  # the batch


def test_tokenizer_categ_embeds_integer_codes(iris):
    op = nn("tokenizer_categ", d_token=4, cardinalities=[3, 2])
    inferred, real = run_layer(op, [(None, 2)], iris, dtype=torch.long)
    assert inferred == (None, 2, 4)
    assert real == (3, 2, 4)


def test_one_hot_encodes_integer_codes(iris):
    op = nn("one_hot", cardinalities=[3, 2])
    inferred, real = run_layer(op, [(None, 2)], iris, dtype=torch.long)
    assert inferred == (None, 5)
    assert real == (3, 5)


def test_every_registered_layer_has_a_shape_case():
    keys = {k[len("nn_"):] for k in registry("pipeop") if k.startswith("nn_")}
    covered = {c[0] for c in CASES} | {"tokenizer_categ", "one_hot"}
    assert keys <= covered, f"layers without a shape test: {sorted(keys - covered)}"


def test_head_output_follows_the_task(iris, mtcars, task_binary):
    for task, width in ((iris, 3), (mtcars, 1), (task_binary, 1)):
        assert nn("head").shapes_out((None, 8), task=task) == [(None, width)]


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
