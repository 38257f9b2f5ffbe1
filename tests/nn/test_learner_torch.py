"""LearnerTorch: training, prediction encoding, seeding, validation, errors, interrupts (early stopping: callbacks/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch.core import progress
from jupytorch.core.exceptions import (
    InvalidParameterError,
    LearnerError,
    TaskError,
)

from .conftest import make_classif, make_regr, mlp


def test_mlp_learns_iris_and_mtcars():
    iris = jt.tsk("iris")
    learner = jt.lrn("classif.mlp", neurons=(32,), epochs=30, batch_size=16, device="cpu", seed=1, opt__lr=0.01,
                     predict_type="prob")
    prediction = learner.train(iris).predict(iris)
    assert prediction.score(jt.msr("classif.acc")) > 0.9
    assert np.allclose(prediction.prob.sum(axis=1), 1.0)
    mtcars = jt.tsk("mtcars")
    regr = jt.lrn("regr.mlp", neurons=(16,), epochs=5, batch_size=8, device="cpu", seed=1).train(mtcars)
    # scale_target=True (the default of regr.mlp): outputs come back in the target's units
    assert regr.model.network[0].in_features == 10
    assert float(regr.model.network.target_mean) == pytest.approx(mtcars.truth().mean(), rel=1e-6)
    assert regr.predict(mtcars).response.notna().all()


def test_binary_head_is_one_logit_of_the_positive_class(task_binary):
    learner = mlp(predict_type="prob").train(task_binary)
    assert learner.model.network[-1].out_features == 1
    prediction = learner.predict(task_binary)
    x = torch.tensor(task_binary.data(cols=task_binary.feature_names).to_numpy(dtype=np.float32))
    learner.model.network.eval()
    p_positive = torch.sigmoid(learner.model.network(x))[:, 0].detach().numpy()
    assert np.allclose(prediction.prob[task_binary.class_names[0]].to_numpy(), p_positive, atol=1e-6)
    assert (prediction.response == np.where(p_positive >= 0.5, *task_binary.class_names)).all()


def test_same_seed_gives_identical_weights_and_restores_the_global_rng(task_multi):
    state = torch.get_rng_state()
    a = mlp(seed=7).train(task_multi).model.network.state_dict()
    assert torch.equal(torch.get_rng_state(), state)  # the caller's random numbers are untouched
    b = mlp(seed=7).train(task_multi).model.network.state_dict()
    c = mlp(seed=8).train(task_multi).model.network.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)
    drawn = mlp(seed="random").train(task_multi)
    assert isinstance(drawn.model.seed, int)
    again = mlp(seed=drawn.model.seed).train(task_multi)
    assert all(torch.equal(v, again.model.network.state_dict()[k]) for k, v in drawn.model.network.state_dict().items())


def test_validation_needs_configuration():
    with pytest.raises(InvalidParameterError, match="patience=2\\) needs validation"):
        mlp("regr", patience=2).train(make_regr())
    with pytest.raises(InvalidParameterError, match="measures_valid is set but there is no validation data"):
        mlp("regr", measures_valid=jt.msr("regr.mse")).train(make_regr())
    with pytest.raises(TaskError, match="validate='test' needs task 'toy_regr' to have an internal validation task"):
        mlp("regr").configure(validate="test").train(make_regr())
    with pytest.raises(InvalidParameterError, match="validate must be None, a ratio"):
        mlp("regr").configure(validate=1.5)


def test_validation_ratio_and_predefined_tasks():
    sizes = {}
    spy = jt.torch_callback("spy", on_begin=lambda cb: sizes.update(train=cb.ctx.task_train.nrow, valid=cb.ctx.task_valid.nrow))
    learner = mlp("regr", callbacks=spy)
    jt.set_validate(learner, 0.3)
    learner.train(make_regr(n=100))
    assert sizes == {"train": 70, "valid": 30}
    task = make_regr(n=100)
    task.internal_valid_task = list(range(80, 100))
    jt.set_validate(learner, "predefined")
    learner.train(task)
    assert sizes == {"train": 80, "valid": 20}


def test_wrong_output_shape_at_predict_is_explained():
    learner = jt.LearnerTorchModel(torch.nn.Linear(4, 2), {"x": jt.ingress_num()}, "classif",
                                   loss=jt.as_torch_loss(lambda y_hat, y: y_hat.sum() * 0 + torch.nn.functional.mse_loss(y_hat[:, :1], y)))
    learner.configure(epochs=1, batch_size=32, device="cpu")
    task = make_classif(n_classes=2)
    learner.train(task)
    with pytest.raises(LearnerError, match=r"output has shape \(120, 2\), but a 2-class task needs \(B, 1\)"):
        learner.predict(task)


def test_required_parameters_and_threads(task_multi):
    with pytest.raises(InvalidParameterError, match="required parameter\\(s\\) \\['epochs'\\]"):
        jt.lrn("classif.mlp", batch_size=8).train(task_multi)
    threads = torch.get_num_threads()
    mlp(num_threads=1).train(task_multi)
    assert torch.get_num_threads() == threads


def test_bf16_precision_and_batch_size_predict(task_regr):
    learner = mlp("regr", precision="bf16", batch_size_predict=7).train(task_regr)
    assert np.isfinite(learner.predict(task_regr).response).all()


def test_mlp_layers_and_activation(task_multi):
    learner = mlp(neurons=16, n_layers=3, activation=torch.nn.Tanh, p=0.2).train(task_multi)
    net = learner.model.network
    assert [type(m).__name__ for m in net][:3] == ["Linear", "Tanh", "Dropout"] and len(net) == 10
    assert net[2].p == 0.2
    with pytest.raises(InvalidParameterError, match="n_layers=2 repeats a single width"):
        mlp(neurons=(4, 5), n_layers=2).train(task_multi)


def test_featureless_learns_the_constant():
    task = make_regr()
    learner = jt.lrn("regr.torch_featureless", epochs=200, batch_size=120, device="cpu", seed=1, opt__lr=0.1).train(task)
    response = learner.predict(task).response
    assert response.nunique() == 1 and response.iloc[0] == pytest.approx(task.truth().mean(), abs=0.05)
    frame = pd.DataFrame({"x": ["a", "b", None, "c"], "y": ["u", "v", "u", "u"]})
    classif = jt.as_task_classif(frame, target="y")
    trained = jt.lrn("classif.torch_featureless", epochs=100, batch_size=4, device="cpu", seed=1, opt__lr=0.1,
                     predict_type="prob").train(classif)
    assert trained.predict(classif).prob["u"].iloc[0] == pytest.approx(0.75, abs=0.05)


class Encoder(torch.nn.Module):
    def __init__(self, task, latent_dim: int = 4):
        super().__init__()
        self.body = torch.nn.Linear(task.n_features, latent_dim)
        self.head = torch.nn.Linear(latent_dim, 1)

    def forward(self, x):
        return self.head(torch.relu(self.body(x)))


def test_module_learner_with_params_from_the_generator(task_regr):
    learner = jt.lrn("regr.module", module_generator=Encoder, ingress_tokens={"x": jt.ingress_num()}, latent_dim=6,
                     epochs=2, batch_size=32, device="cpu")
    assert "latent_dim" in learner.param_set.ids()
    learner.train(task_regr)
    assert learner.model.network.body.out_features == 6


class TwoInputs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.num = torch.nn.Linear(2, 4)
        self.cat = torch.nn.Embedding(3, 4)
        self.out = torch.nn.Linear(4, 1)

    def forward(self, num, cat):
        return self.out(self.num(num) + self.cat(cat[:, 0]))


def test_torch_model_with_two_inputs_by_name():
    frame = pd.DataFrame({"a": np.arange(40.0), "b": np.ones(40), "g": pd.Categorical(["x", "y"] * 20),
                          "y": np.arange(40.0) % 3})
    task = jt.as_task_regr(frame, target="y")
    learner = jt.LearnerTorchModel(TwoInputs(), {"num": jt.ingress_num(), "cat": jt.ingress_categ()}, "regr",
                                   optimizer=jt.t_opt("adamw", lr=0.01))
    learner.configure(epochs=2, batch_size=16, device="cpu", seed=1).train(task)
    assert learner.model.ingress_tokens["cat"].cardinalities == [3]
    assert learner.predict(task).response.shape == (40,)
    first = learner.model.network.state_dict()["out.bias"].clone()
    learner.train(task)  # starts again from the network as given
    assert torch.equal(first, learner.model.network.state_dict()["out.bias"])


def test_registered_learners_and_repr():
    for key in ("classif.mlp", "regr.mlp", "classif.torch_featureless", "regr.torch_featureless"):
        learner = jt.lrn(key)
        assert learner.id == key and {"validation", "internal_tuning", "marshal"} <= learner.properties
    text = repr(mlp())
    assert "Loss: cross_entropy" in text and "Optimizer: adam" in text
    assert "classif.module" in set(jt.lrns()["key"]) and "regr.torch_model" in set(jt.lrns()["key"])


def test_compile_runs_the_forward_pass_through_torch_compile(task_multi, monkeypatch):
    compiled = []

    def fake_compile(network):
        compiled.append(network)
        return lambda x: network(x) * 1.0

    monkeypatch.setattr(torch, "compile", fake_compile)
    learner = mlp(compile=True).train(task_multi)
    assert compiled == [learner.model.network]  # the model keeps the plain module (for saving)


def test_validate_test_inside_resample():
    learner = mlp("regr", measures_valid=jt.msr("regr.mse"))
    jt.set_validate(learner, "test")
    rr = jt.resample(make_regr(), learner, jt.rsmp("cv", folds=2))
    scores = rr.internal_valid_scores
    assert len(scores) == 2 and all(set(s) == {"regr.mse"} for s in scores)


def test_progress_names_the_graph_learner_the_user_trains(task_multi):
    seen = []

    class Collect:
        def on_event(self, event):
            if event["level"] == "train" and event["stage"] == "begin":
                seen.append(event["info"])

    learner = jt.as_learner(jt.po("scale") >> mlp(epochs=1))
    learner.id = "my_pipeline"
    with progress.listen(Collect()):
        learner.train(task_multi)
    assert seen[0]["learner_id"] == "my_pipeline" and seen[0]["model_id"] == mlp().id


def test_predict_refuses_missing_and_infinite_inputs_naming_the_column(task_multi):
    import numpy as np

    learner = mlp(epochs=1).train(task_multi)
    data = task_multi.data()
    feature = task_multi.feature_names[0]
    bad = jt.as_task_classif(data.assign(**{feature: data[feature].astype(float).where(data.index != 2, np.inf)}),
                             target=task_multi.target_names[0], id="with_inf")
    with pytest.raises(TaskError, match=rf"cannot predict rows with missing \(NaN\) or infinite \(inf\).*'with_inf'.*{feature} \(1\)"):
        learner.predict(bad)
