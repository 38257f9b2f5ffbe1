"""Benchmark: many fits on a Dask cluster, 2 workers against 1.

A cv-5 benchmark of three learners (featureless, rpart, ranger with 100 trees) on
``california_housing`` runs once on a LocalCluster of one worker process and once on two, with
the same seed (same splits, same results: checked). Each configuration runs ``--repeats`` times
and the minimum wall time counts (cluster start-up is not timed). Prints the speed-up.

Run: ``.venv/bin/python bench/bench_scale.py [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
os.environ.setdefault("OMP_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

import jupytorch as jt  # noqa: E402
from jupytorch import lrn, msr, rsmp, tsk  # noqa: E402


def design():
    learners = [lrn("regr.featureless"), lrn("regr.rpart"), lrn("regr.ranger", num_trees=100)]
    return jt.benchmark_grid(tsk("california_housing"), learners, rsmp("cv", folds=5))


def timed(n_workers: int, repeats: int) -> tuple[float, pd.DataFrame]:
    best, table = float("inf"), None
    with jt.parallel("dask", n_workers=n_workers) as client:
        client.wait_for_workers(n_workers)
        for _ in range(repeats):
            start = time.perf_counter()
            bmr = jt.benchmark(design(), seed=1)
            best = min(best, time.perf_counter() - start)
            table = bmr.aggregate(msr("regr.rmse"))
    return best, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    one, table_one = timed(1, args.repeats)
    two, table_two = timed(2, args.repeats)
    pd.testing.assert_frame_equal(table_one, table_two)
    print(f"cv-5 benchmark of 3 learners on california_housing (min of {args.repeats})")
    print(f"  1 Dask worker : {one:6.2f} s")
    print(f"  2 Dask workers: {two:6.2f} s")
    print(f"  speed-up      : {one / two:5.2f}x")


if __name__ == "__main__":
    main()
