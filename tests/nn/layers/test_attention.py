"""Multi-head attention (jupytorch/nn/layers/attention.py): nn("multihead_attention") and the FT-Transformer's
FTMultiheadAttention.
"""

from __future__ import annotations

import pytest
import torch

from jupytorch import nn, po, tsk
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.layers.attention import FTMultiheadAttention

from ..conftest import fails_to_build
from .conftest import built_module, check_causal, check_shape_case, layer_keys, shape_cases

CASES = [
    ("multihead_attention", lambda: nn("multihead_attention", num_heads=2), [(None, 3, 4)], (None, 3, 4)),
    ("multihead_attention_cross", lambda: nn("multihead_attention", num_heads=2, mode="cross"),
     [(None, 1, 4), (None, 3, 6)], (None, 1, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_attention_layer_has_a_shape_case():
    assert layer_keys("attention") <= {c[0] for c in CASES}


def test_self_attention_is_torch_multihead_attention():
    torch.manual_seed(0)
    module = built_module(nn("multihead_attention", num_heads=2), [(None, 4, 6)])
    x = torch.randn(3, 4, 6)
    want = module.attention(x, x, x, need_weights=False)[0]
    assert torch.allclose(module(x), want)


def test_causal_attention_ignores_later_tokens():
    torch.manual_seed(0)
    check_causal(built_module(nn("multihead_attention", num_heads=2, is_causal=True), [(None, 5, 6)]))


def test_general_mode_takes_query_key_value():
    op = nn("multihead_attention", num_heads=1, mode="general")
    graph = [po("torch_ingress_num", id="q") >> nn("unsqueeze", dim=1),
             po("torch_ingress_num", id="k") >> nn("unsqueeze_2", dim=1),
             po("torch_ingress_num", id="v") >> nn("unsqueeze_3", dim=1)] >> op
    md = graph.train(tsk("iris"))[0]
    assert md.pointer_shape == (None, 1, 4)


def test_modes_name_the_inputs():
    assert nn("multihead_attention").input_names == ["input"]
    assert nn("multihead_attention", mode="cross").input_names == ["query", "key_value"]
    assert [c.name for c in nn("multihead_attention", mode="general").input_channels] == ["query", "key", "value"]
    with pytest.raises(InvalidParameterError, match=r"mode must be one of \['self', 'cross', 'general'\], got 'bogus'"):
        nn("multihead_attention", mode="bogus")


def test_cross_attention_reads_key_and_value_sizes_from_the_second_input():
    module = built_module(nn("multihead_attention", num_heads=2, mode="cross"), [(None, 1, 4), (None, 3, 6)])
    assert (module.attention.embed_dim, module.attention.kdim, module.attention.vdim) == (4, 6, 6)
    assert module(torch.randn(2, 1, 4), torch.randn(2, 3, 6)).shape == (2, 1, 4)


def test_heads_must_divide_the_token_size(iris):
    fails_to_build(nn("multihead_attention", num_heads=3), [(None, 3, 8)], iris,
                   "num_heads=3 must divide the token size 8")
    with pytest.raises(ValueError, match="attention_n_heads=3 must divide d_token=8"):
        FTMultiheadAttention(8, 3, 0.0)
    with pytest.raises(ValueError, match="initialization must be 'kaiming' or 'xavier'"):
        FTMultiheadAttention(8, 2, 0.0, initialization="zeros")


def test_single_head_has_no_output_projection():
    block = nn("ft_transformer_block", attention_n_heads=1)
    md = (po("torch_ingress_num") >> nn("tokenizer_num", d_token=4) >> block).train(tsk("iris"))[0]
    module = md.graph.pipeops["ft_transformer_block"].module
    assert module.attention.W_out is None


def test_xavier_initialization_and_zero_biases():
    torch.manual_seed(0)
    att = FTMultiheadAttention(64, 8, 0.0, initialization="xavier")
    bound = (1 / 2) ** 0.5 * (6 / (64 + 64)) ** 0.5
    assert att.W_q.weight.abs().max() <= bound and att.W_q.weight.abs().max() > 0.9 * bound
    assert all(float(m.bias.detach().abs().max()) == 0 for m in (att.W_q, att.W_k, att.W_v, att.W_out))


def test_ft_attention_with_one_head_is_scaled_dot_product_attention():
    torch.manual_seed(0)
    att = FTMultiheadAttention(6, 1, dropout=0.0)
    q, kv = torch.randn(2, 1, 6), torch.randn(2, 4, 6)
    weights = torch.softmax(att.W_q(q) @ att.W_k(kv).transpose(1, 2) / 6 ** 0.5, dim=-1)
    assert torch.allclose(att(q, kv), weights @ att.W_v(kv), atol=1e-6)
