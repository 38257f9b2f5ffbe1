import numpy as np
import pytest

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.nn.target_scale import is_target_scaled


@pytest.fixture(scope="module")
def california():
    task = jt.tsk("california_housing")
    rows = np.random.default_rng(1).choice(task.row_ids, size=600, replace=False)
    return (po("imputemedian") >> po("encode") >> po("scale")).train(task.filter(rows))[0]


def test_scale_target_makes_raw_dollars_trainable(california):
    args = {"neurons": (32,), "epochs": 10, "batch_size": 32, "seed": 1, "device": "cpu", "opt__lr": 3e-3}
    raw = jt.lrn("regr.mlp", scale_target=False, **args).train(california)
    scaled = jt.lrn("regr.mlp", **args).train(california)   # scale_target=True is the default
    rmse_raw = raw.predict(california).score(jt.msr("regr.rmse"))
    rmse_scaled = scaled.predict(california).score(jt.msr("regr.rmse"))
    sd = california.truth().std()
    assert rmse_raw > 0.95 * sd          # on raw dollars the network has barely moved from 0
    assert rmse_scaled < 0.75 * sd
    assert is_target_scaled(scaled.network) and not is_target_scaled(raw.network)
    assert float(scaled.network.target_sd) == pytest.approx(california.truth().std(ddof=0), rel=1e-5)


def test_losses_and_validation_scores_are_on_their_scales(california):
    learner = jt.lrn("regr.mlp", neurons=(16,), epochs=2, batch_size=64, seed=1, measures_valid=jt.msr("regr.rmse"),
                     callbacks=jt.t_clbk("history"))
    jt.set_validate(learner, 0.25)
    learner.train(california)
    history = learner.model.callbacks["history"]
    assert history["train_loss"].iloc[-1] < 10 and history["valid_loss"].iloc[-1] < 10   # standardized units
    assert history["valid.regr.rmse"].iloc[-1] > 1e4                                     # dollars
    assert learner.internal_valid_scores["regr.rmse"] > 1e4


def test_torch_model_regr_takes_scale_target(california):
    graph = (po("torch_ingress_num") >> nn("linear", out_features=8) >> nn("relu") >> nn("head")
             >> po("torch_model_regr", epochs=2, batch_size=64, seed=1, scale_target=True))
    learner = jt.as_learner(graph).train(california)
    assert is_target_scaled(learner.model["torch_model_regr"].model.network)
    assert "scale_target" not in po("torch_model_classif").param_set.params


def test_saved_scaled_learner_predicts_in_dollars(tmp_path, california):
    learner = jt.lrn("regr.mlp", neurons=(8,), epochs=1, batch_size=64, seed=1).train(california)
    loaded = jt.load(learner.save(tmp_path / "m.jt"))
    assert np.allclose(loaded.predict(california).response, learner.predict(california).response)
