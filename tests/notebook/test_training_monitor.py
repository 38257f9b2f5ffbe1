import json

import pytest
from progress_events import Clock, ev

from jupytorch.notebook._training_monitor import TrainingMonitor


def test_synced_traits_match_the_typescript_model(model_mirror):
    python, typescript = model_mirror(TrainingMonitor, "training_monitor", "TrainingMonitorModel")
    assert python == typescript == {"title", "status", "message", "bars", "stats", "history", "scores", "device",
                                    "stop_requested"}


def test_initial_state_has_every_field_the_front_end_reads():
    monitor = TrainingMonitor()
    assert monitor.status == "idle" and monitor.bars == [] and monitor.history == []
    assert set(monitor.stats) == {"loss", "samples_per_s", "elapsed_s", "eta_s"}
    assert set(monitor.device) == {"type", "name", "memory_used", "memory_peak", "memory_total", "utilization"}
    json.dumps(monitor.get_state(), allow_nan=False)


def test_batch_updates_are_throttled_and_epoch_ends_always_sent():
    clock = Clock()
    monitor = TrainingMonitor(clock=clock, interval=0.2)
    sent = []
    monitor.observe(lambda change: sent.append(change["new"]), names="bars")
    base = monitor.n_syncs
    monitor.handle(ev("train", "begin", 3))
    assert monitor.n_syncs == base + 1  # begins go out at once
    for epoch in (1, 2):
        monitor.handle(ev("epoch", "begin", 1000, epoch=epoch))
        for i in range(1, 1001):
            clock.t += 0.001  # 1000 batches a second
            monitor.handle(ev("batch", "advance", 1000, i, loss=0.5))
        monitor.handle(ev("epoch", "end", 1000, 1000, epoch=epoch, train={"loss": 0.5}))
        assert monitor.history[-1]["epoch"] == epoch  # the epoch end was sent
    # 2 s of batches at <= 5 updates a second, plus the begin and two epoch ends
    assert monitor.n_syncs - base <= 2 * 5 + 3 + 2
    assert monitor.n_syncs - base >= 2 * 5
    assert monitor.bars[0]["completed"] == 2


def test_a_quiet_stretch_sends_the_next_batch_at_once():
    clock = Clock()
    monitor = TrainingMonitor(clock=clock, interval=0.2)
    monitor.handle(ev("train", "begin", 1))
    monitor.handle(ev("epoch", "begin", 10, epoch=1))
    clock.t += 0.05
    monitor.handle(ev("batch", "advance", 10, 1))
    assert [b["level"] for b in monitor.bars] == ["train"]  # the epoch begin and batch are held back
    clock.t += 0.2
    monitor.handle(ev("batch", "advance", 10, 2))
    assert monitor.bars[1]["completed"] == 2


def test_stop_from_the_front_end_and_from_python():
    clock = Clock()
    polls = []

    class Session:
        def __enter__(self):
            return polls.append

        def __exit__(self, *exc):
            polls.append("closed")

    monitor = TrainingMonitor(clock=clock)
    monitor._poller.poll_factory = Session
    monitor.handle(ev("train", "begin", 5))
    assert monitor.poll() is False and polls == [20]
    assert monitor.poll() is False and polls == [20]  # throttled: no time has passed
    clock.t += 1
    monitor.set_state({"stop_requested": True})  # what the front end's Stop click sends
    assert monitor.poll() is True and monitor.status == "stopping"
    monitor.handle(ev("train", "end", 5, 2, stopped=True))
    assert monitor.status == "stopped" and polls[-1] == "closed"
    assert monitor.stop_requested is True


def test_fixed_title_wins():
    monitor = TrainingMonitor(title="my run")
    monitor.handle(ev("train", "begin", 2, learner_id="x"))
    assert monitor.title == "my run"


def test_a_new_run_on_the_same_monitor_clears_an_old_stop():
    monitor = TrainingMonitor()
    monitor.handle(ev("train", "begin", 5))
    monitor.request_stop()
    monitor.handle(ev("train", "end", 5, 2, stopped=True))
    assert monitor.status == "stopped" and monitor.bars[0]["completed"] == 2
    monitor.handle(ev("train", "begin", 5))
    assert monitor.stop_requested is False and monitor.poll() is False
    assert monitor.status == "running" and monitor.message == ""


def test_batch_events_between_updates_are_merged_and_nothing_is_lost():
    clock = Clock()
    monitor = TrainingMonitor(clock=clock, interval=0.2)
    monitor.handle(ev("train", "begin", 1))
    monitor.handle(ev("epoch", "begin", 100, epoch=1))
    sent = monitor.n_syncs
    clock.t = 0.01
    monitor.handle(ev("batch", "advance", 100, 1, loss=0.9, device={"type": "cuda", "name": "GPU-X"}))
    clock.t = 0.02
    monitor.handle(ev("batch", "advance", 100, 2, samples=64))
    assert monitor.n_syncs == sent  # held back, not sent
    assert monitor.stats["loss"] is None
    state = monitor.summary()  # the Python side sees the newest values at any time
    assert state["stats"]["loss"] == 0.9 and state["bars"][1]["completed"] == 2
    assert state["device"]["name"] == "GPU-X"
    clock.t = 0.05
    monitor.handle(ev("batch", "advance", 100, 3, loss=0.8))
    monitor.handle(ev("epoch", "end", 100, 3, epoch=1, train={"loss": 0.8}))  # an end folds held ones in first
    assert monitor.stats["loss"] == 0.8 and monitor.device["name"] == "GPU-X"
    assert monitor.history[0]["train"] == {"loss": 0.8}


def test_flush_sends_what_was_held():
    clock = Clock()
    monitor = TrainingMonitor(clock=clock, interval=0.2)
    monitor.handle(ev("train", "begin", 1))
    monitor.handle(ev("epoch", "begin", 10, epoch=1))
    clock.t = 0.05
    monitor.handle(ev("batch", "advance", 10, 7, loss=0.3))
    assert [b["level"] for b in monitor.bars] == ["train"]
    monitor.flush()
    assert monitor.bars[1]["completed"] == 7 and monitor.stats["loss"] == 0.3


def test_benchmark_of_learners_without_epochs_fills_a_score_table():
    import jupytorch as jt
    from jupytorch.core import progress
    from jupytorch.notebook.progress_bridge import WidgetProgress

    view = WidgetProgress(display=False)
    design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.rpart"), jt.lrn("regr.featureless")], jt.rsmp("cv", folds=3))
    with progress.listen(view):
        bmr = jt.benchmark(design)
    scores = view.monitor.scores
    assert [(r["learner_id"], r["iterations"], r["total"]) for r in scores] == [("regr.rpart", 3, 3), ("regr.featureless", 3, 3)]
    expected = bmr.aggregate()["regr.mse"].tolist()
    assert [r["score"]["regr.mse"] for r in scores] == pytest.approx(expected)
    assert view.monitor.history == []
