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
from typing import Any

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
    return max(loads)


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


def hand_rank(rank: int, world: int, x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int, port: int,
              out: Any) -> None:
    """The hand-written reference in one rank: the same MLP, DDP over gloo, each rank its slice of each batch."""
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                              torch.nn.ReLU(), torch.nn.Linear(256, 1))
    if world > 1:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
        net = torch.nn.parallel.DistributedDataParallel(net)
    optimizer = torch.optim.Adam(net.parameters())
    inputs, target = torch.from_numpy(x), torch.from_numpy(y).unsqueeze(1)
    generator, seconds = torch.Generator().manual_seed(1), []
    for _ in range(epochs):
        start = time.perf_counter()
        for batch in torch.randperm(len(inputs), generator=generator).split(batch_size):
            part = torch.tensor_split(batch, world)[rank]
            loss = torch.nn.functional.mse_loss(net(inputs[part]), target[part])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    if rank == 0:
        out.put(min(seconds))
    if world > 1:
        dist.destroy_process_group()


def hand_epoch(task: Any, world: int, batch_size: int, epochs: int) -> float:
    import socket

    import torch.multiprocessing as mp

    frame = task.data()
    x = frame[task.feature_names].to_numpy(np.float32)
    y = frame[task.target_names[0]].to_numpy(np.float32)
    with socket.socket() as probe:  # a free port for the rendezvous
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context = mp.get_context("spawn")
    out = context.SimpleQueue()
    procs = [context.Process(target=hand_rank, args=(r, world, x, y, batch_size, epochs, port, out)) for r in range(world)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return out.get()


def ddp_epoch(epochs: int, rows: int, batch_size: int) -> None:
    jt.set_progress_view("none")
    task = mlp_task(rows)
    kw = {"neurons": (256, 256), "p": 0.0, "batch_size": batch_size, "epochs": epochs, "seed": 1, "device": "cpu",
          "num_threads": 1}
    runs = {}
    for ranks in (1, 2):
        extra = {} if ranks == 1 else {"strategy": "ddp", "devices": 2}
        start = time.perf_counter()
        learner = lrn("regr.mlp", **kw, **extra, callbacks=EpochTimer()).train(task)
        total = time.perf_counter() - start
        runs[ranks] = (min(learner.model.callbacks["epoch_timer"]), total, learner.network.state_dict())
    gap = max(float((runs[2][2][name] - value).abs().max()) for name, value in runs[1][2].items())
    hand = {ranks: hand_epoch(task, ranks, batch_size, epochs) for ranks in (1, 2)}
    print(f"regr.mlp epoch on {rows} rows, batch {batch_size} (fastest of {epochs} epochs; train() incl. start-up)")
    print(f"  1 process     : {runs[1][0]:6.2f} s per epoch  ({runs[1][1]:6.2f} s)   hand-written: {hand[1]:6.2f} s")
    print(f"  2 gloo ranks  : {runs[2][0]:6.2f} s per epoch  ({runs[2][1]:6.2f} s)   hand-written: {hand[2]:6.2f} s")
    print(f"  speed-up      : {runs[1][0] / runs[2][0]:5.2f}x                       hand-written: {hand[1] / hand[2]:5.2f}x")
    print(f"  jupytorch / hand-written: {runs[1][0] / hand[1]:.2f}x (1 process), {runs[2][0] / hand[2]:.2f}x (2 ranks)")
    print(f"  largest weight difference, 2 ranks vs 1 process: {gap:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3, help="ddp: epochs per run (the fastest counts)")
    parser.add_argument("--rows", type=int, default=200_000, help="ddp: training rows")
    parser.add_argument("--batch-size", type=int, default=1024, help="ddp: global batch size")
    parser.add_argument("--only", choices=("dask", "ddp"), default=None)
    args = parser.parse_args()
    if args.only != "dask":
        ddp_epoch(args.epochs, args.rows, args.batch_size)
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
