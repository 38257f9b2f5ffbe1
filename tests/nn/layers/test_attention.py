import torch

from jupytorch import nn, po, tsk


def _module(op, shapes):
    from tests.nn.graph.conftest import input_descriptors

    md = op.train(input_descriptors(shapes, tsk("iris")))[0]
    return md.graph.pipeops[op.id].module


def test_self_attention_is_torch_multihead_attention():
    torch.manual_seed(0)
    module = _module(nn("multihead_attention", num_heads=2), [(None, 4, 6)])
    x = torch.randn(3, 4, 6)
    want = module.attention(x, x, x, need_weights=False)[0]
    assert torch.allclose(module(x), want)


def test_causal_attention_ignores_later_tokens():
    torch.manual_seed(0)
    for op in (nn("multihead_attention", num_heads=2, is_causal=True),
               nn("transformer_encoder_layer", nhead=2, dim_feedforward=8, dropout=0.0, is_causal=True)):
        module = _module(op, [(None, 5, 6)]).eval()
        x = torch.randn(2, 5, 6)
        y = x.clone()
        y[:, 3:] = torch.randn(2, 2, 6)      # change only the last two tokens
        with torch.no_grad():
            assert torch.allclose(module(x)[:, :3], module(y)[:, :3], atol=1e-6)
            assert not torch.allclose(module(x)[:, 3:], module(y)[:, 3:])


def test_general_mode_takes_query_key_value():
    op = nn("multihead_attention", num_heads=1, mode="general")
    graph = [po("torch_ingress_num", id="q") >> nn("unsqueeze", dim=1),
             po("torch_ingress_num", id="k") >> nn("unsqueeze_2", dim=1),
             po("torch_ingress_num", id="v") >> nn("unsqueeze_3", dim=1)] >> op
    md = graph.train(tsk("iris"))[0]
    assert md.pointer_shape == (None, 1, 4)


def test_ft_block_defaults_follow_the_paper():
    block = _module(nn("ft_transformer_block", attention_n_heads=4), [(None, 3, 12)])
    assert block.linear_first.out_features == 2 * 16            # ReGLU: twice 4/3 * 12
    assert block.attention.dropout == 0.2 and block.ffn_dropout.p == 0.1 and block.residual_dropout.p == 0.0
    first = _module(nn("ft_transformer_block", attention_n_heads=4, is_first_layer=True), [(None, 3, 12)])
    assert first.attention_norm is None
    kept = _module(nn("ft_transformer_block", attention_n_heads=4, is_first_layer=True, first_prenormalization=True),
                   [(None, 3, 12)])
    assert kept.attention_norm is not None
    hidden = _module(nn("ft_transformer_block", attention_n_heads=4, ffn_d_hidden_multiplier=2.0, ffn_bias_first=False),
                     [(None, 3, 12)])
    assert hidden.linear_first.out_features == 48 and hidden.linear_first.bias is None
