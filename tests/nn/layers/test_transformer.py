"""Transformer layers (jupytorch/nn/layers/transformer.py): nn("transformer_encoder_layer") and the
FT-Transformer's nn("ft_transformer_block").
"""

from __future__ import annotations

import pytest
import torch

from jupytorch import nn
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.layers.activations import ReGLU
from jupytorch.nn.layers.transformer import FTTransformerBlock, ffn_hidden

from ..conftest import fails_to_build
from .conftest import built_module, check_causal, check_shape_case, layer_keys, shape_cases

CASES = [
    ("ft_transformer_block", lambda: nn("ft_transformer_block", attention_n_heads=2), [(None, 3, 4)], (None, 3, 4)),
    ("ft_transformer_block_cls", lambda: nn("ft_transformer_block", attention_n_heads=2, query_idx=-1,
                                            ffn_activation="relu", prenormalization=False), [(None, 3, 4)], (None, 1, 4)),
    ("transformer_encoder_layer", lambda: nn("transformer_encoder_layer", nhead=2, dim_feedforward=8),
     [(None, 3, 4)], (None, 3, 4)),
    ("transformer_encoder_layer_causal", lambda: nn("transformer_encoder_layer", nhead=2, dim_feedforward=8,
                                                    is_causal=True), [(None, 3, 4)], (None, 3, 4)),
]


@shape_cases(CASES)
def test_inferred_shape_matches_the_real_module(factory, shapes, expected, iris):
    check_shape_case(factory, shapes, expected, iris)


def test_every_transformer_layer_has_a_shape_case():
    assert layer_keys("transformer") <= {c[0] for c in CASES}


def test_causal_encoder_layer_ignores_later_tokens():
    torch.manual_seed(0)
    op = nn("transformer_encoder_layer", nhead=2, dim_feedforward=8, dropout=0.0, is_causal=True)
    check_causal(built_module(op, [(None, 5, 6)]))


def test_encoder_layer_is_batch_first_with_d_model_from_the_input(iris):
    op = nn("transformer_encoder_layer", nhead=2, dim_feedforward=16, activation="gelu")
    module = built_module(op, [(None, 5, 6)])
    assert module.self_attn.batch_first and module.self_attn.embed_dim == 6 and module.linear1.out_features == 16
    assert "d_model" not in nn("transformer_encoder_layer").param_set
    with pytest.raises(InvalidParameterError, match="parameter 'activation' must be one of 'relu', 'gelu'"):
        nn("transformer_encoder_layer", nhead=2, activation="tanh")
    fails_to_build(nn("transformer_encoder_layer", nhead=2), [(None, 6)], iris, r"\(batch, tokens, d\)")


def test_ft_block_defaults_follow_the_paper():
    block = built_module(nn("ft_transformer_block", attention_n_heads=4), [(None, 3, 12)])
    assert block.linear_first.out_features == 2 * 16            # ReGLU: twice 4/3 * 12
    assert block.attention.dropout == 0.2 and block.ffn_dropout.p == 0.1 and block.residual_dropout.p == 0.0
    first = built_module(nn("ft_transformer_block", attention_n_heads=4, is_first_layer=True), [(None, 3, 12)])
    assert first.attention_norm is None
    kept = built_module(nn("ft_transformer_block", attention_n_heads=4, is_first_layer=True,
                           first_prenormalization=True), [(None, 3, 12)])
    assert kept.attention_norm is not None
    hidden = built_module(nn("ft_transformer_block", attention_n_heads=4, ffn_d_hidden_multiplier=2.0,
                             ffn_bias_first=False), [(None, 3, 12)])
    assert hidden.linear_first.out_features == 48 and hidden.linear_first.bias is None


def test_ffn_width():
    assert ffn_hidden(192) == 256 and ffn_hidden(12, ffn_d_hidden=5) == 5
    assert ffn_hidden(1, ffn_d_hidden_multiplier=0.1) == 1  # at least one unit
    gated = FTTransformerBlock(8, 2, ffn_d_hidden=6)
    assert isinstance(gated.activation, ReGLU)
    assert gated.linear_first.out_features == 12 and gated.linear_second.in_features == 6  # ReGLU halves
    plain = FTTransformerBlock(8, 2, ffn_d_hidden=6, ffn_activation="relu")
    assert plain.linear_first.out_features == 6


def test_query_idx_returns_the_last_token_of_the_full_block():
    torch.manual_seed(0)
    full = FTTransformerBlock(8, 2).eval()
    last = FTTransformerBlock(8, 2, query_idx=-1).eval()
    last.load_state_dict(full.state_dict())
    x = torch.randn(3, 5, 8)
    with torch.no_grad():
        assert torch.allclose(last(x), full(x)[:, -1:], atol=1e-6)


def test_heads_must_divide_the_token_size(iris):
    fails_to_build(nn("ft_transformer_block", attention_n_heads=3), [(None, 3, 8)], iris,
                   "attention_n_heads=3 must divide d_token=8")
    fails_to_build(nn("transformer_encoder_layer", nhead=3), [(None, 3, 8)], iris, "transformer_encoder_layer")
