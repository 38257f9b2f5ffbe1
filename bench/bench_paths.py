"""Benchmark: jupytorch's paths against the hand-written or plain-library equivalent, in one run (not a test).

Each case times jupytorch and its equivalent alternately (paired repeats, the order flipped every
repeat) in process CPU time, with one torch thread and one BLAS thread, and prints per case the
median time of each side and the median and range of the per-pair ratios jupytorch / equivalent:

=================  ==============================================================================
case               jupytorch vs equivalent
=================  ==============================================================================
image epoch        ``learner.train`` of a small CNN (``classif.module``, 1 epoch, batch 32) on a
                   lazy-tensor column resized to 224x224 by ``po("trafo_resize")`` vs a loop that
                   indexes the source tensor, resizes each batch and steps Adam (same network)
image predict      ``learner.predict`` on those rows vs a loop over batches of 32 (resize, forward)
1-row predict      ``learner.predict(task, row_ids=[i])`` of a trained ``regr.mlp`` vs the bare
                   forward of one prepared row under ``torch.inference_mode``
20k-row predict    ``learner.predict`` of 20 000 rows vs one forward pass over them
featureless cv5    ``resample(task, lrn("regr.featureless"), rsmp("cv", folds=5))`` vs a KFold loop
                   fitting scikit-learn's ``DummyRegressor`` and predicting
benchmark 3 x cv5  ``benchmark`` of featureless, lm and rpart vs a KFold loop over DummyRegressor,
                   LinearRegression and DecisionTreeRegressor (rpart's defaults)
regr.lm            ``lrn("regr.lm").train(task)`` vs ``LinearRegression().fit(frame[features], y)``
=================  ==============================================================================

The 1-row and 20k-row predicts show the steady state: the task's columns are converted to tensors
on the first call (printed separately) and reused after.

Usage::

    .venv/bin/python bench/bench_paths.py            # about 2 minutes on a quiet 2-core machine
    .venv/bin/python bench/bench_paths.py --quick    # fewer rows and repeats, for a smoke run
    .venv/bin/python bench/bench_paths.py --cases image lm
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread on both sides: the machine is shared

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

import jupytorch as jt  # noqa: E402

SIZE = 224
BATCH = 32


def paired(ours: Callable[[], object], theirs: Callable[[], object], repeats: int, number: int = 1) -> dict[str, object]:
    """CPU seconds per call of each side, in alternating order, and the per-pair ratios."""
    ours(), theirs()  # warm-up: first-call costs, allocator
    times: dict[str, list[float]] = {"ours": [], "theirs": []}
    for r in range(repeats):
        order = (("ours", ours), ("theirs", theirs)) if r % 2 else (("theirs", theirs), ("ours", ours))
        for name, fn in order:
            start = time.process_time()
            for _ in range(number):
                fn()
            times[name].append((time.process_time() - start) / number)
    ratios = [a / b for a, b in zip(times["ours"], times["theirs"], strict=True)]
    return {"ours": statistics.median(times["ours"]), "theirs": statistics.median(times["theirs"]),
            "ratio": statistics.median(ratios), "low": min(ratios), "high": max(ratios)}


def report(case: str, result: dict[str, object], goal: float | None, note: str = "") -> None:
    ours, theirs = result["ours"], result["theirs"]
    goal_text = f"<= {goal:.2f}x" if goal else "-"
    print(f"{case:<20} {ours * 1e3:>10.3f} {theirs * 1e3:>10.3f} {result['ratio']:>7.2f}x "
          f"{result['low']:>6.2f}-{result['high']:<6.2f} {goal_text:>9}  {note}", flush=True)


# -- image pipeline ----------------------------------------------------------------------------------
class SmallCNN(torch.nn.Module):
    """A small CNN for 224x224 RGB images: one strided conv, pooling, a linear head."""

    def __init__(self, task=None, classes: int = 4):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, kernel_size=5, stride=4), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(4),
            torch.nn.Flatten(), torch.nn.Linear(128, classes),
        )

    def forward(self, x):
        return self.body(x)


def case_image(rows: int, repeats: int) -> None:
    from torchvision.transforms.v2 import functional as F

    from jupytorch.pipelines.sugar import po

    gen = torch.Generator().manual_seed(0)
    source = torch.rand(rows, 3, 64, 64, generator=gen)
    labels = torch.randint(0, 4, (rows,), generator=gen)
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(source), "y": pd.Categorical(np.array(list("abcd"))[labels.numpy()])})
    task = po("trafo_resize", size=(SIZE, SIZE)).train([jt.as_task_classif(frame, target="y", id="images")])[0]
    learner = jt.lrn("classif.module", module_generator=SmallCNN, ingress_tokens={"x": jt.ingress_ltnsr()},
                     epochs=1, batch_size=BATCH, device="cpu", num_threads=1, seed=1)

    def hand_epoch() -> None:
        torch.manual_seed(1)
        net = SmallCNN()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
        loss_fn = torch.nn.CrossEntropyLoss()
        perm = torch.randperm(rows)
        for i in range(0, rows, BATCH):
            idx = perm[i:i + BATCH]
            x = F.resize(source[idx], [SIZE, SIZE], antialias=True)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(x), labels[idx])
            loss.backward()
            opt.step()

    report("image epoch", paired(lambda: learner.train(task), hand_epoch, repeats), 1.05, f"{rows} rows, batch {BATCH}")
    net = learner.model.network

    def hand_predict() -> torch.Tensor:
        net.eval()
        with torch.inference_mode():
            return torch.cat([net(F.resize(source[i:i + BATCH], [SIZE, SIZE], antialias=True))
                              for i in range(0, rows, BATCH)])

    report("image predict", paired(lambda: learner.predict(task), hand_predict, repeats), 1.05, f"{rows} rows")


# -- tabular predict ---------------------------------------------------------------------------------
def regr_frame(rows: int, features: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features))
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(features)])
    frame["y"] = x @ rng.normal(size=features) + rng.normal(size=rows)
    return frame


def case_predict(rows: int, repeats: int) -> None:
    frame = regr_frame(rows, 10)
    task = jt.as_task_regr(frame, target="y", id="synthetic")
    learner = jt.lrn("regr.mlp", neurons=(64, 64), epochs=1, batch_size=256, device="cpu", num_threads=1, seed=1)
    learner.train(task)
    net = learner.model.network.eval()
    x = torch.tensor(frame.drop(columns="y").to_numpy(np.float32))
    one = x[5:6]
    counter = iter(range(10**9))

    def bare_one() -> torch.Tensor:
        with torch.inference_mode():
            return net(one)

    def ours_one() -> object:
        return learner.predict(task, row_ids=[next(counter) % rows])

    report("1-row predict", paired(ours_one, bare_one, repeats, number=200), 5.0, "rows vary, 200 calls per repeat")

    def bare_all() -> torch.Tensor:
        with torch.inference_mode():
            return net(x)

    fresh = jt.as_task_regr(frame.copy(), target="y", id="fresh")
    start = time.process_time()
    learner.predict(fresh)
    first = time.process_time() - start
    report(f"{rows // 1000}k-row predict", paired(lambda: learner.predict(task), bare_all, repeats, number=5), 1.5,
           f"first call on a new task: {first * 1e3:.1f} ms")


# -- resampling and benchmark ----------------------------------------------------------------------------
def case_resample(rows: int, repeats: int) -> None:
    from sklearn.dummy import DummyRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold
    from sklearn.tree import DecisionTreeRegressor

    frame = regr_frame(rows, 10, seed=1)
    task = jt.as_task_regr(frame, target="y", id="synthetic")
    x, y = frame.drop(columns="y").to_numpy(), frame["y"].to_numpy()

    def plain(makers: list[Callable[[np.ndarray], object]]) -> None:
        for make in makers:
            for train, test in KFold(5, shuffle=True, random_state=1).split(x):
                make(y[train]).fit(x[train], y[train]).predict(x[test])

    report("featureless cv5", paired(
        lambda: jt.resample(task, jt.lrn("regr.featureless"), jt.rsmp("cv", folds=5), seed=1),
        lambda: plain([lambda _: DummyRegressor()]), repeats, number=5), 1.3, f"{rows} rows")

    def tree(y_train: np.ndarray) -> DecisionTreeRegressor:  # rpart's defaults
        return DecisionTreeRegressor(ccp_alpha=0.01 * float(np.var(y_train)), max_depth=30, min_samples_split=20,
                                     min_samples_leaf=7)

    learners = [jt.lrn("regr.featureless"), jt.lrn("regr.lm"), jt.lrn("regr.rpart")]
    report("benchmark 3 x cv5", paired(
        lambda: jt.benchmark(jt.benchmark_grid(task, learners, jt.rsmp("cv", folds=5)), seed=1),
        lambda: plain([lambda _: DummyRegressor(), lambda _: LinearRegression(), tree]), repeats), None,
        "featureless, lm, rpart")


def case_lm(rows: int, repeats: int) -> None:
    from sklearn.linear_model import LinearRegression

    frame = regr_frame(rows, 20, seed=2)
    task = jt.as_task_regr(frame, target="y", id="synthetic")
    features = task.feature_names
    report("regr.lm", paired(lambda: jt.lrn("regr.lm").train(task),
                             lambda: LinearRegression().fit(frame[features], frame["y"]), repeats, number=5), 1.1,
           f"{rows} rows x 20")


CASES = {"image": case_image, "predict": case_predict, "resample": case_resample, "lm": case_lm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows and repeats (a smoke run)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES))
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 9)
    rows = {"image": 64 if args.quick else 512, "predict": 2000 if args.quick else 20000,
            "resample": 1000, "lm": 5000}
    torch.set_num_threads(1)
    from jupytorch.core.progress import set_progress_view

    set_progress_view("none")
    print(f"torch {torch.__version__}, 1 torch thread, 1 BLAS thread, {repeats} paired repeats, CPU time\n")
    header = f"{'case':<20} {'ours ms':>10} {'plain ms':>10} {'ratio':>8} {'range':>13} {'goal':>9}  note"
    print(header)
    print("-" * len(header))
    for name in args.cases:
        CASES[name](rows[name], repeats)


if __name__ == "__main__":
    main()
