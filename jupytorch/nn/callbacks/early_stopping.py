"""Early stopping: added by the learner when ``patience > 0`` (reserved id ``early_stopping``)."""

from __future__ import annotations

import math
from typing import Any

from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackEarlyStopping"]


class CallbackEarlyStopping(Callback):
    """Stop when the first validation measure has not improved for ``patience`` evaluations.

    Improvement means better than the best score so far by more than ``min_delta`` (in the
    measure's direction). NaN scores count as no improvement. With ``restore_best_weights`` the
    network ends with the weights of the best epoch. The best epoch becomes the learner's
    ``internal_tuned_values["epochs"]``.

    Parameters
    ----------
    patience : int
    min_delta : float
    restore_best_weights : bool
    """

    weight = 1000.0

    def __init__(self, patience: int = 1, min_delta: float = 0.0, restore_best_weights: bool = False):
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights
        self.best_score: float | None = None
        self.best_epoch: int | None = None
        self.best_scores: dict[str, float] | None = None
        self.stagnation = 0
        self._best_state: dict[str, Any] | None = None

    def on_begin(self) -> None:
        measure = self.ctx.measures_valid[0]
        self._key = measure.id
        self._minimize = measure.minimize is not False

    def on_valid_end(self) -> None:
        ctx = self.ctx
        score = (ctx.last_scores_valid or {}).get(self._key, math.nan)
        score = math.nan if score is None else float(score)
        if self._improved(score):
            self.best_score, self.best_epoch, self.stagnation = score, ctx.epoch, 0
            self.best_scores = dict(ctx.last_scores_valid)
            if self.restore_best_weights:
                self._best_state = {k: v.detach().clone() for k, v in ctx.network.state_dict().items()}
        else:
            self.stagnation += 1
            if self.stagnation >= self.patience:
                ctx.terminate = True

    def _improved(self, score: float) -> bool:
        if math.isnan(score):
            return False
        if self.best_score is None:
            return True
        gain = (self.best_score - score) if self._minimize else (score - self.best_score)
        return gain > self.min_delta

    def on_end(self) -> None:
        if self.restore_best_weights and self._best_state is not None:
            self.ctx.network.load_state_dict(self._best_state)
            self._best_state = None  # restored: no need to keep a second copy in the model

    def state_dict(self) -> dict[str, Any]:
        return {"best_score": self.best_score, "best_epoch": self.best_epoch, "stagnation": self.stagnation,
                "best_scores": self.best_scores, "best_state": self._best_state}

    def load_state_dict(self, state: Any) -> None:
        if not state:
            return
        self.best_score = state.get("best_score")
        self.best_epoch = state.get("best_epoch")
        self.stagnation = state.get("stagnation", 0)
        self.best_scores = state.get("best_scores")
        self._best_state = state.get("best_state")
