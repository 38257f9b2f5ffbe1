"""Saving, loading and pickling trained torch learners."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import JupytorchError

from .conftest import make_classif, make_regr, mlp


def _same_predictions(a, b, task):
    pa, pb = a.predict(task), b.predict(task)
    assert (pa.response.to_numpy() == pb.response.to_numpy()).all()
    if getattr(pa, "prob", None) is not None:
        assert np.array_equal(pa.prob.to_numpy(), pb.prob.to_numpy())


def test_save_load_gives_identical_predictions_without_trusting(tmp_path):
    task = make_classif()
    learner = mlp(neurons=(8, 8), activation=torch.nn.Tanh, activation_args={}, predict_type="prob",
                  measures_valid=[jt.msr("classif.acc")], callbacks=[jt.t_clbk("history"), jt.t_clbk("lr_step", step_size=1)],
                  optimizer=jt.t_opt("adamw", lr=0.01, betas=(0.8, 0.9)))
    learner.configure(validate=0.25).train(task)
    path = learner.save(tmp_path / "mlp.jt")
    header = path.read_bytes().split(b"\n", 1)[0]
    assert b'"storage": "tensors"' in header and b'"code": []' in header
    loaded = jt.load(path)  # no trusted=True needed: tensors and plain data only
    assert type(loaded) is type(learner) and loaded.param_set.values["activation"] is torch.nn.Tanh
    assert loaded.param_set.values["opt__betas"] == (0.8, 0.9)
    assert loaded.predict_type == "prob" and loaded.validate == 0.25
    _same_predictions(learner, loaded, task)
    assert loaded.model.callbacks["history"].equals(learner.model.callbacks["history"])
    assert loaded.model.seed == learner.model.seed and loaded.internal_valid_scores == learner.internal_valid_scores
    assert loaded.model.optimizer["param_groups"][0]["lr"] == learner.model.optimizer["param_groups"][0]["lr"]


def test_untrained_learner_round_trips(tmp_path):
    learner = mlp("regr", neurons=(3,), loss=jt.t_loss("l1"))
    loaded = jt.load(learner.save(tmp_path / "untrained.jt"))
    assert loaded.state is None and loaded.loss.id == "l1" and loaded.param_set.values == learner.param_set.values
    loaded.train(make_regr())


def test_pickle_round_trip_and_cpu_state():
    task = make_regr()
    learner = mlp("regr").train(task)
    again = pickle.loads(pickle.dumps(learner))
    _same_predictions(learner, again, task)
    assert all(t.device.type == "cpu" for t in again.model.network.state_dict().values())
    clone = learner.clone()
    _same_predictions(learner, clone, task)


class Tiny(torch.nn.Module):
    def __init__(self, task, width: int = 3):
        super().__init__()
        self.layer = torch.nn.Linear(task.n_features, 1)

    def forward(self, x):
        return self.layer(x)


def test_user_module_class_needs_trusted(tmp_path):
    task = make_regr()
    learner = jt.lrn("regr.module", module_generator=Tiny, width=4, epochs=1, batch_size=32, device="cpu").train(task)
    path = learner.save(tmp_path / "module.jt")
    with pytest.raises(JupytorchError, match=r"refers to code outside torch and jupytorch \([a-z_.]*test_nn_persistence:Tiny\)"):
        jt.load(path)
    loaded = jt.load(path, trusted=True)
    assert loaded.param_set.values["width"] == 4
    _same_predictions(learner, loaded, task)


def test_objects_that_are_not_plain_data_are_pickled_and_need_trusted(tmp_path):
    task = make_regr()
    net = torch.nn.Sequential(torch.nn.Linear(3, 1))
    learner = jt.LearnerTorchModel(net, {"x": jt.ingress_num()}, "regr").configure(epochs=1, batch_size=32, device="cpu")
    path = learner.train(task).save(tmp_path / "model.jt")
    with pytest.raises(JupytorchError, match="saved with pickle because it holds a network object"):
        jt.load(path)
    _same_predictions(learner, jt.load(path, trusted=True), task)
    function = mlp("regr", callbacks=jt.torch_callback("noop", on_epoch_end=_noop)).train(task)
    with pytest.raises(JupytorchError, match="made of functions"):
        jt.load(function.save(tmp_path / "function.jt"))
    lam = mlp("regr", callbacks=jt.torch_callback("noop", on_epoch_end=lambda cb: None)).train(task)
    with pytest.raises(JupytorchError, match="cannot be saved: callback 'noop' is made of functions.*pickling failed"):
        lam.save(tmp_path / "lambda.jt")


def _noop(cb):
    return None
