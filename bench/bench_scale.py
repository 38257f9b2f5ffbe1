"""Benchmark: scaling out, 2 processes against 1, in two ways.

* ``dask``: many fits. A cv-5 benchmark of three learners (featureless, rpart, ranger with 100
  trees) on ``california_housing`` runs once on a LocalCluster of one worker process and once on
  two, with the same seed (same splits, same results: checked). Each configuration runs
  ``--repeats`` times and the minimum wall time counts (cluster start-up is not timed). The
  iterations are far from equal (the five forests take most of the time, and five equal jobs on
  two workers need three rounds), so the bench also prints the most that any dispatch order could
  reach with the 1-worker run's iteration times (longest-first schedule on 2 workers).
* ``ddp``: one fit. ``regr.mlp`` (2 x 256 units, batch size 1024) trains ``--epochs`` epochs on
  200 000 synthetic rows (10 features), once in one process and once with ``strategy="ddp"``
  on 2 gloo ranks (CPU, one torch thread per process), the same seed (the largest weight
  difference is printed). A callback in rank 0 times each epoch; the fastest epoch counts
  (process start-up is not timed, but ``train()`` as a whole is printed too).

Prints the speed-up of each. Run: ``.venv/bin/python bench/bench_scale.py [--repeats 3] [--only ddp]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import jupytorch as jt  # noqa: E402
from jupytorch import lrn, msr, rsmp, tsk  # noqa: E402


def design():
    learners = [lrn("regr.featureless"), lrn("regr.rpart"), lrn("regr.ranger", num_trees=100)]
    return jt.benchmark_grid(tsk("california_housing"), learners, rsmp("cv", folds=5))


def timed(n_workers: int, repeats: int) -> tuple[float, pd.DataFrame, list[float]]:
    """Best wall time of ``repeats`` benchmarks, the scores, and the iterations' seconds (train + predict) in it.

    ``jt.parallel`` with one worker runs the iterations in this process (joblib's one-job path), so
    the 1-worker figure is the plain sequential run.
    """
    best, table, durations = float("inf"), None, []
    with jt.parallel("dask", n_workers=n_workers) as client:
        client.wait_for_workers(n_workers)
        for _ in range(repeats):
            start = time.perf_counter()
            bmr = jt.benchmark(design(), seed=1)
            seconds = time.perf_counter() - start
            if seconds < best:
                best, durations = seconds, bmr.score(msr("time_both"))["time_both"].tolist()
            table = bmr.aggregate(msr("regr.rmse"))
    return best, table, durations


def best_schedule(durations: list[float], workers: int) -> float:
    """Makespan of the longest-first schedule of ``durations`` on ``workers`` (a bound for any dispatch order)."""
    loads = [0.0] * workers
    for seconds in sorted(durations, reverse=True):
        loads[loads.index(min(loads))] += seconds
    return max(max(loads), max(durations, default=0.0))


class EpochTimer(jt.Callback):
    """Seconds of each training epoch (in rank 0 with ddp): ``model.callbacks["epoch_timer"]``."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def on_epoch_begin(self) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self) -> None:
        self.seconds.append(time.perf_counter() - self._start)

    def state_dict(self) -> list[float]:
        return self.seconds


def mlp_task(rows: int = 200_000, features: int = 10):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, features)).astype(np.float32)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(features)])
    frame["y"] = np.sin(x[:, 0]) + x[:, 1] * x[:, 2] + rng.normal(scale=0.1, size=rows)
    return jt.as_task_regr(frame, target="y", id="synthetic_200k")


def ddp_epoch(epochs: int, rows: int) -> None:
    jt.set_progress_view("none")
    task = mlp_task(rows)
    kw = {"neurons": (256, 256), "p": 0.0, "batch_size": 1024, "epochs": epochs, "seed": 1, "device": "cpu",
          "num_threads": 1}
    runs = {}
    for ranks in (1, 2):
        extra = {} if ranks == 1 else {"strategy": "ddp", "devices": 2}
        start = time.perf_counter()
        learner = lrn("regr.mlp", **kw, **extra, callbacks=EpochTimer()).train(task)
        total = time.perf_counter() - start
        runs[ranks] = (min(learner.model.callbacks["epoch_timer"]), total, learner.network.state_dict())
    gap = max(float((runs[2][2][name] - value).abs().max()) for name, value in runs[1][2].items())
    print(f"regr.mlp epoch on {rows} rows, batch 1024 (fastest of {epochs} epochs; train() incl. start-up)")
    print(f"  1 process     : {runs[1][0]:6.2f} s per epoch  ({runs[1][1]:6.2f} s)")
    print(f"  2 gloo ranks  : {runs[2][0]:6.2f} s per epoch  ({runs[2][1]:6.2f} s)")
    print(f"  speed-up      : {runs[1][0] / runs[2][0]:5.2f}x")
    print(f"  largest weight difference, 2 ranks vs 1 process: {gap:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3, help="ddp: epochs per run (the fastest counts)")
    parser.add_argument("--rows", type=int, default=200_000, help="ddp: training rows")
    parser.add_argument("--only", choices=("dask", "ddp"), default=None)
    args = parser.parse_args()
    if args.only != "dask":
        ddp_epoch(args.epochs, args.rows)
    if args.only == "ddp":
        return
    one, table_one, durations = timed(1, args.repeats)
    two, table_two, _ = timed(2, args.repeats)
    pd.testing.assert_frame_equal(table_one, table_two)
    # the 15 iterations are not equal: 5 forests dominate, and 5 equal jobs on 2 workers take 3 rounds
    bound = sum(durations) / best_schedule(durations, 2) if durations else float("nan")
    print(f"cv-5 benchmark of 3 learners on california_housing (min of {args.repeats})")
    print(f"  1 Dask worker : {one:6.2f} s  ({len(durations)} iterations, longest {max(durations, default=0):.2f} s, "
          f"all {sum(durations):.2f} s)")
    print(f"  2 Dask workers: {two:6.2f} s")
    print(f"  speed-up      : {one / two:5.2f}x  (the 1-worker iteration times allow at most {bound:.2f}x on 2 workers)")


if __name__ == "__main__":
    main()
