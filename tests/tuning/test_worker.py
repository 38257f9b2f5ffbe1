"""Studies on storages: resume after a crash, workers sharing a study (SQLite, PostgreSQL), the dashboard."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import optuna
import pytest

import jupytorch as jt
from jupytorch import to_tune
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.tuning.worker import main, tune_worker

PROBLEM = """
import numpy as np, pandas as pd, optuna, jupytorch as jt
optuna.logging.set_verbosity(optuna.logging.WARNING)
rng = np.random.default_rng(0)
x = rng.normal(size=(60, 3))
frame = pd.DataFrame(x, columns=["a", "b", "c"]); frame["y"] = x @ np.array([1.0, -2.0, 0.5])
task = jt.as_task_regr(frame, target="y", id="toy")
learner = jt.lrn("regr.mlp", batch_size=8, neurons=(8,), epochs={epochs}, opt__lr=jt.to_tune(1e-3, 1e-1, logscale=True))
"""


def _run_python(code: str, **kw):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "JUPYTORCH_PROGRESS": "none"}
    return subprocess.Popen([sys.executable, "-c", code], env=env, **kw)


def _has_heartbeat(url, trial):
    """Whether the running ``trial`` has beaten once: only then can a later worker see it as stale."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        rows = connection.execute("SELECT 1 FROM trial_heartbeats WHERE trial_id = ?", (trial._trial_id,))
        return rows.fetchone() is not None


def _killable(study, url):
    """Two trials finished and a third runs, with a heartbeat (only then can it be seen as stale later)."""
    states = _states(study)
    return states.count("COMPLETE") >= 2 and states[-1] == "RUNNING" and _has_heartbeat(url, study.trials[-1])


def _states(study):
    return [t.state.name for t in study.get_trials(deepcopy=False)]


def test_study_resumes_after_the_process_is_killed(tmp_path):
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    # trials long enough (~0.5 s) that the 0.2 s polling finds one running well before the last
    code = PROBLEM.format(epochs=120) + textwrap.dedent(f"""
        jt.tune(jt.tnr("random_search", seed=1), task, learner, jt.rsmp("holdout"), jt.msr("regr.mse"),
                term_evals=6, seed=1, storage={url!r}, study_name="crash", heartbeat_interval=1)
    """)
    proc = _run_python(code)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:  # kill it while a trial runs, after two finished
            time.sleep(0.2)
            try:
                study = optuna.load_study(study_name="crash", storage=url)
            except KeyError:
                continue
            if _killable(study, url):
                # freeze the process, then look again: the trial may have finished since the first look
                os.kill(proc.pid, signal.SIGSTOP)
                try:
                    if _killable(optuna.load_study(study_name="crash", storage=url), url):
                        break
                except Exception:  # noqa: BLE001 - frozen during a commit: the database is locked
                    pass
                os.kill(proc.pid, signal.SIGCONT)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = _states(optuna.load_study(study_name="crash", storage=url))
    assert 2 <= len(before) < 6 and "RUNNING" in before
    time.sleep(2.5)  # the grace period (2 heartbeats) passes: the killed trial is stale
    learner = jt.lrn("regr.mlp", batch_size=8, neurons=(8,), epochs=120, opt__lr=to_tune(1e-3, 1e-1, logscale=True))
    ti = tune_worker(url, "crash", trusted=True, seed=3)  # the same study continues; the problem came with it
    states = ti.archive["state"].tolist()
    assert len(states) == 6  # every trial accounted for: the killed one failed, the rest completed
    assert set(states) <= {"COMPLETE", "FAIL"} and states.count("FAIL") == before.count("RUNNING")
    assert states[: len(before)].count("COMPLETE") == before.count("COMPLETE")
    del learner


def test_worker_refuses_an_untrusted_pickle_and_a_missing_problem(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), jt.lrn("regr.rpart", maxdepth=to_tune(1, 3)),
            jt.rsmp("holdout"), jt.msr("regr.rmse"), term_evals=1, storage=url, study_name="s")
    with pytest.raises(InvalidParameterError, match="--trusted"):
        tune_worker(url, "s")
    assert main(["tune-worker", "--storage", url, "--study", "s"]) == 2
    assert "--trusted" in capsys.readouterr().err
    optuna.create_study(storage=url, study_name="plain")
    with pytest.raises(InvalidParameterError, match="holds no jupytorch tuning problem"):
        tune_worker(url, "plain", trusted=True)


def test_a_study_created_without_running_is_filled_by_a_worker(tmp_path):
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    learner = jt.lrn("regr.rpart", maxdepth=to_tune(1, 5))
    ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"), jt.msr("regr.rmse"),
                 term_evals=3, storage=url, study_name="later", seed=1, run=False)
    assert len(ti.archive) == 0 and not ti.stopped
    done = tune_worker(url, "later", trusted=True, seed=2)  # the budget came with the stored problem
    assert done.archive["state"].tolist() == ["COMPLETE"] * 3


def test_journal_file_storage_and_resume_with_tune(tmp_path):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(tmp_path / "journal.log")))
    learner = jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2, logscale=True))
    args = (jt.tnr("tpe", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"), jt.msr("regr.rmse"))
    jt.tune(*args, term_evals=2, storage=storage, study_name="j", seed=1)
    ti = jt.tune(*args, term_evals=5, storage=storage, study_name="j", seed=1)  # continues: 3 more
    assert ti.archive["number"].tolist() == [0, 1, 2, 3, 4]


def _wsgi_get(app, path):
    import io
    import json

    status = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "localhost",
               "SERVER_PORT": "80", "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "http",
               "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False}
    body = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    return status[0], json.loads(body)


def test_optuna_dashboard_loads_a_jupytorch_study(tmp_path):
    import optuna_dashboard

    url = f"sqlite:///{tmp_path / 'tune.db'}"
    learner = jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2, logscale=True), maxdepth=to_tune(1, 3))
    jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"), jt.msr("regr.rmse"),
            term_evals=3, storage=url, study_name="dash")
    app = optuna_dashboard.wsgi(url)  # the dashboard's own WSGI app, asked as a browser would
    status, studies = _wsgi_get(app, "/api/studies")
    assert status.startswith("200")
    (summary,) = [s for s in studies["study_summaries"] if s["study_name"] == "dash"]
    status, detail = _wsgi_get(app, f"/api/studies/{summary['study_id']}")
    assert status.startswith("200") and len(detail["trials"]) == 3
    assert {p["name"] for p in detail["trials"][0]["params"]} == {"cp", "maxdepth"}


# -- PostgreSQL: a real server started for the test ---------------------------------------------------
def _pg_bin() -> Path | None:
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))  # Debian's postgresql package
    if debian:
        return debian[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@pytest.fixture
def postgres():
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing; .ci/run installs the postgresql package.")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="jt-pg-"))  # not under pytest's 0700 root-owned folder: postgres must reach it
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
        os.chmod(root, 0o755)
        as_user = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if as_user else os.environ.get("USER", "postgres")
    port = 54329 + os.getpid() % 500
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
                    "-o", f"-k {sock} -p {port} -c listen_addresses=''", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://{user}@/postgres?host={sock}&port={port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_two_workers_share_a_study_on_postgresql(postgres):
    import psycopg2  # noqa: F401 - SQLAlchemy's driver for the postgresql+psycopg2 URL

    learner = jt.lrn("regr.rpart", cp=to_tune(1e-3, 0.2, logscale=True), maxdepth=to_tune(1, 4))
    # the first process creates the study (and does 1 trial); two workers then finish it
    jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("cv", folds=2), jt.msr("regr.rmse"),
            term_evals=1, storage=postgres, study_name="pg", seed=1)
    study = optuna.load_study(study_name="pg", storage=postgres)
    study.set_user_attr("unused", 1)
    # raise the budget for the workers: the terminator travels in the stored problem
    from jupytorch.tuning.terminators import TerminatorEvals
    from jupytorch.tuning.worker import load_definition, store_definition

    problem = load_definition(study, trusted=True)
    ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("cv", folds=2),
                 jt.msr("regr.rmse"), term_evals=1, storage=postgres, study_name="pg", seed=1)
    ti.terminator = TerminatorEvals(8)
    store_definition(ti, heartbeat_interval=problem["heartbeat_interval"])
    workers = [_run_python(f"from jupytorch.tuning.worker import main; raise SystemExit(main(['tune-worker', "
                           f"'--storage', {postgres!r}, '--study', 'pg', '--trusted', '--seed', '{10 + i}']))",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(2)]
    outputs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    trials = optuna.load_study(study_name="pg", storage=postgres).get_trials()
    assert 8 <= len(trials) <= 9  # at most one extra: both workers may start the last trial together
    assert {t.state.name for t in trials} == {"COMPLETE"}
    assert len({t.number for t in trials}) == len(trials)
    params = {tuple(sorted(t.params.items())) for t in trials}
    assert len(params) == len(trials)  # the workers did not repeat each other
