import numpy as np
import pytest

import jupytorch as jt
from jupytorch import nn, po

from .conftest import check_classification, check_regression, impute, n_params


def expected_tabm_params(d_in, d_out, k, n_blocks, d):
    # Gorishniy et al. 2024. BatchEnsemble layer: shared W (d_in x d_out), per member r (d_in),
    # s (d_out) and bias (d_out); k independent output heads.
    first = d_in * d + k * d_in + 2 * k * d
    later = d * d + 3 * k * d
    head = k * (d * d_out + d_out)
    return first + (n_blocks - 1) * later + head


def expected_tabm_mini_params(d_in, d_out, k, n_blocks, d):
    # TabM-mini: one per-member scaling of the input, then a shared MLP, k heads
    return k * d_in + (d_in * d + d) + (n_blocks - 1) * (d * d + d) + k * (d * d_out + d_out)


def test_defaults():
    values = jt.lrn("regr.tabm").param_set.values
    assert (values["k"], values["n_blocks"], values["d_block"], values["dropout"]) == (32, 3, 512, 0.1)


def test_trains_on_california_and_penguins(california, penguins):
    small = {"k": 8, "n_blocks": 2, "d_block": 32, "epochs": 8, "batch_size": 64, "seed": 1, "opt__lr": 3e-3}
    check_regression(jt.lrn("regr.tabm", **small), california)
    check_classification(jt.lrn("classif.tabm", **{**small, "epochs": 15}), penguins)


@pytest.mark.parametrize("arch_type", ["tabm", "tabm-mini"])
def test_parameter_count_matches_the_paper_formula(arch_type, california):
    task = impute(california)
    k, n_blocks, d = 4, 3, 16
    learner = jt.lrn("regr.tabm", k=k, n_blocks=n_blocks, d_block=d, arch_type=arch_type, epochs=1, batch_size=128)
    learner.train(task)
    formula = expected_tabm_params if arch_type == "tabm" else expected_tabm_mini_params
    assert n_params(learner.network) == formula(8 + 6, 1, k, n_blocks, d)


def test_graph_from_layers_has_the_same_parameters(california):
    task = impute(california)
    k, n_blocks, d = 4, 3, 16
    learner = jt.lrn("regr.tabm", k=k, n_blocks=n_blocks, d_block=d, epochs=1, batch_size=128, seed=1).train(task)
    layer = nn("linear_batch_ensemble", out_features=d) >> nn("relu") >> nn("dropout", p=0.1)
    graph = ([po("torch_ingress_num"), po("torch_ingress_categ") >> nn("one_hot")] >> nn("merge_cat")
             >> nn("ensemble_view", k=k)
             >> nn("linear_batch_ensemble", out_features=d, scaling_init="random-signs") >> nn("relu") >> nn("dropout")
             >> nn("block", layer, n_blocks=n_blocks - 1) >> nn("linear_ensemble")
             >> po("torch_model_regr", epochs=1, batch_size=128, seed=1))
    rebuilt = jt.as_learner(graph).train(task)
    assert n_params(rebuilt.model["torch_model_regr"].model.network) == n_params(learner.network)
    assert len(rebuilt.predict(task).response) == len(task.row_ids)


def test_binary_task_and_saving(tmp_path):
    task = impute(jt.tsk("breast_cancer"))
    learner = jt.lrn("classif.tabm", k=4, n_blocks=1, d_block=16, epochs=5, batch_size=64, seed=1, opt__lr=3e-3,
                     predict_type="prob")
    prediction = learner.train(task).predict(task)
    assert prediction.score(jt.msr("classif.acc")) > 0.8
    loaded = jt.load(learner.save(tmp_path / "tabm.jt"))
    assert np.allclose(loaded.predict(task).prob.to_numpy(), prediction.prob.to_numpy())
