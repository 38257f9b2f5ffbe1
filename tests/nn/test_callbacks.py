"""Callbacks: stage order, parameters, built-ins (history, checkpoint/resume, schedulers, unfreeze)."""

from __future__ import annotations

import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.callbacks.base import STAGES

from .conftest import make_classif, make_regr, mlp

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
    with pytest.raises(InvalidParameterError, match="ids must be unique"):
        mlp(callbacks=[jt.t_clbk("history"), jt.t_clbk("history")])


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


def test_torch_callback_state_and_params():
    counter = jt.torch_callback(
        "counter", step=1, on_begin=lambda cb: setattr(cb, "n", 0),
        on_epoch_end=lambda cb: setattr(cb, "n", cb.n + cb.step), state_dict=lambda cb: cb.n)
    learner = mlp(epochs=3, callbacks=counter, cb__counter__step=10)
    learner.train(make_classif())
    assert learner.model.callbacks["counter"] == 30
    assert counter.__dict__.get("n") is None  # the template is not touched by training


def test_history_records_losses_and_measures():
    learner = mlp("regr", epochs=3, callbacks=jt.t_clbk("history"), measures_train=jt.msr("regr.mae"),
                  measures_valid=[jt.msr("regr.mse"), jt.msr("regr.mae")]).configure(validate=0.3)
    learner.train(make_regr())
    history = learner.model.callbacks["history"]
    assert list(history.columns) == ["epoch", "train_loss", "valid_loss", "train.regr.mae", "valid.regr.mse", "valid.regr.mae"]
    assert history["epoch"].tolist() == [1, 2, 3]
    assert history.notna().all().all()
    last = history.iloc[-1]
    assert learner.internal_valid_scores == {"regr.mse": last["valid.regr.mse"], "regr.mae": last["valid.regr.mae"]}
    # scale_target (on for regr.mlp): the loss is the mse of the standardized target
    sd = float(learner.model.network.target_sd)
    assert last["valid_loss"] == pytest.approx(last["valid.regr.mse"] / sd**2, rel=1e-4)
    raw = mlp("regr", epochs=1, scale_target=False, measures_valid=jt.msr("regr.mse"),
              callbacks=jt.t_clbk("history")).configure(validate=0.3)
    last = raw.train(make_regr()).model.callbacks["history"].iloc[-1]
    assert last["valid_loss"] == pytest.approx(last["valid.regr.mse"], rel=1e-5)  # mse loss = mse measure


def test_terminate_from_a_callback_stops_after_the_batch():
    stopper = jt.torch_callback("stopper", on_batch_end=lambda cb: setattr(cb.ctx, "terminate", cb.ctx.global_step >= 3))
    learner = mlp(epochs=5, callbacks=[stopper, jt.t_clbk("history")])
    learner.train(make_classif())  # 4 batches per epoch
    assert learner.model.epochs == 1 and not learner.model.interrupted
    assert learner.model.callbacks["history"]["epoch"].tolist() == [1]


def test_checkpoint_resume_continues_exactly(tmp_path):
    task = make_regr()
    full = mlp("regr", epochs=4, callbacks=jt.t_clbk("history")).configure(validate=0.2).train(task)
    first = mlp("regr", epochs=2, callbacks=[jt.t_clbk("history"), jt.t_clbk("checkpoint", path=str(tmp_path))])
    first.configure(validate=0.2).train(task)
    resumed = mlp("regr", epochs=4, resume=str(tmp_path), callbacks=[jt.t_clbk("history"), jt.t_clbk("checkpoint", path=str(tmp_path))])
    resumed.configure(validate=0.2).train(task)
    assert resumed.model.epochs == 4
    assert resumed.model.callbacks["history"]["epoch"].tolist() == [1, 2, 3, 4]
    for key, value in full.model.network.state_dict().items():
        assert torch.equal(value, resumed.model.network.state_dict()[key]), key
    again = mlp("regr", epochs=4, resume=True, callbacks=[jt.t_clbk("checkpoint", path=str(tmp_path))]).train(task)
    assert again.model.epochs == 4  # nothing left to train
    with pytest.raises(Exception, match="holds no complete checkpoint"):
        mlp("regr", resume=str(tmp_path / "empty")).train(task)


def test_lr_step_and_one_cycle():
    task = make_regr()
    stepped = mlp("regr", epochs=3, optimizer=jt.t_opt("sgd", lr=0.1),
                  callbacks=jt.t_clbk("lr_step", step_size=1, gamma=0.5)).train(task)
    assert stepped.model.optimizer["param_groups"][0]["lr"] == pytest.approx(0.0125)
    assert stepped.model.callbacks["lr_step"]["last_epoch"] == 3
    lrs = []
    spy = jt.torch_callback("spy", on_batch_begin=lambda cb: lrs.append(cb.ctx.optimizer.param_groups[0]["lr"]))
    cycled = mlp("regr", epochs=3, callbacks=[jt.t_clbk("lr_one_cycle", max_lr=0.05), spy]).train(task)
    assert cycled.model.callbacks["lr_one_cycle"]["total_steps"] == 12  # 3 epochs x 4 batches, inferred
    assert len(lrs) == 12 and 0.045 < max(lrs) <= 0.05 and lrs[-1] < 1e-4 and lrs[0] < 0.01


def test_lr_reduce_on_plateau_needs_a_validation_measure():
    with pytest.raises(InvalidParameterError, match="no measures_valid"):
        mlp("regr", callbacks=jt.t_clbk("lr_reduce_on_plateau")).train(make_regr())
    learner = mlp("regr", epochs=3, callbacks=jt.t_clbk("lr_reduce_on_plateau", patience=0, factor=0.5),
                  measures_valid=jt.msr("regr.mse")).configure(validate=0.3)
    learner.train(make_regr())
    assert learner.model.callbacks["lr_reduce_on_plateau"]["mode"] == "min"


def test_unfreeze_trains_the_starting_weights_first():
    snapshots = {}

    def snap(cb):
        snapshots[cb.ctx.epoch] = {k: v.clone() for k, v in cb.ctx.network.state_dict().items()}

    watcher = jt.torch_callback("watcher", on_begin=snap, on_epoch_end=snap)
    unfreeze = jt.t_clbk("unfreeze", starting_weights=["3.weight", "3.bias"],
                         unfreeze=[{"epoch": 2, "weights": lambda names: [n for n in names if n.startswith("0.")]}])
    mlp("regr", epochs=2, callbacks=[unfreeze, watcher]).train(make_regr())
    assert torch.equal(snapshots[0]["0.weight"], snapshots[1]["0.weight"])  # frozen in epoch 1
    assert not torch.equal(snapshots[0]["3.weight"], snapshots[1]["3.weight"])
    assert not torch.equal(snapshots[1]["0.weight"], snapshots[2]["0.weight"])  # unfrozen in epoch 2
    with pytest.raises(InvalidParameterError, match="'9.weight'"):
        mlp("regr", callbacks=jt.t_clbk("unfreeze", starting_weights=["9.weight"])).train(make_regr())


def test_progress_callback_draws_text_bars():
    import io

    out = io.StringIO()
    learner = mlp(epochs=2, callbacks=jt.t_clbk("progress", mininterval=0.0, file=out))
    learner.train(make_classif())
    text = out.getvalue()
    assert "epochs classif.mlp toy_classif" in text and "loss=" in text
    assert learner.clone().callbacks[0].file is out  # copies share the stream
