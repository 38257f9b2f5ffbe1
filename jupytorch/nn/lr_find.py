"""``lr_find``: the learning-rate range test (Smith 2017; as in fastai and Lightning).

A copy of the learner trains with a learning rate that rises exponentially from ``start_lr`` to
``end_lr``, one step per batch; the smoothed training loss is recorded at each step and the run
stops when the loss diverges (it exceeds ``diverge`` times its best value, or is not finite).
Two suggestions come from the curve: **valley**, two thirds of the way down the descent that
ends at the minimum of the smoothed loss, and **steep**, where the smoothed loss falls fastest
per decade of learning rate within that descent. The user's learner is not
trained or changed. ``jt.autoplot(result)`` draws the curve with the suggestions marked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.callbacks.base import Callback

__all__ = ["LRFindResult", "lr_find", "suggest_rates"]


class _LRRange(Callback):
    """Sets an exponentially rising learning rate before each batch and records the loss after it."""

    id = "lr_range_test"
    weight = -1000.0

    def __init__(self, start_lr: float = 1e-7, end_lr: float = 10.0, num_steps: int = 100, smooth: float = 0.98,
                 diverge: float = 4.0):
        self.start_lr, self.end_lr, self.num_steps = start_lr, end_lr, num_steps
        self.smooth, self.diverge = smooth, diverge

    def on_begin(self) -> None:
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self._avg = 0.0
        self._best = math.inf

    def on_batch_begin(self) -> None:
        i = len(self.lrs)
        lr = self.start_lr * (self.end_lr / self.start_lr) ** (i / max(1, self.num_steps - 1))
        for group in self.ctx.optimizer.param_groups:
            group["lr"] = lr
        self.lrs.append(lr)

    def on_batch_end(self) -> None:
        loss = float(self.ctx.last_loss.detach())
        self.losses.append(loss)
        n = len(self.losses)
        self._avg = self.smooth * self._avg + (1 - self.smooth) * loss
        smoothed = self._avg / (1 - self.smooth**n)  # bias-corrected moving average
        self.smoothed.append(smoothed)
        if math.isfinite(smoothed):
            self._best = min(self._best, smoothed)
        if not math.isfinite(smoothed) or smoothed > self.diverge * self._best or n >= self.num_steps:
            self.ctx.terminate = True

    def state_dict(self) -> dict[str, Any]:
        return {"lr": list(self.lrs[: len(self.losses)]), "loss": list(self.losses), "smoothed": list(self.smoothed)}


def suggest_rates(lr: Any, smoothed: Any, skip_start: int = 5, skip_end: int = 3) -> dict[str, float | None]:
    """The steepest-descent and valley learning rates of a range-test curve (None when too short).

    Examples
    --------
    >>> lr = np.logspace(-5, 0, 60)
    >>> loss = 1.0 + np.tanh(-3 * (np.log10(lr) + 2.5)) + (lr > 0.3) * 5
    >>> rates = suggest_rates(lr, loss)
    >>> 1e-3 < rates["steep"] < 1e-2, 1e-3 < rates["valley"] < 0.3
    (True, True)
    """
    lr, smoothed = np.asarray(lr, dtype=float), np.asarray(smoothed, dtype=float)
    n = min(len(lr), len(smoothed))
    lr, smoothed = lr[:n], smoothed[:n]
    finite = np.isfinite(smoothed)
    end = n - skip_end if n - skip_end > skip_start + 2 else n
    skip_start = max(skip_start, n // 10)  # the first steps barely train and are noisy
    window = np.arange(min(skip_start, max(0, n - 3)), end)
    window = window[finite[window]]
    if len(window) < 3:
        return {"steep": None, "valley": None}
    i_min = int(window[int(np.argmin(smoothed[window]))])
    start = i_min
    while start - 1 >= window[0] and smoothed[start - 1] >= smoothed[start]:
        start -= 1
    valley = float(lr[start + (i_min - start) * 2 // 3])
    # the steepest fall within that descent (on the whole window when the descent is too short)
    part = np.arange(start, i_min + 1) if i_min - start >= 2 else window
    slopes = np.gradient(smoothed[part], np.log10(lr[part]))
    steep = float(lr[part[int(np.argmin(slopes))]])
    return {"steep": steep, "valley": valley}


@dataclass
class LRFindResult:
    """The curve of a learning-rate range test and the rates it suggests.

    Attributes
    ----------
    lr, loss, smoothed : numpy.ndarray
        Learning rate, raw and smoothed training loss at each step.
    suggestions : dict
        ``{"steep": lr, "valley": lr}``; ``suggestion`` is the valley.
    learner_id : str
    stopped_early : bool
        Whether the loss diverged before ``end_lr`` was reached.
    """

    lr: np.ndarray
    loss: np.ndarray
    smoothed: np.ndarray
    suggestions: dict[str, float | None] = field(default_factory=dict)
    learner_id: str = ""
    stopped_early: bool = False

    @property
    def suggestion(self) -> float | None:
        """The suggested learning rate (the valley; the steepest point when there is no valley)."""
        return self.suggestions.get("valley") or self.suggestions.get("steep")

    def as_frame(self) -> pd.DataFrame:
        """The curve as a DataFrame: step, lr, loss, smoothed."""
        return pd.DataFrame({"step": np.arange(1, len(self.lr) + 1), "lr": self.lr, "loss": self.loss,
                             "smoothed": self.smoothed})

    def __repr__(self) -> str:
        rates = ", ".join(f"{k} {v:.3g}" for k, v in self.suggestions.items() if v is not None) or "none"
        return (f"<LRFindResult {self.learner_id}: {len(self.lr)} steps, lr {self.lr[0]:.3g} .. {self.lr[-1]:.3g}"
                f"{' (diverged)' if self.stopped_early else ''}; suggested: {rates}>")


def _torch_learner(learner: Any) -> Any:
    from jupytorch.nn.learner_torch import LearnerTorch
    from jupytorch.pipelines.graph_learner import GraphLearner

    inner = learner.base_learner() if isinstance(learner, GraphLearner) else learner
    if not isinstance(inner, LearnerTorch):
        raise InvalidParameterError(
            f"lr_find: learner {learner.id!r} is not a torch learner (a {type(inner).__name__}); give a torch "
            "learner such as lrn('classif.mlp') or a GraphLearner ending in one."
        )
    return inner


def lr_find(learner: Any, task: Any, *, start_lr: float = 1e-7, end_lr: float = 10.0, num_steps: int = 100,
            smooth: float = 0.98, diverge: float = 4.0) -> LRFindResult:
    """Run a learning-rate range test on a copy of ``learner`` (the learner itself is not changed).

    Parameters
    ----------
    learner : LearnerTorch or GraphLearner ending in one
        Its optimizer, batch size, device and seed are used; epochs are set so that ``num_steps``
        batches run.
    task : Task
        The training data.
    start_lr, end_lr : float
        The range of learning rates (rising exponentially, one step per batch).
    num_steps : int
        Batches to run at most.
    smooth : float
        Weight of the exponential moving average of the loss (0: no smoothing).
    diverge : float
        Stop when the smoothed loss exceeds this multiple of its minimum.

    Returns
    -------
    LRFindResult

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("classif.mlp", neurons=(16,), batch_size=16, epochs=5, seed=1)
    >>> result = jt.lr_find(learner, jt.tsk("iris"), num_steps=40)
    >>> len(result.lr) <= 40, result.suggestion is not None, learner.state is None
    (True, True, True)
    """
    if not 0 < start_lr < end_lr:
        raise InvalidParameterError(f"lr_find: need 0 < start_lr < end_lr, got start_lr={start_lr!r}, end_lr={end_lr!r}.")
    if int(num_steps) < 5:
        raise InvalidParameterError(f"lr_find: num_steps must be at least 5, got {num_steps!r}.")
    if not 0 <= smooth < 1 or diverge <= 1:
        raise InvalidParameterError(f"lr_find: need 0 <= smooth < 1 and diverge > 1, got smooth={smooth!r}, diverge={diverge!r}.")
    _torch_learner(learner)  # fail early, before copying
    copy = learner.clone(deep=True)
    inner = _torch_learner(copy)
    values = inner.param_set.values
    if "batch_size" not in values:  # required, without a default: training would refuse too
        raise InvalidParameterError(f"lr_find: learner {learner.id!r} has no batch_size; set it, e.g. batch_size=32.")
    batch_size = int(values["batch_size"])
    n_batches = max(1, math.ceil(task.nrow / batch_size))
    probe = _LRRange(start_lr, end_lr, int(num_steps), smooth, diverge)
    inner.callbacks = [cb for cb in inner.callbacks if cb.id != probe.id] + [probe]
    # one process even for a ddp learner: the probe sets the learning rate and stops within an epoch
    extra = {"epochs": math.ceil(int(num_steps) / n_batches), "patience": 0, "strategy": None}
    inner.param_set.set_values(**{k: v for k, v in extra.items() if k in inner.param_set.ids()})
    copy.train(task)
    curve = _torch_learner(copy).model.callbacks[probe.id]
    lr, loss, smoothed = (np.asarray(curve[k], dtype=float) for k in ("lr", "loss", "smoothed"))
    return LRFindResult(lr, loss, smoothed, suggest_rates(lr, smoothed), learner.id,
                        stopped_early=len(lr) < int(num_steps))
