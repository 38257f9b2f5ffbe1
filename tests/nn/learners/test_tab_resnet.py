import pytest

import jupytorch as jt
from jupytorch import nn, po

from .conftest import check_classification, check_regression, impute, n_params


def expected_resnet_params(d_in, d_out, n_blocks, d, h):
    # Gorishniy et al. 2021: Linear(d_in, d); per block BatchNorm(d) + Linear(d, h) + Linear(h, d);
    # head BatchNorm(d) + Linear(d, d_out)
    first = d_in * d + d
    block = 2 * d + (d * h + h) + (h * d + d)
    head = 2 * d + d * d_out + d_out
    return first + n_blocks * block + head


def test_trains_on_california_and_penguins(california, penguins):
    regr = jt.lrn("regr.tab_resnet", n_blocks=2, d_block=32, dropout1=0.1, epochs=8, batch_size=64, seed=1,
                  opt__lr=3e-3)
    check_regression(regr, california)
    classif = jt.lrn("classif.tab_resnet", n_blocks=1, d_block=16, epochs=15, batch_size=32, seed=1, opt__lr=3e-3)
    check_classification(classif, penguins)


def test_parameter_count_matches_the_paper_formula_and_the_graph(california):
    task = impute(california)
    n_blocks, d, h = 2, 24, 40
    learner = jt.lrn("regr.tab_resnet", n_blocks=n_blocks, d_block=d, d_hidden=h, epochs=1, batch_size=128, seed=1)
    learner.train(task)
    # 8 numeric features, ocean_proximity one-hot: 5 levels + 1 for missing/unseen
    d_in = 8 + 6
    assert n_params(learner.network) == expected_resnet_params(d_in, 1, n_blocks, d, h)

    residual = [nn("identity"), nn("batch_norm1d") >> nn("linear", out_features=h) >> nn("relu") >> nn("dropout")
                >> nn("linear_2", out_features=d) >> nn("dropout_2")] >> nn("merge_sum")
    graph = ([po("torch_ingress_num"), po("torch_ingress_categ") >> nn("one_hot")] >> nn("merge_cat")
             >> nn("linear", out_features=d) >> nn("block", residual, n_blocks=n_blocks)
             >> nn("batch_norm1d") >> nn("relu") >> nn("head")
             >> po("torch_model_regr", epochs=1, batch_size=128, seed=1))
    rebuilt = jt.as_learner(graph).train(task)
    assert n_params(rebuilt.model["torch_model_regr"].model.network) == n_params(learner.network)


def test_d_hidden_multiplier_sets_the_hidden_width(california):
    learner = jt.lrn("regr.tab_resnet", n_blocks=1, d_block=10, d_hidden_multiplier=3, epochs=1, batch_size=128)
    learner.train(impute(california))
    assert learner.network.blocks[0].linear_first.out_features == 30


def test_missing_required_parameters_are_named():
    with pytest.raises(Exception, match="d_block"):
        jt.lrn("regr.tab_resnet", n_blocks=1, epochs=1, batch_size=8).train(jt.tsk("mtcars"))
