"""Benchmark: ``classif.mlp`` against a hand-written PyTorch loop and skorch (not a test).

All three train the same network (Linear-ReLU-Dropout x2 with 64 units, then a 3-class head) on
the same synthetic data (20,000 rows x 20 numeric features by default) with Adam (lr 1e-3), the
same batch size, epochs and thread count (1). The hand-written loop builds tensors once and cuts
batches by index slicing of a random permutation, as a careful PyTorch user would; jupytorch is
timed around ``learner.train(task)`` (which includes turning the task into tensors and building
the network); skorch around ``net.fit(X, y)`` with ``train_split=None`` and ``verbose=0``.

jupytorch asks torch for its fused Adam kernel; the "hand" loop does the same, so the ratio
compares like with like. "hand (default Adam)" is the same loop with torch's default Adam, for
reference. Runs are interleaved and repeated; the table shows wall-clock seconds (median and
minimum) and process CPU seconds (median). On a busy machine the minimum wall time and the CPU
time are the figures to compare; the ratios are relative to the hand-written loop.

Usage::

    .venv/bin/python bench/bench_mlp.py              # batch sizes 32 and 256
    .venv/bin/python bench/bench_mlp.py --repeats 7 --rows 20000
    .venv/bin/python bench/bench_mlp.py --paired     # loop overhead only, on the same objects
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np
import pandas as pd
import torch

NEURONS = (64, 64)
P = 0.1
LR = 1e-3


def make_data(rows: int, features: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features)).astype(np.float32)
    w = rng.normal(size=(features, 3))
    y = (x @ w + rng.normal(size=(rows, 3))).argmax(axis=1)
    return x, y


def make_network(d_in: int, d_out: int) -> torch.nn.Sequential:
    layers: list[torch.nn.Module] = []
    width = d_in
    for n in NEURONS:
        layers += [torch.nn.Linear(width, n), torch.nn.ReLU(), torch.nn.Dropout(P)]
        width = n
    layers.append(torch.nn.Linear(width, d_out))
    return torch.nn.Sequential(*layers)


class Clock:
    """Wall-clock and process CPU seconds of a block (CPU time is robust when the machine is busy)."""

    def __enter__(self) -> Self:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def run_hand(x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int, fused: bool) -> Clock:
    clock = Clock().__enter__()
    torch.manual_seed(1)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    net = make_network(x.shape[1], 3)
    opt = torch.optim.Adam(net.parameters(), lr=LR, fused=True) if fused else torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    n = len(xt)
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item()  # a typical loop reads the loss each batch (free on the CPU)
    clock.__exit__()
    return clock


def run_jupytorch(task, batch_size: int, epochs: int) -> Clock:
    import jupytorch as jt

    learner = jt.lrn("classif.mlp", neurons=NEURONS, p=P, epochs=epochs, batch_size=batch_size, device="cpu",
                     num_threads=1, seed=1, opt__lr=LR)
    with Clock() as clock:
        learner.train(task)
    return clock


def run_skorch(x: np.ndarray, y: np.ndarray, batch_size: int, epochs: int) -> Clock:
    from skorch import NeuralNetClassifier

    clock = Clock().__enter__()
    torch.manual_seed(1)
    net = NeuralNetClassifier(
        make_network(x.shape[1], 3), criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam, lr=LR,
        optimizer__fused=True, max_epochs=epochs, batch_size=batch_size, train_split=None, verbose=0,
        iterator_train__shuffle=True, device="cpu",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net.fit(x, y.astype(np.int64))
    clock.__exit__()
    return clock


def paired_epochs(task, batch_size: int, pairs: int = 12) -> list[float]:
    """Per-epoch CPU-time ratios jupytorch / hand loop on the same network, optimizer and tensors.

    A Trainer subclass alternates one epoch of jupytorch's loop (``_run_epoch``) with one epoch
    of the hand-written loop over the very objects jupytorch built, so setup, data and model
    cannot differ; only the loops do. Returns one ratio per pair.
    """
    import jupytorch as jt
    from jupytorch.nn.trainer import Trainer

    ratios: list[float] = []

    class Paired(Trainer):
        def _fit_loop(self) -> None:
            ctx = self.ctx
            x, y = ctx.dataset_train.tensors["x"], ctx.dataset_train.y
            net, opt, loss_fn, n = ctx.network, ctx.optimizer, ctx.loss_fn, ctx.dataset_train.n

            def hand() -> None:
                perm = torch.randperm(n)
                net.train()
                for i in range(0, n, batch_size):
                    idx = perm[i:i + batch_size]
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(net(x[idx]), y[idx])
                    loss.backward()
                    opt.step()
                    loss.item()

            def ours() -> None:
                ctx.epoch += 1
                self._run_epoch()
                self._end_epoch()

            for k in range(2 * pairs):
                first, second = (ours, hand) if k % 2 else (hand, ours)
                times = {}
                for fn in (first, second):
                    start = time.process_time()
                    fn()
                    times[fn] = time.process_time() - start
                ratios.append(times[ours] / times[hand])

    learner = jt.lrn("classif.mlp", neurons=NEURONS, p=P, epochs=10**6, batch_size=batch_size, device="cpu",
                     num_threads=1, seed=1, opt__lr=LR)
    learner.trainer_class = Paired
    learner.train(task)
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--no-skorch", action="store_true")
    parser.add_argument("--paired", action="store_true",
                        help="instead: alternate epochs of both loops on the same objects (see paired_epochs)")
    args = parser.parse_args()

    import jupytorch as jt
    from jupytorch.core.progress import set_progress_view

    set_progress_view("none")  # no progress bar: the hand loop draws none either
    torch.set_num_threads(1)
    x, y = make_data(args.rows, args.features)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(x.shape[1])])
    frame["y"] = pd.Categorical(np.array(["a", "b", "c"])[y])
    task = jt.as_task_classif(frame, target="y", id="synthetic")
    if args.paired:
        for bs in args.batch_sizes:
            ratios = paired_epochs(task, bs)
            q1, _, q3 = statistics.quantiles(ratios, n=4)
            print(f"batch {bs}: jupytorch / hand CPU time per epoch, same objects: median {statistics.median(ratios):.3f} "
                  f"(quartiles {q1:.3f} to {q3:.3f}, {len(ratios)} pairs)")
        return
    epochs_for = {32: 3}
    print(f"torch {torch.__version__}, {args.rows} rows x {args.features} features, MLP {NEURONS}, Adam, 1 thread, "
          f"{args.repeats} repeats (interleaved)\n")
    header = (f"{'batch':>5} {'epochs':>6} {'runner':<20} {'wall med':>9} {'wall min':>9} {'cpu med':>8} "
              f"{'ratio wall min':>15} {'ratio cpu med':>14}")
    print(header)
    print("-" * len(header))
    for bs in args.batch_sizes:
        epochs = epochs_for.get(bs, 10)
        runners = {
            "hand (fused Adam)": lambda bs=bs, epochs=epochs: run_hand(x, y, bs, epochs, fused=True),
            "jupytorch": lambda bs=bs, epochs=epochs: run_jupytorch(task, bs, epochs),
            "hand (default Adam)": lambda bs=bs, epochs=epochs: run_hand(x, y, bs, epochs, fused=False),
        }
        if not args.no_skorch:
            runners["skorch"] = lambda bs=bs, epochs=epochs: run_skorch(x, y, bs, epochs)
        for fn in runners.values():  # warm-up: imports, allocator, first-call costs
            fn()
        clocks: dict[str, list[Clock]] = {name: [] for name in runners}
        for _ in range(args.repeats):
            for name, fn in runners.items():
                clocks[name].append(fn())
        base_wall = min(c.wall for c in clocks["hand (fused Adam)"])
        base_cpu = statistics.median(c.cpu for c in clocks["hand (fused Adam)"])
        for name, values in clocks.items():
            wall_med = statistics.median(c.wall for c in values)
            wall_min = min(c.wall for c in values)
            cpu_med = statistics.median(c.cpu for c in values)
            print(f"{bs:>5} {epochs:>6} {name:<20} {wall_med:>9.3f} {wall_min:>9.3f} {cpu_med:>8.3f} "
                  f"{wall_min / base_wall:>14.2f}x {cpu_med / base_cpu:>13.2f}x")
        print()


if __name__ == "__main__":
    main()
