"""Search spaces: every parameter type as an Optuna distribution, labels for tuples, dependencies."""

from __future__ import annotations

import optuna
import pytest

import jupytorch as jt
from jupytorch import nn, po, ppl, to_tune
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.tuning.space import (
    Dimension,
    SearchSpace,
    aggregate_internal,
    branch_dependencies,
)

from .conftest import mlp


def test_ranges_levels_and_logicals_become_distributions(shift):
    learner = jt.lrn("regr.rpart", cp=to_tune(1e-4, 0.1, logscale=True), maxdepth=to_tune(2, 6))
    dists = SearchSpace.from_learner(learner).distributions()
    assert dists["cp"] == optuna.distributions.FloatDistribution(1e-4, 0.1, log=True)
    assert dists["maxdepth"] == optuna.distributions.IntDistribution(2, 6)
    shift.param_set.set_values(fail=to_tune(), shift=to_tune(-1, 1))
    dists = SearchSpace.from_learner(shift).distributions()
    assert dists["fail"] == optuna.distributions.CategoricalDistribution([True, False])
    assert dists["shift"] == optuna.distributions.FloatDistribution(-1.0, 1.0)


def test_categorical_levels_and_tuples_map_to_labels_and_back():
    learner = mlp(neurons=to_tune([(8,), (16, 8), (16, 8)[:1]]), p=to_tune(0.0, 0.5))
    learner.param_set.set_values(opt__amsgrad=to_tune([True, False]))
    space = SearchSpace.from_learner(learner)
    neurons = space["neurons"]
    assert neurons.choices == ["0: (8,)", "1: (16, 8)", "2: (16,)"] or neurons.choices == ["(8,)", "(16, 8)", "(16,)"]
    for level in neurons.levels:
        assert neurons.decode(neurons.encode(level)) == level
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen = set()
    for _ in range(12):
        config = space.sample(study.ask())
        assert isinstance(config["neurons"], tuple)
        seen.add(config["neurons"])
        assert 0.0 <= config["p"] <= 0.5
    assert len(seen) == 3
    labels = Dimension("x", "categorical", levels=[(1,), "(1,)"]).choices
    assert len(set(labels)) == 2  # labels that would collide get their position


def test_factor_levels_keep_plain_values():
    learner = jt.as_learner(po("encode", method=to_tune(["one-hot", "treatment"])) >> jt.lrn("regr.rpart"))
    space = SearchSpace.from_learner(learner)
    assert space["encode__method"].choices == ["one-hot", "treatment"]


def test_internal_tokens_are_not_sampled():
    learner = mlp(epochs=to_tune(upper=7, internal=True), patience=2, p=to_tune(0.0, 0.5))
    space = SearchSpace.from_learner(learner)
    assert space.ids == ["p"]
    assert space.internal_upper() == {"epochs": 7}


def test_token_that_cannot_fit_fails_when_set():
    with pytest.raises(InvalidParameterError, match="not in the parameter's levels"):
        jt.as_learner(po("encode", method=to_tune(["one-hot", "tanh"])) >> jt.lrn("regr.rpart"))


def _branchy():
    block = nn("linear", out_features=8) >> ppl("branch", {"relu": nn("relu"), "sigmoid": nn("sigmoid")}) >> nn("dropout")
    graph = (po("torch_ingress_num") >> nn("block", block) >> nn("head") >> po("torch_loss", loss=jt.t_loss("mse"))
             >> po("torch_optimizer", optimizer=jt.t_opt("adamw")) >> po("torch_model_regr", batch_size=16, epochs=1))
    return jt.as_learner(graph)


def test_branch_dependencies_found_inside_blocks():
    deps = branch_dependencies(_branchy())
    assert deps["block__relu__"] == ("block__branch__selection", ("relu",))
    assert "block__linear__" not in deps and "block__dropout__" not in deps


def test_inactive_parameters_are_not_sampled():
    learner = _branchy()
    learner.param_set.set_values(
        block__n_blocks=to_tune(1, 2),
        block__branch__selection=to_tune(["relu", "sigmoid"]),
        block__relu__inplace=to_tune(),
    )
    space = SearchSpace.from_learner(learner)
    assert space.ids.index("block__branch__selection") < space.ids.index("block__relu__inplace")
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    configs = [space.sample(study.ask()) for _ in range(16)]
    for config in configs:
        assert ("block__relu__inplace" in config) == (config["block__branch__selection"] == "relu")
    assert {c["block__branch__selection"] for c in configs} == {"relu", "sigmoid"}


def _pca_or_nothing(selection):
    learner = jt.as_learner(ppl("branch", {"pca": po("pca"), "none": po("nop")}) >> jt.lrn("regr.rpart"))
    learner.param_set.set_values(branch__selection=selection, pca__rank=to_tune(1, 3))
    return learner


def test_trials_on_the_path_without_a_tuned_parameter_train():
    """An inactive parameter falls back to its default: its to_tune() token never reaches training."""
    ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), _pca_or_nothing(to_tune()), jt.rsmp("holdout"),
                 jt.msr("regr.mse"), term_evals=6, seed=1)
    archive = ti.archive
    assert set(archive["branch__selection"]) == {"pca", "none"}
    assert archive["state"].eq("COMPLETE").all(), archive["error"].tolist()
    assert archive.loc[archive["branch__selection"] == "none", "pca__rank"].isna().all()


def test_the_tuned_learner_of_a_path_without_the_parameter_trains():
    ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), _pca_or_nothing(to_tune(["none"])),
                 jt.rsmp("holdout"), jt.msr("regr.mse"), term_evals=2, seed=1)
    tuned = ti.tuned_learner()
    assert "pca__rank" not in tuned.param_set.values
    assert tuned.train(jt.tsk("mtcars")).predict(jt.tsk("mtcars")).score(jt.msr("regr.mse")) >= 0


def test_required_parameter_with_token_counts_as_set():
    learner = _branchy()
    learner.param_set.unset("block__n_blocks")
    learner.param_set.set_values(block__n_blocks=to_tune(1, 2))
    # no "Missing required parameters" (the seed paper's failure): the token counts as a value
    learner.param_set.get_values(check_required=True)
    ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"), jt.msr("regr.mse"),
                 term_evals=1, seed=1)
    assert ti.archive["state"].tolist() == ["COMPLETE"]


def test_aggregate_internal_is_ceiling_of_mean_or_given():
    token = jt.to_tune(upper=10, internal=True)
    token.param_type = "int"
    assert aggregate_internal([2, 3], token) == 3
    assert aggregate_internal([], token) is None
    assert aggregate_internal([2, 9], jt.to_tune(upper=10, internal=True, aggregate=max)) == 9


def test_grid_points_and_param_resolutions():
    space = SearchSpace.from_learner(jt.lrn("regr.rpart", cp=to_tune(1e-3, 1e-1, logscale=True), maxdepth=to_tune(1, 3)))
    grid = space.grid(3, {"maxdepth": 2})
    assert grid["cp"] == pytest.approx([1e-3, 1e-2, 1e-1])
    assert grid["maxdepth"] == [1, 3]
    with pytest.raises(InvalidParameterError, match="Did you mean 'maxdepth'"):
        space.grid(3, {"maxdept": 2})
