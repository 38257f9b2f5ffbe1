"""Benchmark: what ``tune()`` costs over training the same configurations by hand, and 2 workers vs 1.

(a) Overhead per trial. ``jt.tune(tnr("random_search"), ...)`` tunes ``regr.mlp`` (learning rate
and width) on 1 000 rows of california_housing with a holdout split. Then the same configurations
(read from the archive) are trained by hand: clone the learner, set the values, train on the
training rows, predict the test rows, score -- what a user's loop does. Both sides are timed in
CPU seconds of this process (``time.process_time``: robust on a shared machine); the overhead is
``tune / by hand - 1``. Goal: at most 5 %.

(b) Throughput of workers sharing one study, on the same problem with only the learning rate
tuned (every trial costs alike). A study on a SQLite file gets the problem (``tune``
with ``run=False``: the problem and its budget are stored), and ``jupytorch tune-worker`` processes finish
it: once with 1 worker, once with 2. Throughput is trials per second between the first trial's
start and the last trial's end (from the archive, so process start-up is not counted). Goal on a
2-core machine: 2 workers at least 1.7x of 1.

Run: ``.venv/bin/python bench/bench_tuning.py [--trials 16] [--epochs 15] [--repeats 3] [--only a|b]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("JUPYTORCH_PROGRESS", "none")

import optuna
import torch

import jupytorch as jt
from jupytorch import lrn, msr, rsmp, tnr, to_tune, tsk

optuna.logging.set_verbosity(optuna.logging.WARNING)
torch.set_num_threads(1)


def problem(epochs: int, tune_width: bool = True):
    """``regr.mlp`` on 1 000 rows; ``tune_width=False`` tunes the learning rate only, so that every trial costs alike."""
    task = tsk("california_housing")
    task.select([c for c in task.feature_names if c != "ocean_proximity"])
    task.filter(range(1000))
    neurons = to_tune([(16,), (32,), (64, 32)]) if tune_width else (32,)
    learner = jt.as_learner(
        jt.po("imputemedian") >> jt.po("scale")
        >> lrn("regr.mlp", epochs=epochs, batch_size=32, seed=1, neurons=neurons,
               opt__lr=to_tune(1e-3, 1e-1, logscale=True))
    )
    learner.id = "mlp"
    return task, learner


def warm_up() -> None:
    """Train the problem's learner once for one epoch: what a worker process pays once, before its first trial."""
    task, learner = problem(1)
    learner.param_set.set_values(regr_mlp__neurons=(16,), regr_mlp__opt__lr=1e-2)
    learner.train(task)


def overhead(trials: int, epochs: int) -> tuple[float, float]:
    task, learner = problem(epochs)
    start = time.process_time()
    ti = jt.tune(tnr("random_search", seed=1), task, learner, rsmp("holdout"), msr("regr.rmse"), term_evals=trials, seed=1)
    tuned = time.process_time() - start
    split = ti.resampling
    start = time.process_time()
    for _, row in ti.archive.iterrows():
        by_hand = learner.clone()
        by_hand.param_set.set_values(**{pid: row[pid] for pid in ti.space.ids})
        by_hand.train(task, split.train_set(0))
        by_hand.predict(task, split.test_set(0)).score(msr("regr.rmse"))
    hand = time.process_time() - start
    return tuned, hand


def throughput(trials: int, epochs: int, workers: int) -> float:
    # each worker samples with its own seed: with the width tuned, 1 and 2 workers would train different
    # mixes of network sizes, and trials/s would compare the mixes instead of the workers
    task, learner = problem(epochs, tune_width=False)
    folder = tempfile.mkdtemp(prefix="jt-bench-")
    url = f"sqlite:///{folder}/tune.db"
    jt.tune(tnr("random_search", seed=1), task, learner, rsmp("holdout"), msr("regr.rmse"), term_evals=trials,
            storage=url, study_name="bench", seed=1, run=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    gate = Path(folder) / "go"
    # every worker warms up (imports, torch's first optimizer and backward pass: one short training of the
    # problem), says it is ready, and waits at the gate: process start-up is not measured
    script = Path(folder) / "worker.py"
    script.write_text(
        "import pathlib, sys, time\n"
        "import torch\n"
        "torch.set_num_threads(1)\n"
        f"sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
        "from bench_tuning import warm_up\n"
        "from jupytorch.tuning.worker import main\n"
        "warm_up()\n"
        "folder, seed = pathlib.Path(sys.argv[1]), sys.argv[2]\n"
        "(folder / f'ready{seed}').touch()\n"
        "while not (folder / 'go').exists():\n"
        "    time.sleep(0.05)\n"
        "raise SystemExit(main(['tune-worker', '--storage', sys.argv[3], '--study', 'bench', '--trusted', '--seed', seed]))\n"
    )
    procs = [subprocess.Popen([sys.executable, str(script), folder, str(i), url], env=env, stdout=subprocess.DEVNULL)
             for i in range(workers)]
    while not all(Path(f"{folder}/ready{i}").exists() for i in range(workers)):
        if any(proc.poll() is not None for proc in procs):
            raise RuntimeError("a tune-worker ended before it was ready")
        time.sleep(0.05)
    gate.touch()
    for proc in procs:
        proc.wait()
    study = optuna.load_study(study_name="bench", storage=url)
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    span = (max(t.datetime_complete for t in done) - min(t.datetime_start for t in done)).total_seconds()
    return len(done) / span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["a", "b"], default=None, help="run only part (a) or (b)")
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.1f}; cores: {os.cpu_count()}; torch threads: {torch.get_num_threads()}")
    overhead(2, 2)  # warm-up: torch's first steps and imports are not tuning's cost
    ratios = []
    for i in range(args.repeats if args.only != "b" else 0):
        tuned, hand = overhead(args.trials, args.epochs)
        ratios.append(tuned / hand)
        print(f"(a) repeat {i + 1}: tune() {tuned:.2f} s CPU, by hand {hand:.2f} s CPU for {args.trials} trials "
              f"-> overhead {100 * (tuned / hand - 1):+.1f} % ({(tuned - hand) / args.trials * 1000:+.0f} ms per trial)")
    if ratios:
        print(f"(a) median overhead of tune() per trial: {100 * (statistics.median(ratios) - 1):+.1f} % (goal <= 5 %)")
    speedups = []
    for i in range(args.repeats if args.only != "a" else 0):
        one = throughput(args.trials, args.epochs, 1)
        two = throughput(args.trials, args.epochs, 2)
        speedups.append(two / one)
        print(f"(b) repeat {i + 1}: 1 worker {one:.2f} trials/s, 2 workers {two:.2f} trials/s -> {two / one:.2f}x")
    if speedups:
        print(f"(b) median throughput of 2 workers over 1: {statistics.median(speedups):.2f}x (goal >= 1.7x)")


if __name__ == "__main__":
    main()
