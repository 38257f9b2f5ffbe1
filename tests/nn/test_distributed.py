"""strategy='ddp': two gloo ranks on the CPU train what one process trains; errors, torchrun, limits.

Most tests fork the ranks (``ddp_notebook``, a fraction of a second); one starts fresh
interpreters (``ddp``) and one runs torchrun, which take seconds each.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from toy_tasks import make_classif, make_regr

import jupytorch as jt
from jupytorch import lrn, msr
from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning
from jupytorch.nn.distributed import launched_by_torchrun

ROOT = Path(__file__).resolve().parents[2]


class CountCalls(jt.Callback):
    """Appends '<rank> <epoch>' to ``path`` at each epoch end (ranks as torch.distributed sees them)."""

    def __init__(self, path: str = ""):
        self.path = path

    def on_epoch_end(self) -> None:
        with open(self.path, "a") as f:
            f.write(f"{torch.distributed.get_rank()} {self.ctx.epoch}\n")


class CountEveryRank(CountCalls):
    every_rank = True


class CrashInRankOne(jt.Callback):
    every_rank = True

    def on_epoch_end(self) -> None:
        if torch.distributed.get_rank() == 1 and self.ctx.epoch == 2:
            raise RuntimeError("boom in the second epoch")


class StuckInRankOne(jt.Callback):
    every_rank = True

    def on_epoch_end(self) -> None:
        if torch.distributed.get_rank() == 1:
            time.sleep(300)  # ended by the parent once rank 0 has timed out


def _kw(**more):
    # no dropout: random layers draw per rank, so only dropout-free networks train to the same bits
    return {"neurons": (16,), "p": 0.0, "epochs": 3, "batch_size": 33, "seed": 7, "device": "cpu", **more}


def _weights(learner):
    return {k: v.detach().cpu() for k, v in learner.network.state_dict().items()}


def _assert_same(one, two):
    w1, w2 = _weights(one), _weights(two)
    assert w1.keys() == w2.keys()
    for name in w1:
        torch.testing.assert_close(w2[name], w1[name], rtol=1e-5, atol=1e-6, msg=name)


@pytest.fixture(autouse=True)
def _quiet():
    old = jt.set_progress_view("none")
    yield
    jt.set_progress_view(old)


def test_spawned_ranks_match_one_process_with_uneven_batches(tmp_path):
    task = make_classif(n=130)  # batches of 33, 33, 33, 31: the last splits 16 / 15
    one = lrn("classif.mlp", **_kw(), callbacks=jt.t_clbk("history")).train(task)
    two = lrn("classif.mlp", **_kw(strategy="ddp", devices=2), callbacks=jt.t_clbk("history")).train(task)
    _assert_same(one, two)
    one.predict_type = two.predict_type = "prob"
    np.testing.assert_allclose(two.predict(task).prob, one.predict(task).prob, rtol=1e-5, atol=1e-6)
    h1, h2 = one.model.callbacks["history"], two.model.callbacks["history"]
    assert list(h2["epoch"]) == [1, 2, 3]  # one row per epoch: the history is kept by rank 0 alone
    np.testing.assert_allclose(h2["train_loss"], h1["train_loss"], rtol=1e-5)  # the loss of all ranks' rows
    assert two.model.seed == 7 and two.model.epochs == 3


def test_callbacks_run_in_rank_zero_unless_they_steer_training(tmp_path):
    once, every = tmp_path / "once.txt", tmp_path / "every.txt"
    callbacks = [CountCalls(path=str(once)), CountEveryRank(path=str(every))]
    callbacks[1].set_id("every")
    lrn("regr.mlp", **_kw(epochs=2, strategy="ddp_notebook", devices=2), callbacks=callbacks).train(make_regr())
    assert once.read_text().split("\n")[:-1] == ["0 1", "0 2"]
    assert sorted(every.read_text().split("\n")[:-1]) == ["0 1", "0 2", "1 1", "1 2"]


def test_forked_ranks_match_with_validation_and_early_stopping():
    task = make_regr(n=200)
    kw = _kw(epochs=60, batch_size=16, patience=2, min_delta=0.05, restore_best_weights=True,
             measures_valid=msr("regr.rmse"), opt__lr=0.05)
    one = jt.set_validate(lrn("regr.mlp", **kw, callbacks=jt.t_clbk("history")), 0.25).train(task)
    two = jt.set_validate(lrn("regr.mlp", **kw, strategy="ddp_notebook", devices=2,
                              callbacks=jt.t_clbk("history")), 0.25).train(task)
    assert one.model.epochs < 60  # early stopping ended it
    assert two.model.epochs == one.model.epochs and two.model.best_epoch == one.model.best_epoch
    _assert_same(one, two)  # the best epoch's weights, restored in rank 0
    np.testing.assert_allclose(two.internal_valid_scores["regr.rmse"], one.internal_valid_scores["regr.rmse"], rtol=1e-5)
    h1, h2 = one.model.callbacks["history"], two.model.callbacks["history"]
    np.testing.assert_allclose(h2["valid.regr.rmse"], h1["valid.regr.rmse"], rtol=1e-5)


def test_with_dropout_the_same_seed_gives_the_same_bits():
    kw = _kw(epochs=2, p=0.3, strategy="ddp_notebook", devices=2)
    first, second = (lrn("regr.mlp", **kw).train(make_regr()) for _ in range(2))
    for name, value in _weights(first).items():
        assert torch.equal(_weights(second)[name], value), name


def test_progress_of_rank_zero_reaches_this_process():
    events = []

    class Record:
        def on_event(self, event):
            events.append((event["level"], event["stage"]))

    with progress.listen(Record()):
        lrn("regr.mlp", **_kw(epochs=2, strategy="ddp_notebook", devices=2)).train(make_regr())
    assert events.count(("epoch", "end")) == 2
    assert ("train", "begin") in events and events[-1] == ("train", "end")


def test_a_stop_asked_here_stops_all_ranks_at_an_epoch_end_and_keeps_the_model():
    class StopButton:
        def on_event(self, event):
            pass

        def should_stop(self):
            return True

    learner = lrn("regr.mlp", **_kw(epochs=500, strategy="ddp_notebook", devices=2))
    with progress.listen(StopButton()), pytest.warns(JupytorchWarning, match="stopped by the user at the end of epoch"):
        learner.train(make_regr())
    assert learner.model.interrupted and 1 <= learner.model.epochs < 500


def test_a_crash_in_one_rank_ends_all_and_names_the_rank():
    learner = lrn("classif.mlp", **_kw(epochs=5, strategy="ddp_notebook", devices=2), callbacks=CrashInRankOne())
    with pytest.raises(RuntimeError, match="boom in the second epoch") as info:
        learner.train(make_classif())
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "Learner 'classif.mlp' (strategy='ddp_notebook'): this happened in rank 1 of 2" in notes
    assert 'test_distributed.py", line' in notes and "in on_epoch_end" in notes  # the traceback in that rank
    assert not learner.is_trained


def test_a_stuck_rank_makes_the_others_time_out_instead_of_hanging(monkeypatch):
    monkeypatch.setenv("JUPYTORCH_DDP_TIMEOUT", "2")
    learner = lrn("classif.mlp", **_kw(strategy="ddp_notebook", devices=2), callbacks=StuckInRankOne())
    with pytest.raises(RuntimeError, match="(?i)timed out") as info:
        learner.train(make_classif())
    notes = "\n".join(info.value.__notes__)
    assert "this happened in rank 0 of 2" in notes  # rank 0 waited for rank 1 in vain
    assert "longer than $JUPYTORCH_DDP_TIMEOUT = 2 s" in notes


@pytest.mark.parametrize(("values", "match"), [
    ({"measures_train": msr("classif.ce")}, "measures_train cannot be used with strategy='ddp'"),
    ({"sampler": jt.balanced_sampler()}, "sampler cannot be used"),
    ({"batch_size": 1}, "batch_size=1 is smaller than the 2 processes"),
    ({"devices": None}, "needs devices=<number of processes>"),
    ({"device": "meta"}, "not on device 'meta'"),
])
def test_unsupported_combinations_fail_before_any_process_starts(values, match):
    learner = lrn("classif.mlp", **{**_kw(strategy="ddp", devices=2), **values})
    with pytest.raises(InvalidParameterError, match=match):
        learner.train(make_classif())


def test_ddp_notebook_explains_that_it_cannot_fork_after_cuda_started(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    learner = lrn("classif.mlp", **_kw(strategy="ddp_notebook", devices=2))
    with pytest.raises(InvalidParameterError, match="CUDA is already initialized"):
        learner.train(make_classif())


def test_torchrun_ranks_join_the_process_group(tmp_path):
    assert not launched_by_torchrun()
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(f"""
        import os
        import torch
        import jupytorch as jt
        from toy_tasks import make_classif

        learner = jt.lrn("classif.mlp", **{_kw(strategy="ddp")!r}, callbacks=jt.t_clbk("history"))
        learner.train(make_classif(n=130))
        torch.save({{"weights": learner.network.state_dict(), "history": learner.model.callbacks.get("history"),
                    "group_left": torch.distributed.is_initialized()}},
                   os.path.join({str(tmp_path)!r}, "rank" + os.environ["RANK"] + ".pt"))
    """))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")]), "JUPYTORCH_PROGRESS": "none",
           "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", str(script)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    one = lrn("classif.mlp", **_kw()).train(make_classif(n=130))
    for rank in (0, 1):
        saved = torch.load(tmp_path / f"rank{rank}.pt", weights_only=False)
        assert saved["group_left"] is False  # train() closed the group it opened
        for name, value in _weights(one).items():
            torch.testing.assert_close(saved["weights"][name], value, rtol=1e-5, atol=1e-6)
    assert list(torch.load(tmp_path / "rank0.pt", weights_only=False)["history"]["epoch"]) == [1, 2, 3]
    assert torch.load(tmp_path / "rank1.pt", weights_only=False)["history"] is None  # callbacks ran in rank 0
