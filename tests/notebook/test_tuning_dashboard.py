"""TuningDashboard, Python side: state from the study, throttled refresh, live polling, Stop."""

from __future__ import annotations

import time

import optuna

from jupytorch.notebook._tuning_dashboard import TuningDashboard

from .test_study_summary import make_study, objective

optuna.logging.set_verbosity(optuna.logging.WARNING)


def test_synced_traits_match_the_typescript_model(model_mirror):
    python, typescript = model_mirror(TuningDashboard, "tuning_dashboard", "TuningDashboardModel")
    assert python == typescript


def test_state_counts_and_throttled_refresh():
    study = make_study(8)
    dash = TuningDashboard(study, interval=60)
    assert len(dash.trials) == 8 and dash.counts == {"complete": 6, "pruned": 2}
    assert dash.title == f"Study {study.study_name}" and dash.best["number"] == study.best_trial.number
    study.optimize(objective, n_trials=2)
    assert dash.refresh() is False and len(dash.trials) == 8  # within the interval: not read again
    assert dash.refresh(force=True) is True and len(dash.trials) == 10


def test_importance_only_while_its_tab_is_open():
    dash = TuningDashboard(make_study(20))
    assert dash.importance == {}
    dash.tab = "importance"
    assert set(dash.importance) == {"lr", "opt", "layers"}


def test_stop_ends_optimize_after_the_running_trial_and_keeps_the_study():
    study = make_study(2)
    dash = TuningDashboard(study)
    calls = []

    def slow(trial):
        calls.append(trial.number)
        if len(calls) == 3:
            dash.request_stop()  # what a click does while trials run
        return objective(trial)

    study.optimize(slow, n_trials=50, callbacks=[dash.optuna_callback()])
    assert len(calls) == 3 and len(study.trials) == 5 and dash.should_stop()
    assert len(dash.trials) == 5  # the dashboard shows every finished trial


def test_live_mode_follows_a_study_filled_elsewhere(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    make_study(2, storage=url, name="live")
    dash = TuningDashboard(url, live=True, interval=0.5)
    try:
        worker = optuna.load_study(study_name="live", storage=url)
        worker.optimize(objective, n_trials=3)
        deadline = time.monotonic() + 20
        while len(dash.trials) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(dash.trials) == 5
    finally:
        dash.close()
    assert not dash.live


def test_five_hundred_trials_summarize_quickly_enough_to_poll():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=500)
    dash = TuningDashboard(study)
    assert len(dash.trials) == 500 and dash.counts["pruned"] == 125


def test_listen_routes_trial_trainings_to_one_monitor_under_the_dashboard():
    import jupytorch as jt
    from jupytorch.core import progress

    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    dash = TuningDashboard(study)
    assert "VBox" not in str(dash._repr_mimebundle_())

    def objective(trial):
        learner = jt.lrn("classif.mlp", neurons=(4,), epochs=trial.suggest_int("epochs", 1, 2), batch_size=50,
                         device="cpu", seed=1)
        learner.train(jt.tsk("iris"))
        return float(learner.model.epochs)

    with dash.listen():
        assert progress.has_listeners()  # trainings inside do not open views of their own
        study.optimize(objective, n_trials=2, callbacks=[dash.optuna_callback()])
    assert not progress.has_listeners()
    assert dash.monitor.status == "finished" and dash.monitor.title.startswith("Training classif.mlp")
    bundle = dash._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    model_id = data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert model_id not in (dash.model_id, dash.monitor.model_id)  # a VBox holding both


def test_stop_in_the_dashboard_lets_the_running_trial_finish_its_training(monkeypatch):
    import jupytorch as jt
    from jupytorch.core import progress
    from jupytorch.notebook.progress_bridge import TuningDashboardView

    class ClickStopInFirstEpoch(TuningDashboardView):  # Stop clicked while trial 0 trains
        def on_event(self, event):
            if event["level"] == "epoch" and event["stage"] == "end" and event["info"].get("epoch") == 1:
                self.dashboard.request_stop()
            super().on_event(event)

    views = []

    def factory(kind, subject=None):  # what a kernel's view factory opens for tune()
        views.append(ClickStopInFirstEpoch(subject, display=False))
        return views[-1]

    monkeypatch.setattr(progress, "_view_factory", factory)
    monkeypatch.setattr(progress, "_view_kind", None)
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    learner = jt.lrn("classif.mlp", neurons=(4,), epochs=3, batch_size=50, device="cpu", seed=1,
                     opt__lr=jt.to_tune(1e-3, 1e-1, logscale=True))
    with progress.learner_name("net"):  # as in a %%learner net --tune cell
        ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("iris"), learner, jt.rsmp("holdout"),
                     term_evals=4, seed=1)
    assert ti.stopped and ti.archive["state"].tolist() == ["COMPLETE"]
    dash = views[0].dashboard
    assert dash.monitor.status == "finished"  # not "stopped": the trial's 3 epochs all ran
    assert [row["epoch"] for row in dash.monitor.history] == [1, 2, 3]
    assert dash.title == "Tuning net on iris" and dash.metric_names == ["classif.ce"]
    assert dash.counts == {"complete": 1}  # read again when tuning ended
