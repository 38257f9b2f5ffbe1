import numpy as np

import jupytorch as jt
from jupytorch import nn, po

from .conftest import check_classification, check_regression, impute, n_params


def expected_ft_params(n_num, cards, d_out, n_blocks, d, heads, ffn_hidden):
    # Gorishniy et al. 2021. Tokens: numeric weight + bias (d each per feature), categorical
    # embeddings (one row per level) + bias per feature, the [CLS] vector.
    tokens = 2 * n_num * d + sum(cards) * d + len(cards) * d + d
    attention = 3 * (d * d + d) + (d * d + d if heads > 1 else 0)     # W_q, W_k, W_v (+ W_out)
    ffn = (d * 2 * ffn_hidden + 2 * ffn_hidden) + (ffn_hidden * d + d)  # ReGLU: the first layer is twice as wide
    norms = 2 * d + 2 * d                                              # before attention and before the ffn
    blocks = n_blocks * (attention + ffn + norms) - 2 * d              # the first block has no attention norm
    head = 2 * d + d * d_out + d_out                                   # LayerNorm, ReLU, Linear
    return tokens + blocks + head


def test_defaults_are_the_papers():
    learner = jt.lrn("regr.ft_transformer")
    values = learner.param_set.values
    assert (values["d_token"], values["n_blocks"]) == (192, 3)
    assert values["scale_target"] is True
    assert (learner.optimizer.id, values["opt__lr"], values["opt__weight_decay"]) == ("adamw", 1e-4, 1e-5)
    defaults = learner.param_set.default
    assert defaults["attention_n_heads"] == 8 and defaults["attention_dropout"] == 0.2
    assert defaults["ffn_dropout"] == 0.1 and defaults["residual_dropout"] == 0.0
    assert defaults["ffn_d_hidden_multiplier"] == 4 / 3 and defaults["ffn_activation"] == "reglu"
    assert defaults["prenormalization"] is True and defaults["attention_initialization"] == "kaiming"


def test_no_weight_decay_for_tokenizers_norms_and_biases(california):
    learner = jt.lrn("regr.ft_transformer", d_token=8, n_blocks=1, attention_n_heads=2, epochs=1, batch_size=128)
    learner.train(impute(california))
    network = learner.network
    groups = learner.model.optimizer["param_groups"]
    by_decay = {g["weight_decay"]: len(g["params"]) for g in groups}
    exempt = [n for n, _ in network.named_parameters()
              if n.startswith(("tokenizer", "cls")) or "norm" in n or n.endswith("bias") or n.startswith("head.0")]
    assert by_decay == {1e-5: n_params_count(network) - len(exempt), 0.0: len(exempt)}


def n_params_count(network):
    return len(list(network.parameters()))


def test_trains_on_california_and_penguins(california, penguins):
    small = {"d_token": 16, "n_blocks": 2, "attention_n_heads": 2, "epochs": 6, "batch_size": 64, "seed": 1,
             "opt__lr": 3e-3}
    check_regression(jt.lrn("regr.ft_transformer", **small), california)
    check_classification(jt.lrn("classif.ft_transformer", **{**small, "epochs": 15}), penguins)


def test_parameter_count_matches_the_paper_formula_and_the_graph(california):
    task = impute(california)
    n_blocks, d, heads = 3, 16, 4
    learner = jt.lrn("regr.ft_transformer", d_token=d, n_blocks=n_blocks, attention_n_heads=heads, epochs=1,
                     batch_size=128, seed=1)
    learner.train(task)
    hidden = int(d * 4 / 3)
    assert n_params(learner.network) == expected_ft_params(8, [6], 1, n_blocks, d, heads, hidden)
    # the default configuration, counted without training
    net = jt.lrn("regr.ft_transformer")._network_from_tokens(task, jt.lrn("regr.ft_transformer").param_set.get_values(with_defaults=True),
                                                              jt.lrn("regr.ft_transformer")._ingress_tokens(task, {}))
    assert n_params(net) == expected_ft_params(8, [6], 1, 3, 192, 8, 256)

    tokens = [po("torch_ingress_num") >> nn("tokenizer_num", d_token=d),
              po("torch_ingress_categ") >> nn("tokenizer_categ", d_token=d)] >> nn("merge_cat", dim=1)
    graph = (tokens >> nn("ft_cls")
             >> nn("ft_transformer_block", attention_n_heads=heads, is_first_layer=True)
             >> nn("block", nn("ft_transformer_block", attention_n_heads=heads), n_blocks=n_blocks - 2)
             >> nn("ft_transformer_block_last", attention_n_heads=heads, query_idx=-1)
             >> nn("flatten") >> nn("layer_norm", dims=1) >> nn("relu") >> nn("head")
             >> po("torch_model_regr", epochs=1, batch_size=128, seed=1))
    rebuilt = jt.as_learner(graph).train(task)
    assert n_params(rebuilt.model["torch_model_regr"].model.network) == n_params(learner.network)


def test_saved_learner_predicts_the_same(tmp_path, penguins):
    task = impute(penguins)
    learner = jt.lrn("classif.ft_transformer", d_token=8, n_blocks=1, attention_n_heads=2, epochs=1, batch_size=64,
                     seed=1, predict_type="prob")
    learner.train(task)
    path = learner.save(tmp_path / "ft.jt")
    loaded = jt.load(path)
    assert np.allclose(loaded.predict(task).prob.to_numpy(), learner.predict(task).prob.to_numpy())
