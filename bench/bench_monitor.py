"""Benchmark: what the TrainingMonitor costs a training run (not a test).

Trains ``lrn("classif.mlp")`` (one hidden layer of 64 units) on synthetic data, 32 000 rows x 20
features with batch size 32: 1 000 batches per epoch. Two ways, interleaved and repeated:

- **off**: no progress view at all (what a script sees; the trainer then emits no events);
- **monitor**: a :class:`TrainingMonitor` driven through ``WidgetProgress``, exactly the kernel-side
  work of a notebook: every event is folded into the monitor's state, throttled updates are
  serialised to JSON and handed to a comm (a stand-in for the kernel's comm that JSON-encodes each
  message as the kernel's session does, then drops it), and ``should_stop()`` polls a real ZeroMQ
  socket for front-end messages as the Stop button's poller does inside a kernel.

A second pair repeats this with a hand-written loop that emits a progress event and asks
``should_stop()`` after **every** batch (the worst case a trainer could be; jupytorch's own trainer
reports a few times a second), to show that the monitor's throttling holds there too.

Two measures of the overhead:

- **direct** (the headline figure): all the monitor's work happens inside ``progress.emit`` and
  ``progress.should_stop`` (folding events, throttled JSON updates, Stop polls), so the bench
  times every one of those calls and divides by the run's wall time (median over repeats). This
  does not depend on what else the machine runs.
- **end to end**: the median of the paired ratios of process CPU time, monitor/off, and the
  fastest wall-clock time of each side. On a shared machine these swing by 10% or more between
  identical runs, so they bound the overhead only loosely there; on an idle machine they agree.

Usage::

    .venv/bin/python bench/bench_monitor.py                 # 7 repeats of 2 epochs
    .venv/bin/python bench/bench_monitor.py --repeats 7 --epochs 2 --threads 1
    .venv/bin/python bench/bench_monitor.py --preview-only  # LazyTensorPreview's first page only
    .venv/bin/python bench/bench_monitor.py --dashboard-only  # TuningDashboard overhead only

It also times a :class:`LazyTensorPreview` on a 70 000-row MNIST-format task (idx files written to a
temporary folder): the kernel time of its first page (goal: under 0.5 s), of paging and of filtering;
and an Optuna study optimized with and without a :class:`TuningDashboard` (its callback after every
trial, throttled updates JSON-encoded as a kernel comm would): the share of the run spent in the
dashboard (goal: at most 3%).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np
import pandas as pd
import torch

ROWS, FEATURES, BATCH = 32_000, 20, 32


_COMM_CLASS: Any = None


def json_comm(*args: Any, **kwargs: Any) -> Any:
    """Stands in for ipykernel's comm: JSON-encodes every message (the kernel's cost), sends nowhere."""
    global _COMM_CLASS
    if _COMM_CLASS is None:
        from comm.base_comm import BaseComm

        class JsonComm(BaseComm):
            messages = 0
            bytes = 0

            def publish_msg(self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None,
                            **keys: Any) -> None:
                payload = json.dumps({"msg_type": msg_type, "data": data, "metadata": metadata or {}},
                                     default=str, allow_nan=False)
                JsonComm.messages += 1
                JsonComm.bytes += len(payload)

        _COMM_CLASS = JsonComm
    return _COMM_CLASS(*args, **kwargs)


class ZmqPoll:
    """The Stop poller's session, as inside ipykernel >= 7: a non-blocking read of a ZeroMQ socket."""

    def __init__(self) -> None:
        import zmq

        self.zmq = zmq
        self.context = zmq.Context.instance()
        self.socket = self.context.socket(zmq.PAIR)
        self.socket.bind(f"inproc://jt-bench-{id(self)}")
        self.polls = 0

    def __enter__(self) -> Any:
        return self.poll

    def __exit__(self, *exc: Any) -> None:
        self.socket.close(linger=0)

    def poll(self, n: int = 20) -> None:
        self.polls += 1
        for _ in range(n):
            try:
                self.socket.recv_multipart(self.zmq.NOBLOCK, copy=False)
            except self.zmq.Again:
                return


class Accounting:
    """Times every call of ``progress.emit`` and ``progress.should_stop`` (all the monitor's work runs
    inside them): the direct cost of the monitor, free of the noise of other processes."""

    def __init__(self) -> None:
        from jupytorch.core import progress

        self.progress = progress
        self.seconds = 0.0
        self.calls = 0

    def __enter__(self) -> Accounting:
        progress, clock = self.progress, time.perf_counter
        self._saved = progress.emit, progress.should_stop
        emit, should_stop = self._saved

        def timed_emit(*args: Any, **kwargs: Any) -> None:
            t = clock()
            emit(*args, **kwargs)
            self.seconds += clock() - t
            self.calls += 1

        def timed_should_stop() -> bool:
            t = clock()
            out = should_stop()
            self.seconds += clock() - t
            self.calls += 1
            return out

        progress.emit, progress.should_stop = timed_emit, timed_should_stop
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.emit, self.progress.should_stop = self._saved


def make_task() -> Any:
    import jupytorch as jt

    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, FEATURES)).astype(np.float32)
    y = (x @ rng.normal(size=(FEATURES, 3)) + rng.normal(size=(ROWS, 3))).argmax(axis=1)
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(FEATURES)])
    df["y"] = pd.Categorical(np.array(["a", "b", "c"])[y])
    return jt.as_task_classif(df, target="y", id="bench")


def monitor_view() -> tuple[Any, Any]:
    import comm

    from jupytorch.notebook._training_monitor import TrainingMonitor
    from jupytorch.notebook.progress_bridge import WidgetProgress

    comm.create_comm = json_comm  # what ipywidgets calls to open the widget's comm
    monitor = TrainingMonitor()
    poll = ZmqPoll()
    monitor._poller.poll_factory = lambda: poll
    return WidgetProgress(monitor, display=False), poll


def train_mlp(task: Any, epochs: int, view: Any) -> tuple[float, float]:
    import jupytorch as jt
    from jupytorch.core import progress

    learner = jt.lrn("classif.mlp", neurons=(64,), epochs=epochs, batch_size=BATCH, device="cpu", seed=1)
    start, cpu = time.perf_counter(), time.process_time()
    if view is None:
        learner.train(task)
    else:
        with progress.listen(view):
            learner.train(task)
        view.close()
    return time.perf_counter() - start, time.process_time() - cpu


def hand_loop(epochs: int, view: Any) -> tuple[float, float]:
    """A plain loop that reports every batch (no .item(): the loss stays on the device)."""
    from jupytorch.core import progress

    torch.manual_seed(1)
    x = torch.randn(ROWS, FEATURES)
    y = torch.randint(0, 3, (ROWS,))
    net = torch.nn.Sequential(torch.nn.Linear(FEATURES, 64), torch.nn.ReLU(), torch.nn.Linear(64, 3))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    n_batches = ROWS // BATCH
    start, cpu = time.perf_counter(), time.process_time()
    listening = progress.listen(view) if view is not None else None
    if listening is not None:
        listening.__enter__()
    try:
        progress.emit("train", "begin", total=epochs, learner_id="hand", task_id="bench")
        for epoch in range(1, epochs + 1):
            progress.emit("epoch", "begin", total=n_batches, epoch=epoch)
            perm = torch.randperm(ROWS)
            for i in range(n_batches):
                idx = perm[i * BATCH:(i + 1) * BATCH]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(net(x[idx]), y[idx])
                loss.backward()
                opt.step()
                progress.emit("batch", "advance", total=n_batches, completed=i + 1, samples=(i + 1) * BATCH)
                if progress.should_stop():
                    break
            progress.emit("epoch", "end", total=n_batches, completed=n_batches, epoch=epoch, train={"loss": float(loss.detach())})
        progress.emit("train", "end", total=epochs, completed=epochs)
    finally:
        if listening is not None:
            listening.__exit__(None, None, None)
            view.close()
    return time.perf_counter() - start, time.process_time() - cpu


def run_pair(name: str, fn: Any, repeats: int) -> dict[str, Any]:
    fn(None)  # warm-up: first-call imports and allocations
    wall: dict[str, list[float]] = {"off": [], "on": []}
    cpu: dict[str, list[float]] = {"off": [], "on": []}
    cpu_ratios, syncs, polls, inside, calls = [], [], [], [], []
    for r in range(repeats):
        order = ("off", "on") if r % 2 == 0 else ("on", "off")
        for mode in order:
            if mode == "off":
                w, c = fn(None)
            else:
                view, poll = monitor_view()
                with Accounting() as account:
                    w, c = fn(view)
                inside.append(account.seconds)
                calls.append(account.calls)
                syncs.append(view.monitor.n_syncs)
                polls.append(poll.polls)
                assert view.monitor.status == "finished", view.monitor.status
            wall[mode].append(w)
            cpu[mode].append(c)
        cpu_ratios.append(cpu["on"][-1] / cpu["off"][-1])
        print(f"  {name} repeat {r + 1}: off {wall['off'][-1]:.3f} s wall / {cpu['off'][-1]:.3f} s CPU, "
              f"monitor {wall['on'][-1]:.3f} s / {cpu['on'][-1]:.3f} s (of which {1000 * inside[-1]:.1f} ms in "
              f"{calls[-1]} progress calls), CPU ratio {cpu_ratios[-1]:.4f}", flush=True)
    return {
        "inside": statistics.median(inside), "calls": statistics.median(calls),
        "direct": statistics.median(i / w for i, w in zip(inside, wall["on"])),
        "name": name,
        "cpu_off": statistics.median(cpu["off"]), "cpu_on": statistics.median(cpu["on"]),
        "cpu_ratio": statistics.median(cpu_ratios),
        "wall_off": min(wall["off"]), "wall_on": min(wall["on"]),
        "syncs": statistics.median(syncs), "polls": statistics.median(polls),
    }


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write ``array`` (uint8) in the MNIST idx format."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def bench_preview(repeats: int) -> None:
    """Kernel time of a LazyTensorPreview's first page (and of paging) on a 70 000-row MNIST-format task."""
    import tempfile

    from jupytorch.lazy.tasks import load_mnist
    from jupytorch.notebook._lazy_preview import LazyTensorPreview

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "MNIST" / "raw"
        raw.mkdir(parents=True)
        for part, n in (("train", 60_000), ("t10k", 10_000)):
            write_idx(raw / f"{part}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
            write_idx(raw / f"{part}-labels-idx1-ubyte", rng.integers(0, 10, n, dtype=np.uint8))
        task = load_mnist(tmp)
        first, paging, filtering = [], [], []
        for _ in range(repeats):
            start = time.perf_counter()
            preview = LazyTensorPreview(task, page_size=24)
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            preview.page = 1234
            paging.append(time.perf_counter() - start)
            start = time.perf_counter()
            preview.class_filter = "7"
            filtering.append(time.perf_counter() - start)
        print(f"LazyTensorPreview on {task.nrow} rows (MNIST idx files), 24 samples a page, {repeats} repeats, median:")
        print(f"  first page (widget built, page materialized and encoded): {1000 * statistics.median(first):.1f} ms"
              f" -> target < 500 ms: {'met' if statistics.median(first) < 0.5 else 'NOT met'}")
        print(f"  next page: {1000 * statistics.median(paging):.1f} ms; class filter: {1000 * statistics.median(filtering):.1f} ms")


def bench_dashboard(repeats: int, n_trials: int = 60) -> None:
    """Tuning with and without a TuningDashboard (its callback after every trial, updates over a JSON comm)."""
    import comm
    import optuna

    from jupytorch.notebook._tuning_dashboard import TuningDashboard

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    comm.create_comm = json_comm
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 60)), rng.normal(size=400)

    def objective(trial: Any) -> float:  # a ridge fit of ~25 ms: a small real model
        alpha = trial.suggest_float("alpha", 1e-4, 10, log=True)
        k = trial.suggest_int("features", 10, 60)
        loss = 0.0
        for step in range(5):
            x = a[:, :k]
            w = np.linalg.solve(x.T @ x + alpha * np.eye(k), x.T @ b)
            loss = float(np.mean((x @ w - b) ** 2)) + 0.01 * step
            trial.report(loss, step)
            for _ in range(12):
                np.linalg.svd(x[:120], full_matrices=False)
        return loss

    walls: dict[str, list[float]] = {"off": [], "dashboard": []}
    direct: list[float] = []
    for _ in range(repeats):
        for side in ("off", "dashboard"):
            study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
            callbacks, inside = [], [0.0]
            if side == "dashboard":
                dash = TuningDashboard(study)
                inner = dash.optuna_callback()

                def timed(st: Any, tr: Any, inner: Any = inner, inside: list = inside) -> None:
                    t0 = time.perf_counter()
                    inner(st, tr)
                    inside[0] += time.perf_counter() - t0

                callbacks = [timed]
            start = time.perf_counter()
            study.optimize(objective, n_trials=n_trials, callbacks=callbacks)
            wall = time.perf_counter() - start
            walls[side].append(wall)
            if side == "dashboard":
                direct.append(inside[0] / wall)
                dash.close()
    off, on = statistics.median(walls["off"]), statistics.median(walls["dashboard"])
    print(f"TuningDashboard: {n_trials} trials of a ~{1000 * off / n_trials:.0f} ms objective, {repeats} repeats, median:")
    print(f"  wall without {off:.2f} s, with the dashboard {on:.2f} s ({100 * (on / off - 1):+.1f}%, noisy); "
          f"time inside the dashboard's callback {100 * statistics.median(direct):.2f}% of the run "
          f"-> target <= 3%: {'met' if statistics.median(direct) <= 0.03 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is steadiest on a shared machine)")
    parser.add_argument("--preview-only", action="store_true", help="only the LazyTensorPreview figure")
    parser.add_argument("--dashboard-only", action="store_true", help="only the TuningDashboard figure")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.dashboard_only:
        bench_preview(args.repeats)
    if not args.preview_only:
        bench_dashboard(min(args.repeats, 3))
    if args.preview_only or args.dashboard_only:
        return
    from jupytorch.core import progress

    progress.set_progress_view("none")  # "off" must really be off
    task = make_task()
    print(f"{ROWS} rows x {FEATURES} features, batch size {BATCH}: {ROWS // BATCH} batches per epoch; "
          f"{args.epochs} epochs; torch {torch.__version__}, {args.threads} thread(s)")
    results = [
        run_pair("classif.mlp", lambda view: train_mlp(task, args.epochs, view), args.repeats),
        run_pair("hand loop, event every batch", lambda view: hand_loop(args.epochs, view), args.repeats),
    ]
    print()
    print(f"{'run':<30} {'direct':>7} {'in calls':>9} {'calls':>6} {'CPU off':>8} {'CPU mon.':>9} {'CPU ratio':>10} "
          f"{'wall off':>9} {'wall mon.':>10} {'updates':>8} {'polls':>6}")
    for r in results:
        print(f"{r['name']:<30} {100 * r['direct']:>6.2f}% {1000 * r['inside']:>7.1f}ms {r['calls']:>6.0f} "
              f"{r['cpu_off']:>7.3f}s {r['cpu_on']:>8.3f}s {100 * (r['cpu_ratio'] - 1):>+9.2f}% "
              f"{r['wall_off']:>8.3f}s {r['wall_on']:>9.3f}s {r['syncs']:>8.0f} {r['polls']:>6.0f}")
    if _COMM_CLASS is not None:
        print(f"(all monitor runs: {_COMM_CLASS.messages} comm messages, {_COMM_CLASS.bytes / 1e6:.2f} MB of JSON)")
    print("direct: time inside progress.emit/should_stop (the monitor's whole work) / the run's wall time, median;\n"
          "CPU: median process CPU seconds and median of the paired ratios (noisy on a shared machine);\n"
          "wall: fastest run of each side.")
    worst = max(r["direct"] for r in results)
    print(f"\noverhead of the monitor (direct): classif.mlp {100 * results[0]['direct']:.2f}%, "
          f"per-batch events {100 * results[1]['direct']:.2f}%; target <= 3%: {'met' if worst <= 0.03 else 'NOT met'}")


if __name__ == "__main__":
    main()
