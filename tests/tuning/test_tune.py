"""tune(): the archive, failures, Ctrl-C, several measures, internal tuning, parallel runs."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest
from progress_events import Recorder

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning

from .conftest import mlp


def test_archive_has_one_row_per_trial_with_everything(task, shift):
    shift.param_set.set_values(shift=to_tune(-1, 1))
    ti = jt.tune(jt.tnr("random_search", seed=1), task, shift, jt.rsmp("cv", folds=2),
                 [jt.msr("regr.rmse"), jt.msr("regr.mae")], term_evals=3, seed=1)
    archive = ti.archive
    assert list(archive["number"]) == [0, 1, 2]
    for column in ["state", "shift", "regr.rmse", "regr.mae", "runtime", "errors", "warnings", "start", "end",
                   "internal_tuned_values"]:
        assert column in archive.columns
    assert (archive["end"] >= archive["start"]).all()
    assert ti.study.trials[0].values == [archive["regr.rmse"][0], archive["regr.mae"][0]]


def test_raising_trial_is_fail_and_tuning_goes_on(task, shift):
    shift.param_set.set_values(fail=to_tune())
    ti = jt.tune(jt.tnr("grid_search"), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"), seed=1)
    archive = ti.archive.set_index("fail")
    assert archive.loc[True, "state"] == "FAIL"
    assert "always fails" in archive.loc[True, "error"]
    assert archive.loc[False, "state"] == "COMPLETE"
    assert ti.result_learner_param_vals == {"fail": False}


def test_keyboard_interrupt_ends_tuning_with_the_archive_so_far(task, shift):
    shift.param_set.set_values(interrupt=to_tune([False, False, True]))
    kept = r"was stopped .* after \d+ finished trial\(s\), which are kept; the trial it cut short is marked INTERRUPTED"
    with pytest.warns(JupytorchWarning, match=kept):
        ti = jt.tune(jt.tnr("grid_search", seed=0), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"), seed=1,
                     term_evals=50)
    states = ti.archive["state"].tolist()
    assert states[-1] == "INTERRUPTED" and "interrupted by the user" in ti.archive["error"].iloc[-1]
    assert ti.study.trials[-1].state.name == "FAIL"  # Optuna's state; the record says why
    assert all(s == "COMPLETE" for s in states[:-1])
    assert ti.stopped and "Stopped by the user" in repr(ti)


_CTRL_C_IN_TUNE = """
import os, signal, warnings
import jupytorch as jt
from jupytorch import lrn, rsmp, to_tune, tsk

jt.set_progress_view("none")
warnings.simplefilter("ignore")
trainings = [0]

def on_begin(cb):
    trainings[0] += 1

def send(cb):  # Ctrl-C in the second trial's training (holdout: one training per trial)
    if trainings[0] == 2 and cb.ctx.epoch == 2 and cb.ctx.step == 1:
        for _ in range(TIMES):
            os.kill(os.getpid(), signal.SIGINT)

learner = lrn("classif.mlp", epochs=4, batch_size=16, seed=1, opt__lr=to_tune(1e-3, 1e-1, logscale=True),
              callbacks=jt.torch_callback("ctrl_c", on_begin=on_begin, on_batch_end=send))
try:
    ti = jt.tune(jt.tnr("random_search", seed=1), tsk("iris"), learner, rsmp("holdout"), term_evals=5, seed=1)
except KeyboardInterrupt as error:
    ti = error.partial_result
    print("RAISED")
print("RESULT", ti.stopped, ti.archive["state"].tolist(), trainings[0])
print("REPR", repr(ti).splitlines()[-2:])
"""


@pytest.mark.parametrize("times", [1, 2])
def test_real_ctrl_c_stops_tuning_flagged_and_a_second_one_raises(times):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", _CTRL_C_IN_TUNE.replace("TIMES", str(times))], capture_output=True,
                          text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    # the first trial is kept, the interrupted one is INTERRUPTED (not scored), no trial starts after it
    assert "RESULT True ['COMPLETE', 'INTERRUPTED'] 2" in done.stdout, done.stdout
    assert "Stopped by the user" in done.stdout
    assert ("RAISED" in done.stdout) == (times == 2)


def test_a_stop_request_ends_tuning_after_the_trial_and_flags_the_instance(task, shift):
    from jupytorch.core import progress

    class StopAfterTwoTrials:
        def __init__(self):
            self.trials = 0

        def on_event(self, event):
            if event["level"] == "tune" and event["stage"] == "advance":
                self.trials = event["completed"]

        def should_stop(self):
            return self.trials >= 2

    shift.param_set.set_values(shift=to_tune(-2, 2))
    with progress.listen(StopAfterTwoTrials()), pytest.warns(JupytorchWarning, match=r"after 2 finished trial\(s\), which are kept \("):
        ti = jt.tune(jt.tnr("random_search", seed=1), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"),
                     term_evals=6, seed=1)
    assert ti.stopped and ti.archive["state"].tolist() == ["COMPLETE", "COMPLETE"]
    ti = jt.tune(jt.tnr("random_search", seed=1), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"),
                 term_evals=2, seed=1)
    assert not ti.stopped and len(ti.archive) == 2


def test_no_completed_trial_says_where_to_look(task, shift):
    shift.param_set.set_values(fail=to_tune([True]))
    ti = jt.tune(jt.tnr("random_search"), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"), term_evals=1)
    with pytest.raises(InvalidParameterError, match="archive"):
        _ = ti.result_learner_param_vals


def test_several_measures_give_the_pareto_front(task, shift):
    shift.param_set.set_values(shift=to_tune(-3, 3))
    ti = jt.tune(jt.tnr("random_search", seed=2), task, shift, jt.rsmp("holdout"),
                 [jt.msr("regr.rmse"), jt.msr("time_train")], term_evals=8, seed=1)
    assert ti.multi_objective and len(ti.study.directions) == 2
    front = ti.result
    assert len(front) >= 1
    done = ti.archive[ti.archive["state"] == "COMPLETE"]
    for _, row in front.iterrows():  # nothing in the archive dominates a front member
        dominated = (done["regr.rmse"] <= row["regr.rmse"]) & (done["time_train"] <= row["time_train"]) & (
            (done["regr.rmse"] < row["regr.rmse"]) | (done["time_train"] < row["time_train"]))
        assert not dominated.any()


def test_internal_tuning_aggregates_folds_by_ceiling_of_mean(task):
    learner = mlp(epochs=to_tune(upper=6, internal=True), patience=1, opt__lr=to_tune(1e-3, 1e-1, logscale=True))
    ti = jt.tune(jt.tnr("random_search", seed=1), task, learner, jt.rsmp("cv", folds=3),
                 jt.msr("internal_valid_score", minimize=True), term_evals=2, seed=1)
    trial = ti.study.best_trial
    rr_epochs = trial.user_attrs["jupytorch"]["internal"]["epochs"]
    assert 1 <= rr_epochs <= 6
    values = ti.result_learner_param_vals
    assert values["epochs"] == rr_epochs and values["patience"] == 0
    # the same folds by hand: ceil(mean(best epochs))
    by_hand = learner.clone()
    by_hand.param_set.set_values(epochs=6, opt__lr=ti.config_of(trial)["opt__lr"])
    rr = jt.resample(task, by_hand, ti.resampling, seed=None)
    assert all(v is not None for v in rr.internal_tuned_values)
    tuned = jt.lrn("regr.mlp").param_set.set_values(**values)
    assert tuned.values["epochs"] == rr_epochs


def test_internal_tuning_without_validation_names_the_line_to_add(task):
    learner = jt.lrn("regr.mlp", epochs=to_tune(upper=5, internal=True), patience=2, measures_valid=jt.msr("regr.mse"))
    with pytest.raises(InvalidParameterError, match=r'jt.set_validate\(learner, "test"\)'):
        jt.tune(jt.tnr("internal"), task, learner, jt.rsmp("holdout"), jt.msr("regr.mse"))
    learner = mlp(epochs=to_tune(upper=5, internal=True))
    with pytest.raises(InvalidParameterError, match="patience=5"):
        jt.tune(jt.tnr("internal"), task, learner, jt.rsmp("holdout"), jt.msr("regr.mse"))


def test_internal_valid_score_needs_a_direction(task, shift):
    shift.param_set.set_values(shift=to_tune(-1, 1))
    with pytest.raises(InvalidParameterError, match="minimize=True"):
        jt.tune(jt.tnr("tpe"), task, shift, jt.rsmp("holdout"), jt.msr("internal_valid_score"), term_evals=1)


def test_n_jobs_gives_the_same_archive_as_one_job(task):
    learner = jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2, logscale=True))
    runs = [jt.tune(jt.tnr("tpe", seed=1, batch_size=2), task, learner, jt.rsmp("cv", folds=2), jt.msr("regr.rmse"),
                    term_evals=4, seed=5, n_jobs=n) for n in (1, 2)]
    a, b = (ti.archive[["cp", "regr.rmse"]] for ti in runs)
    assert a.equals(b)
    assert not math.isnan(a["regr.rmse"].sum())


def test_tuned_learner_trains(task):
    learner = mlp(epochs=to_tune(upper=3, internal=True), patience=1)
    ti = jt.tune(jt.tnr("internal"), task, learner, jt.rsmp("holdout"), jt.msr("regr.mse"), seed=1)
    tuned = ti.tuned_learner().train(task)
    assert tuned.is_trained and tuned.validate is None
    assert "Best:" in repr(ti) and "TuningInstance" in ti._repr_html_()


def test_tuning_reports_trials_with_the_best_so_far(task, shift):
    from jupytorch.core import progress

    shift.param_set.set_values(shift=to_tune(-2, 2))
    with progress.listen(Recorder()) as rec:
        ti = jt.tune(jt.tnr("random_search", seed=1), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"),
                     term_evals=3, seed=1)
    tune_events = [e for e in rec.events if e["level"] == "tune"]
    assert [e["stage"] for e in tune_events] == ["begin", "advance", "advance", "advance", "end"]
    bests = [e["info"]["best"] for e in tune_events if e["stage"] == "advance"]
    assert bests == sorted(bests, reverse=True) and bests[-1] == ti.archive["regr.rmse"].min()


def test_text_view_shows_one_line_for_trials_with_the_best(task, shift):
    import io

    from jupytorch.core import progress
    from jupytorch.core.progress_text import TextProgress

    stream = io.StringIO()
    view = TextProgress(file=stream, mininterval=0.0)
    shift.param_set.set_values(shift=to_tune(-2, 2))
    with progress.listen(view):
        jt.tune(jt.tnr("random_search", seed=1), task, shift, jt.rsmp("holdout"), jt.msr("regr.rmse"), term_evals=2)
    view.close()
    assert "trials" in stream.getvalue() and "best=" in stream.getvalue()


_DEATH_IN_TUNE = """
import os, signal
import numpy as np
import jupytorch as jt
from jupytorch.core.learner import Learner
from jupytorch.core.param import ParamLgl
from jupytorch.core.paramset import ParamSet

class Dies(Learner):
    def __init__(self):
        super().__init__("regr.dies", "regr", param_set=ParamSet({"die": ParamLgl(default=False, tags={"train"})}))

    def _train(self, task, param_values):
        if param_values.get("die"):
            os.kill(os.getpid(), signal.SIGKILL)
        return float(np.mean(task.truth()))

    def _predict(self, task, param_values):
        return {"response": np.full(task.nrow, self.model)}

if __name__ == "__main__":
    jt.set_progress_view("none")
    learner = Dies()
    learner.param_set.set_values(die=jt.to_tune([True, False]))
    ti = jt.tune(jt.tnr("grid_search"), jt.tsk("mtcars"), learner, jt.rsmp("cv", folds=2), term_evals=2, n_jobs=2,
                 seed=1)
    archive = ti.archive.set_index("die")
    print("DIE", archive.loc[True, "state"], "|", archive.loc[True, "error"])
    print("LIVE", archive.loc[False, "state"])
"""


def test_a_worker_dying_in_a_trial_fails_that_trial_and_tuning_goes_on(tmp_path):
    script = tmp_path / "dies.py"
    script.write_text(_DEATH_IN_TUNE)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, env=env,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "DIE FAIL | WorkerDiedError: A worker process died" in done.stdout, done.stdout
    assert "of learner 'regr.dies' on task 'mtcars'" in done.stdout
    assert "LIVE COMPLETE" in done.stdout
