"""The Trainer: the ladder of rungs, per-epoch state, batch release, NaN and error notes, stopping, seeding."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

import pytest
import torch

import jupytorch as jt
from jupytorch.core import progress
from jupytorch.core.exceptions import JupytorchWarning, TrainingError
from jupytorch.nn.device import AMP_DTYPES, autocast, seeded
from jupytorch.nn.task_dataset import PREDICT_BATCH_ROWS
from jupytorch.nn.trainer import EpochState, Trainer

from .conftest import make_classif, make_regr, mlp


class Rungs(Trainer):
    """Records the rungs of each training step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.calls = []

    def _infer(self, x):
        self.calls.append("infer")
        return super()._infer(x)

    def _get_loss(self, y_hat, y):
        self.calls.append("loss")
        return super()._get_loss(y_hat, y)

    def _backward(self, loss):
        self.calls.append("backward")
        super()._backward(loss)

    def _optimizer_step(self):
        self.calls.append("step")
        super()._optimizer_step()


def test_a_step_climbs_forward_loss_backward_step(task_regr):
    seen = {}
    learner = mlp("regr", epochs=2, callbacks=jt.torch_callback("spy", on_end=lambda cb: seen.update(
        calls=cb.ctx.trainer.calls, state=cb.ctx.trainer.epoch_state)))
    learner.trainer_class = Rungs
    learner.train(task_regr)  # 120 rows, batch 32: 4 batches per epoch
    assert seen["calls"] == ["infer", "loss", "backward", "step"] * 8
    state = seen["state"]
    assert isinstance(state, EpochState) and state.loss_count == 4 and not state.pending
    assert sorted(state.order.tolist()) == list(range(120))


def test_overriding_one_rung_changes_training(task_regr):
    class NoLoss(Trainer):
        def _get_loss(self, y_hat, y):
            return super()._get_loss(y_hat, y) * 0.0  # zero gradients: Adam leaves the weights

    before = mlp("regr", epochs=0).train(task_regr).model.network.state_dict()
    learner = mlp("regr")
    learner.trainer_class = NoLoss
    after = learner.train(task_regr).model.network.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not all(torch.equal(before[k], v) for k, v in mlp("regr").train(task_regr).model.network.state_dict().items())


class Releases:
    """Wraps a dataset's batch getters: each new batch must find the previous one released."""

    def __init__(self, dataset, method):
        self.previous = []
        self.batches = 0
        original = getattr(dataset, method)

        def wrapped(*args):
            gc.collect()  # only reference cycles would need it; plain references die at once
            assert all(ref() is None for ref in self.previous), "the previous batch is still referenced"
            x, y = original(*args)
            self.batches += 1
            self.previous = [weakref.ref(t) for t in (*x.values(), y) if t is not None]
            return x, y

        setattr(dataset, method, wrapped)


def test_each_batch_is_released_before_the_next_in_training_and_the_predict_loop(task_regr):
    watched = {}

    def watch(cb):
        ctx = cb.ctx
        watched["train"] = Releases(ctx.dataset_train, "get_batch")
        watched["valid"] = Releases(ctx.dataset_valid, "get_rows")

    outputs = []
    spy = jt.torch_callback("spy", on_begin=watch,
                            on_batch_end=lambda cb: outputs.append(weakref.ref(cb.ctx.y_hat)),
                            on_batch_valid_end=lambda cb: outputs.append(weakref.ref(cb.ctx.y_hat)))
    learner = mlp("regr", epochs=2, batch_size_predict=10, callbacks=spy)
    jt.set_validate(learner, 0.25)
    learner.train(task_regr)
    assert watched["train"].batches == 6 and watched["valid"].batches == 6  # 90 / 32 and 30 / 10 rows, 2 epochs
    gc.collect()
    assert all(ref() is None for ref in outputs[:-1])  # outputs of training batches are not kept either


def test_callbacks_see_the_current_batch(task_regr):
    sizes = []
    spy = jt.torch_callback("spy", on_batch_begin=lambda cb: sizes.append(cb.ctx.batch.x["x"].shape[0]),
                            on_batch_valid_begin=lambda cb: sizes.append(-cb.ctx.batch.y.shape[0]))
    learner = mlp("regr", epochs=1, callbacks=spy)
    jt.set_validate(learner, 0.25)
    learner.train(task_regr)
    assert sizes == [32, 32, 26, -30]  # validation in one batch: its size defaults to what memory allows


def test_predict_batch_size_defaults_to_a_memory_bound(task_regr):
    seen = {}
    learner = mlp("regr", epochs=1, callbacks=jt.torch_callback(
        "spy", on_begin=lambda cb: seen.update(size=cb.ctx.trainer.batch_size_predict)))
    jt.set_validate(learner, 0.25)
    learner.train(task_regr)
    assert seen["size"] == PREDICT_BATCH_ROWS  # 3 float features per row: the row cap binds
    learner.configure(batch_size_predict=7).train(task_regr)
    assert seen["size"] == 7


def test_seeding_touches_only_the_generators_in_use(task_regr, monkeypatch):
    def refuse(seed):
        raise AssertionError("torch.manual_seed would queue the seeding of every accelerator")

    monkeypatch.setattr(torch, "manual_seed", refuse)
    a = mlp("regr").train(task_regr).predict(task_regr).response
    b = mlp("regr").train(task_regr).predict(task_regr).response
    assert (a == b).all()
    state = torch.get_rng_state()
    with seeded(3, torch.device("cpu")):
        first = torch.rand(3)
    with seeded(3, torch.device("cpu")):
        assert torch.equal(torch.rand(3), first)
    assert torch.equal(torch.get_rng_state(), state)


def test_one_amp_map():
    assert set(AMP_DTYPES) == set(jt.lrn("regr.mlp").param_set.params["precision"].levels)
    with autocast(torch.device("cpu"), None):
        assert not torch.is_autocast_enabled("cpu")
    with autocast(torch.device("cpu"), "bf16"):
        assert torch.get_autocast_dtype("cpu") == torch.bfloat16


def test_fit_does_not_import_the_learner_module():
    code = "import sys, jupytorch.nn._fit; print('jupytorch.nn.learner_torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_nan_loss_names_epoch_and_batch():
    class NaNAt:
        def __init__(self):
            self.calls = 0

        def __call__(self, y_hat, y):
            self.calls += 1
            loss = torch.nn.functional.mse_loss(y_hat, y)
            return loss * float("nan") if self.calls == 7 else loss  # 4 batches per epoch: epoch 2, batch 3

    learner = mlp("regr", epochs=3, loss=jt.as_torch_loss(NaNAt(), task_types=("regr",)),
                  callbacks=jt.t_clbk("history"), seed=4)
    with pytest.raises(TrainingError, match="training loss became nan in epoch 2, batch 3.*keeps the weights after "
                                            "epoch 1") as info:
        learner.train(make_regr())
    assert info.value.epoch == 2 and info.value.batch == 3
    # nothing is lost: the weights after epoch 1 (the last with finite losses) and its history
    assert learner.model.epochs == 1 and learner.model.callbacks["history"]["epoch"].tolist() == [1]
    one_epoch = mlp("regr", epochs=1, loss=jt.as_torch_loss(NaNAt(), task_types=("regr",)), seed=4).train(make_regr())
    assert (learner.predict(make_regr()).response == one_epoch.predict(make_regr()).response).all()


def test_errors_from_torch_name_the_phase_and_shapes():
    net = torch.nn.Sequential(torch.nn.Linear(5, 1))  # the task has 3 features
    learner = jt.LearnerTorchModel(net, {"x": jt.ingress_num()}, "regr")
    learner.configure(epochs=1, batch_size=32, device="cpu")
    with pytest.raises(RuntimeError) as info:
        learner.train(make_regr())
    note = "\n".join(info.value.__notes__)
    assert "during the forward pass of epoch 1, batch 1 (inputs {x: (32, 3)}, target (32, 1))" in note
    wrong_head = jt.LearnerTorchModel(torch.nn.Linear(4, 2), {"x": jt.ingress_num()}, "classif")
    wrong_head.configure(epochs=1, batch_size=32, device="cpu")
    with pytest.raises(Exception, match="during the loss of epoch 1"):
        wrong_head.train(make_classif(n_classes=2))


class StopAfter:
    def __init__(self, n):
        self.n, self.events = n, []

    def on_event(self, event):
        self.events.append(event)

    def should_stop(self):
        return sum(e["level"] == "batch" for e in self.events) >= self.n


class EveryBatch(Trainer):
    refresh = 0.0  # read losses and poll after every batch (tests only)


def test_stop_button_ends_training_keeping_weights_and_history(task_multi):
    listener = StopAfter(6)
    learner = mlp(epochs=10, callbacks=jt.t_clbk("history"))
    learner.trainer_class = EveryBatch
    with progress.listen(listener), pytest.warns(JupytorchWarning, match="stopped by the user in epoch 2, batch 2"):
        learner.train(task_multi)
    assert learner.is_trained and learner.model.interrupted
    assert learner.model.epochs == 2
    assert learner.model.callbacks["history"]["epoch"].tolist() == [1, 2]
    assert learner.predict(task_multi).response.notna().all()
    levels = [(e["level"], e["stage"]) for e in listener.events]
    assert levels[0] == ("train", "begin") and levels[-1] == ("train", "end")
    assert listener.events[-1]["info"]["stopped"] is True
    batch = next(e for e in listener.events if e["level"] == "batch")
    assert {"loss", "samples", "samples_per_s", "device"} <= set(batch["info"])
    epoch_end = next(e for e in listener.events if e["level"] == "epoch" and e["stage"] == "end")
    assert "loss" in epoch_end["info"]["train"]


class StopAfterEpochs:
    def __init__(self, n):
        self.n, self.epochs_done = n, 0

    def on_event(self, event):
        if event["level"] == "epoch" and event["stage"] == "end":
            self.epochs_done += 1

    def should_stop(self):
        return self.epochs_done >= self.n


def test_no_warning_when_the_listening_view_reports_the_stop_itself(task_multi, recwarn):
    class WidgetLike(StopAfterEpochs):
        reports_stop = True

    learner = mlp(epochs=10)
    with progress.listen(WidgetLike(2)):
        learner.train(task_multi)
    assert learner.model.interrupted
    assert not [w for w in recwarn if issubclass(w.category, JupytorchWarning)]


def test_stop_is_seen_between_epochs_shorter_than_the_refresh(task_multi):
    # epochs of a few batches end long before the trainer's refresh interval
    learner = mlp(epochs=200, callbacks=jt.t_clbk("history"))
    with progress.listen(StopAfterEpochs(3)), pytest.warns(JupytorchWarning, match="stopped by the user"):
        learner.train(task_multi)
    assert learner.model.interrupted
    assert learner.model.epochs == 3
    assert len(learner.model.callbacks["history"]) == 3


def test_keyboard_interrupt_ends_training_cleanly(task_multi):
    def interrupt(cb):
        if cb.ctx.global_step == 5:
            raise KeyboardInterrupt

    learner = mlp(epochs=10, callbacks=[jt.torch_callback("ctrl_c", on_batch_end=interrupt), jt.t_clbk("history")])
    with pytest.warns(JupytorchWarning, match="stopped by the user"):
        learner.train(task_multi)
    assert learner.model.interrupted and learner.model.epochs == 2
    assert learner.model.callbacks["history"]["epoch"].tolist() == [1, 2]  # the partial epoch is recorded too


def test_progress_events_are_not_built_without_listeners(task_multi, monkeypatch):
    calls = []
    monkeypatch.setattr(progress, "emit", lambda *a, **k: calls.append(a))
    mlp().train(task_multi)
    assert calls == []
