"""Benchmark: the tabular learners on California Housing in the setting of Gorishniy et al. (2021),
"Revisiting Deep Learning Models for Tabular Data" (not a test).

Setting: a seeded 64/16/20 train/validation/test split of the 20 640 rows; numeric features
quantile-normalized (scikit-learn's ``QuantileTransformer`` to a normal distribution, fitted on
the training part, as in the paper); the target standardized by the learners' ``scale_target``
(on by default for regression); early stopping on the validation RMSE (``patience``), best
weights restored; the test RMSE reported in units of $100 000, next to the paper's figures
(MLP 0.499, ResNet 0.486, FT-Transformer default 0.469, TabM 0.441; XGBoost 0.433).

The data: ``tsk("california_housing")`` is the StatLib table with raw columns (total rooms,
total bedrooms with 207 missing values, households, ocean proximity). ``--features paper`` (the
default) derives the eight columns of scikit-learn's version that the paper used (median income,
house age, average rooms, average bedrooms, population, average occupancy, latitude, longitude;
the missing bedroom counts are imputed with the training median); ``--features raw`` keeps the
raw columns and the ``ocean_proximity`` factor.

Configurations: FT-Transformer is the paper's default configuration (the learner's defaults).
MLP, ResNet and TabM use fixed, untuned configurations in the range of the papers' search spaces
(the papers' figures for them come from tuned configurations).

Epoch time: each learner trains ``--timing-epochs`` epochs without validation, timed around
``learner.train``; a fresh network of the same class and size (built by the learner) trains the same
epochs in a hand-written PyTorch loop: tensors built once, a random permutation cut into batches,
the same optimizer (fused AdamW) and the loss on the standardized target. Runs are interleaved and
repeated; the minimum seconds per epoch are compared.

Usage::

    .venv/bin/python bench/bench_tabular.py                                # full budget
    .venv/bin/python bench/bench_tabular.py --max-epochs 20 --time-budget 120 --models mlp ft_transformer
    .venv/bin/python bench/bench_tabular.py --models tabm --skip-timing --device cuda   # on a GPU
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np
import pandas as pd
import torch

import jupytorch as jt

PAPER = {"mlp": 0.499, "tab_resnet": 0.486, "ft_transformer": 0.469, "tabm": 0.441}
XGBOOST = 0.433

CONFIGS = {
    "mlp": {"neurons": (512, 512, 512), "p": 0.1, "opt": {"lr": 1e-3, "weight_decay": 1e-5}},
    "tab_resnet": {"n_blocks": 2, "d_block": 256, "d_hidden_multiplier": 2.0, "dropout1": 0.2, "dropout2": 0.0,
                   "opt": {"lr": 1e-3, "weight_decay": 1e-5}},
    "ft_transformer": {"opt": {"lr": 1e-4, "weight_decay": 1e-5}},   # the paper's default configuration
    "tabm": {"k": 32, "n_blocks": 3, "d_block": 512, "dropout": 0.1, "opt": {"lr": 2e-3, "weight_decay": 3e-4}},
}


def load_frame(features: str) -> pd.DataFrame:
    data = jt.tsk("california_housing").data()
    y = data["median_house_value"].astype(float)
    if features == "raw":
        return data
    households = data["households"].astype(float)
    return pd.DataFrame({
        "MedInc": data["median_income"], "HouseAge": data["housing_median_age"],
        "AveRooms": data["total_rooms"] / households, "AveBedrms": data["total_bedrooms"] / households,
        "Population": data["population"], "AveOccup": data["population"] / households,
        "Latitude": data["latitude"], "Longitude": data["longitude"], "median_house_value": y,
    })


def split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    n_train, n_valid = int(0.64 * n), int(0.16 * n)
    return order[:n_train], order[n_train:n_train + n_valid], order[n_train + n_valid:]


def preprocess(frame: pd.DataFrame, parts: tuple[np.ndarray, ...], seed: int) -> list[pd.DataFrame]:
    """Impute with the training median and quantile-normalize numeric columns (fitted on train)."""
    from sklearn.preprocessing import QuantileTransformer

    train = frame.iloc[parts[0]]
    numeric = [c for c in frame.columns if c != "median_house_value" and pd.api.types.is_numeric_dtype(frame[c])]
    medians = train[numeric].median()
    n_quantiles = max(min(len(train) // 30, 1000), 10)
    qt = QuantileTransformer(n_quantiles=n_quantiles, output_distribution="normal", subsample=10**9, random_state=seed)
    qt.fit(train[numeric].fillna(medians).to_numpy())
    out = []
    for rows in parts:
        part = frame.iloc[rows].copy()
        part[numeric] = qt.transform(part[numeric].fillna(medians).to_numpy()).astype(np.float32)
        out.append(part.reset_index(drop=True))
    return out


def make_learner(name: str, epochs: int, batch_size: int, seed: int, device: str = "cpu", **extra: object) -> object:
    config = dict(CONFIGS[name])
    opt = config.pop("opt")
    # ft_transformer keeps its default optimizer: the paper's AdamW with its parameter groups
    optimizer = None if name == "ft_transformer" else jt.t_opt("adamw", **opt)
    return jt.lrn(f"regr.{name}", optimizer=optimizer, epochs=epochs, batch_size=batch_size,
                  seed=seed, device=device, **config, **extra)


def time_budget_callback(seconds: float) -> object:
    # CPU seconds of this process, not wall time: on a shared machine the budget buys the same
    # number of epochs whatever else runs (and a paused run does not spend it)
    def on_epoch_end(cb: object) -> None:
        if time.process_time() - cb.start > seconds:
            cb.ctx.terminate = True

    def on_begin(cb: object) -> None:
        cb.start = time.process_time()

    return jt.torch_callback("time_budget", on_begin=on_begin, on_epoch_end=on_epoch_end)


def quality(name: str, tasks: dict[str, object], args: argparse.Namespace) -> tuple[float, int, float]:
    learner = make_learner(name, args.max_epochs, args.batch_size, args.seed, device=args.device,
                           patience=args.patience, measures_valid=jt.msr("regr.rmse"), restore_best_weights=True)
    learner.callbacks.append(time_budget_callback(args.time_budget))
    learner.validate = "predefined"
    train = tasks["train"].clone()
    train.internal_valid_task = tasks["valid"]
    start = time.perf_counter()
    learner.train(train)
    seconds = time.perf_counter() - start
    rmse = learner.predict(tasks["test"]).score(jt.msr("regr.rmse")) / 1e5
    return rmse, learner.model.epochs, seconds


def hand_loop(network: torch.nn.Module, inputs: dict[str, torch.Tensor], y: torch.Tensor, epochs: int,
              batch_size: int, opt: dict[str, float], seed: int) -> float:
    torch.manual_seed(seed)
    optimizer = torch.optim.AdamW(network.parameters(), fused=True, **opt)
    n = len(y)
    start = time.perf_counter()
    network.train()
    for _ in range(epochs):
        order = torch.randperm(n)
        for i in range(0, n, batch_size):
            index = order[i:i + batch_size]
            batch = [v[index] for v in inputs.values()]
            out = network(*batch) if len(batch) == 1 else network(**dict(zip(inputs, batch)))
            target = y[index]
            if out.dim() == 3:   # TabM: every member against the target
                target = target.unsqueeze(1).expand_as(out)
            loss = torch.nn.functional.mse_loss(out, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return (time.perf_counter() - start) / epochs


def epoch_times(name: str, tasks: dict[str, object], args: argparse.Namespace) -> tuple[float, float]:
    task = tasks["train"]
    ours, hand = [], []
    inputs = y = None
    for _ in range(args.repeats):
        learner = make_learner(name, args.timing_epochs, args.batch_size, args.seed)
        start = time.perf_counter()
        learner.train(task)
        ours.append((time.perf_counter() - start) / args.timing_epochs)
        if inputs is None:
            tokens = learner.model.ingress_tokens
            frame = task.data(cols=task.feature_names)
            inputs = {k: tok.get(frame[tok.features]) for k, tok in tokens.items()}
            truth = torch.tensor(task.truth().to_numpy(dtype=np.float32)).reshape(-1, 1)
            y = (truth - truth.mean()) / truth.std(unbiased=False)
        torch.manual_seed(args.seed)   # a fresh network of the same class and size (without the scale_target output scaling)
        own = learner._split_values(learner.param_set.values)[0]
        network = learner._network_from_tokens(task, own, learner.model.ingress_tokens)
        hand.append(hand_loop(network, inputs, y, args.timing_epochs, args.batch_size, CONFIGS[name]["opt"],
                              args.seed))
    return min(ours), min(hand)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(CONFIGS), choices=list(CONFIGS))
    parser.add_argument("--features", choices=["paper", "raw"], default="paper")
    parser.add_argument("--max-epochs", type=int, default=200)
    parser.add_argument("--patience", type=int, default=16)
    parser.add_argument("--time-budget", type=float, default=3600.0, help="CPU seconds of training per model")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--timing-epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default="cpu",
                        help="where the quality runs train (e.g. cuda); the epoch-time comparison stays on the CPU")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--skip-quality", action="store_true", help="only the epoch times")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from jupytorch.core.progress import set_progress_view

    set_progress_view("none")

    frame = load_frame(args.features)
    parts = split(len(frame), args.seed)
    frames = preprocess(frame, parts, args.seed)
    tasks = {name: jt.as_task_regr(f, target="median_house_value", id=f"california_{name}")
             for name, f in zip(("train", "valid", "test"), frames)}
    print(f"California Housing: {[len(p) for p in parts]} rows (train/valid/test), features={args.features}, "
          f"max_epochs={args.max_epochs}, patience={args.patience}, time_budget={args.time_budget:g}s, "
          f"batch_size={args.batch_size}, threads={args.threads}, torch {torch.__version__}")
    header = "| model | test RMSE (x $100k) | paper | epochs run | train s | s/epoch jupytorch | s/epoch hand loop | ratio |"
    print(header)
    print("|" + "---|" * 8)
    for name in args.models:
        rmse, epochs, seconds = (float("nan"), 0, float("nan")) if args.skip_quality else quality(name, tasks, args)
        if args.skip_timing:
            ours = hand = float("nan")
        else:
            ours, hand = epoch_times(name, tasks, args)
        print(f"| {name} | {rmse:.3f} | {PAPER[name]:.3f} | {epochs} | {seconds:.0f} | {ours:.3f} | {hand:.3f} | "
              f"{ours / hand:.2f}x |", flush=True)
    print(f"(XGBoost in the paper: {XGBOOST})")


if __name__ == "__main__":
    main()
