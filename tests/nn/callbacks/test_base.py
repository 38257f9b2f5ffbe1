"""The Callback base: stage order, which stages run, parameters from the signature, subclassing, terminate."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.callbacks.base import STAGES

from ..conftest import make_classif, make_regr, mlp

PER_BATCH = ["on_batch_begin", "on_after_backward", "on_batch_end"]
VALID = ["on_batch_valid_begin", "on_batch_valid_end", "on_valid_end"]


class Recorder(jt.Callback):
    def __init__(self):
        self.calls = []

    def _record(self, stage):
        self.calls.append((stage, self.ctx.epoch, self.ctx.step))

    def state_dict(self):
        return self.calls


for _stage in STAGES:
    setattr(Recorder, _stage, lambda self, _s=_stage: self._record(_s))


def _stages(learner):
    return [stage for stage, _, _ in learner.model.callbacks["recorder"]]


def test_callback_stages_run_in_mlr3torch_order():
    learner = mlp("regr", epochs=2, batch_size=64, callbacks=Recorder()).configure(validate=0.25)
    learner.train(make_regr(n=120))  # 90 training rows: 2 batches; 30 validation rows: 1 batch
    epoch = ["on_epoch_begin", *PER_BATCH, *PER_BATCH, "on_before_valid", *VALID, "on_epoch_end"]
    assert _stages(learner) == ["on_begin", *epoch, *epoch, "on_end", "on_exit"]
    calls = learner.model.callbacks["recorder"]
    assert calls[0] == ("on_begin", 0, 0) and ("on_batch_end", 2, 2) in calls


def test_validation_stages_only_in_evaluated_epochs():
    learner = mlp("regr", epochs=3, batch_size=128, eval_freq=2, callbacks=Recorder()).configure(validate=0.25)
    learner.train(make_regr(n=120))
    epoch_plain = ["on_epoch_begin", *PER_BATCH, "on_before_valid", "on_epoch_end"]
    epoch_valid = ["on_epoch_begin", *PER_BATCH, "on_before_valid", *VALID, "on_epoch_end"]
    assert _stages(learner) == ["on_begin", *epoch_plain, *epoch_valid, *epoch_valid, "on_end", "on_exit"]


def test_on_exit_runs_after_an_error_and_the_error_names_the_phase():
    class Boom(Recorder):
        def on_batch_end(self):
            super().on_batch_end()
            raise ValueError("boom")

    boom = Boom()
    learner = mlp("regr", callbacks=boom)
    with pytest.raises(ValueError, match="boom") as info:
        learner.train(make_regr())
    notes = "\n".join(info.value.__notes__)
    assert "callbacks (on_batch_end) of epoch 1, batch 1" in notes and "Learner 'regr.mlp'" in notes
    assert learner.state is None


def test_only_overridden_stages_are_called():
    assert jt.t_clbk("history")._active_stages() == ["on_epoch_end"]
    assert Recorder()._active_stages() == list(STAGES)


def test_callback_params_from_signature_appear_on_the_learner(tmp_path):
    learner = mlp(callbacks=[jt.t_clbk("checkpoint", path=str(tmp_path)), jt.t_clbk("history")])
    assert learner.param_set.values["cb__checkpoint__path"] == str(tmp_path)
    learner.param_set.set_values(cb__checkpoint__freq=2)
    with pytest.raises(InvalidParameterError, match="'cb__checkpoint__freq' must be an integer in \\[1, inf\\]"):
        learner.param_set.set_values(cb__checkpoint__freq=0)
    learner.configure(epochs=3).train(make_classif())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "network2.pt", "network3.pt", "optimizer2.pt", "optimizer3.pt", "state2.pt", "state3.pt"]


class GradientClipper(jt.Callback):
    def __init__(self, max_norm: float = 1.0):
        self.max_norm = max_norm

    def on_after_backward(self):
        torch.nn.utils.clip_grad_norm_(self.ctx.network.parameters(), self.max_norm)


def test_gradient_clipping_by_subclassing_callback():
    norms = []
    checker = jt.torch_callback("checker", on_batch_end=lambda cb: norms.append(
        float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in cb.ctx.network.parameters()])))))
    learner = mlp("regr", optimizer=jt.t_opt("sgd", lr=0.1), callbacks=[GradientClipper(), checker],
                  cb__gradient_clipper__max_norm=0.01)
    assert learner.param_set.values["cb__gradient_clipper__max_norm"] == 0.01
    learner.train(make_regr())
    assert len(norms) == 8 and max(norms) <= 0.01 + 1e-6



def test_terminate_from_a_callback_stops_after_the_batch():
    stopper = jt.torch_callback("stopper", on_batch_end=lambda cb: setattr(cb.ctx, "terminate", cb.ctx.global_step >= 3))
    learner = mlp(epochs=5, callbacks=[stopper, jt.t_clbk("history")])
    learner.train(make_classif())  # 4 batches per epoch
    assert learner.model.epochs == 1 and not learner.model.interrupted
    assert learner.model.callbacks["history"]["epoch"].tolist() == [1]





