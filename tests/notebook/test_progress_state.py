import time

import pytest
from progress_events import Clock, ev

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.notebook._progress_state import ProgressState


def bars(state):
    return {b["level"]: b for b in state.snapshot()["bars"]}


def run_epoch(state, clock, epoch, n_batches=4, seconds_per_batch=0.5, **scores):
    state.apply(ev("epoch", "begin", n_batches, epoch=epoch))
    for i in range(1, n_batches + 1):
        clock.t += seconds_per_batch
        state.apply(ev("batch", "advance", n_batches, i, loss=1.0 / epoch))
    return state.apply(ev("epoch", "end", n_batches, n_batches, epoch=epoch, **scores))


def test_which_events_must_be_shown_at_once():
    clock = Clock()
    state = ProgressState(clock)
    assert state.apply(ev("train", "begin", 3)) is True
    assert state.apply(ev("epoch", "begin", 4, epoch=1)) is False
    assert state.apply(ev("batch", "advance", 4, 1)) is False
    assert state.apply(ev("epoch", "end", 4, 4, epoch=1)) is True
    assert state.apply(ev("train", "end", 3, 1)) is True


def test_epochs_batches_rates_and_eta():
    clock = Clock()
    state = ProgressState(clock)
    state.apply(ev("train", "begin", 4, learner_id="classif.mlp", task_id="iris", device={"type": "cpu"}))
    run_epoch(state, clock, 1, train={"loss": 0.9}, valid={"loss": 1.1, "classif.acc": 0.6})
    state.apply(ev("epoch", "begin", 4, epoch=2))
    clock.t += 1.0
    state.apply(ev("batch", "advance", 4, 2, loss=0.7, samples=64))
    snap = state.snapshot()
    b = {x["level"]: x for x in snap["bars"]}
    assert snap["title"] == "Training classif.mlp on iris"
    assert (b["train"]["completed"], b["train"]["total"]) == (1, 4)
    assert (b["epoch"]["completed"], b["epoch"]["total"], b["epoch"]["label"]) == (2, 4, "Batches (epoch 2)")
    assert b["epoch"]["rate"] == pytest.approx(2.0) and b["epoch"]["rate_unit"] == "batches/s"
    assert b["train"]["rate"] == pytest.approx(2.0) and b["train"]["rate_unit"] == "s/epoch"
    # 1.5 of 4 epochs done in 3 s -> 5 s to go
    assert b["train"]["eta_s"] == pytest.approx(5.0)
    assert snap["stats"]["eta_s"] == pytest.approx(5.0)
    assert snap["stats"]["elapsed_s"] == pytest.approx(3.0)
    assert snap["stats"]["loss"] == 0.7
    assert snap["stats"]["samples_per_s"] == pytest.approx(64.0)
    (row,) = snap["history"]
    assert abs(row.pop("time") - time.time()) < 60  # the wall-clock stamp of the epoch's end
    assert row == {"epoch": 1, "train": {"loss": 0.9}, "valid": {"loss": 1.1, "classif.acc": 0.6}, "duration_s": 2.0}
    assert snap["device"]["type"] == "cpu"
    assert snap["status"] == "running"


def test_snapshots_are_fresh_objects():
    state = ProgressState(Clock())
    state.apply(ev("train", "begin", 2))
    first = state.snapshot()
    first["history"].append("x")
    first["device"]["name"] = "x"
    assert state.snapshot()["history"] == [] and state.snapshot()["device"]["name"] == ""


def test_device_memory_and_odd_values():
    state = ProgressState(Clock())
    state.apply(ev("train", "begin", 1, device={"type": "cuda", "name": "NVIDIA H100", "memory_total": 80 * 2**30}))
    state.apply(ev("batch", "advance", 10, 1, loss=float("nan"),
                   device={"memory_used": 2**30, "memory_peak": 3 * 2**30, "utilization": 87, "bogus": 1}))
    snap = state.snapshot()
    assert snap["device"] == {"type": "cuda", "name": "NVIDIA H100", "memory_used": 2.0**30, "memory_peak": 3.0 * 2**30,
                              "memory_total": 80.0 * 2**30, "utilization": 87.0}
    assert snap["stats"]["loss"] is None  # NaN is shown as unknown, not sent as invalid JSON


def test_nested_resample_counts_iterations_and_resets_per_training():
    clock = Clock()
    state = ProgressState(clock)
    state.apply(ev("resample", "begin", 3, learner_id="classif.mlp", task_id="iris", resampling_id="cv"))
    for it in range(1, 3):
        state.apply(ev("train", "begin", 2))
        run_epoch(state, clock, 1, train={"loss": 1.0})
        run_epoch(state, clock, 2, train={"loss": 0.5})
        state.apply(ev("train", "end", 2, 2))
        assert bars(state)["resample"]["completed"] == it  # counted without an advance event
    state.apply(ev("train", "begin", 2))
    snap = state.snapshot()
    assert snap["title"] == "Resampling classif.mlp on iris (cv)"
    assert [b["level"] for b in snap["bars"]] == ["resample", "train"]
    assert snap["history"] == []  # a new training starts new curves
    state.apply(ev("train", "end", 2, 2))
    state.apply(ev("resample", "advance", 3, 3))
    state.apply(ev("resample", "end", 3, 3))
    assert state.snapshot()["status"] == "finished"


def test_benchmark_names_the_running_experiment():
    state = ProgressState(Clock())
    state.apply(ev("benchmark", "begin", 2))
    state.apply(ev("resample", "begin", 3, learner_id="regr.rpart", task_id="mtcars"))
    snap = state.snapshot()
    assert snap["title"] == "Benchmark"
    assert snap["message"] == "Now: regr.rpart on mtcars"
    state.apply(ev("resample", "end", 3, 3))
    assert bars(state)["benchmark"]["completed"] == 1


def test_stop_and_end_states():
    clock = Clock()
    state = ProgressState(clock)
    state.apply(ev("train", "begin", 5))
    state.apply(ev("epoch", "begin", 10, epoch=1))
    state.apply(ev("batch", "advance", 10, 3))
    state.request_stop()
    assert state.snapshot()["status"] == "stopping"
    state.apply(ev("epoch", "end", 10, 3, epoch=1))
    state.apply(ev("train", "end", 5, 1, stopped=True))
    snap = state.snapshot()
    assert snap["status"] == "stopped"
    assert snap["message"] == "Stopped on request in epoch 1, after batch 3 of 10; the model and its history are kept."
    elapsed = snap["stats"]["elapsed_s"]
    clock.t += 50
    assert state.snapshot()["stats"]["elapsed_s"] == elapsed  # frozen once the run ended

    state.apply(ev("train", "begin", 5))  # a new run on the same state starts clean
    assert state.snapshot()["status"] == "running" and not state.stop_requested
    state.apply(ev("train", "end", 5, 0, error="CUDA out of memory"))
    assert state.snapshot()["status"] == "failed" and state.snapshot()["message"] == "CUDA out of memory"


def test_batches_without_epoch_begin_still_move_a_bar():
    state = ProgressState(Clock())
    state.apply(ev("train", "begin", 2))
    state.apply(ev("batch", "advance", 8, 3))
    assert bars(state)["epoch"]["completed"] == 3 and bars(state)["epoch"]["label"] == "Batches (epoch 1)"


def test_malformed_events_are_refused_with_the_valid_values():
    state = ProgressState(Clock())
    with pytest.raises(InvalidParameterError, match="'level' must be one of benchmark"):
        state.apply(ev("epochs", "begin"))
    with pytest.raises(InvalidParameterError, match="'stage' one of begin, advance, end"):
        state.apply(ev("epoch", "start"))
