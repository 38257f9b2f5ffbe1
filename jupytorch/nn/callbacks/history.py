"""``t_clbk("history")``: the scores of each evaluated epoch as a DataFrame."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackHistory"]


class CallbackHistory(Callback):
    """Record per-epoch rows: ``epoch``, ``train_loss``, ``valid_loss``, ``train.<measure>``, ``valid.<measure>``.

    A row is recorded at the end of each evaluated epoch (every ``eval_freq`` epochs and the
    last one). After training, ``learner.model.callbacks["history"]`` is the DataFrame.

    Examples
    --------
    >>> import jupytorch as jt
    >>> history = jt.t_clbk("history")
    >>> history.record({"epoch": 1, "train.classif.ce": 0.25})
    >>> history.state_dict()
       epoch  train.classif.ce
    0      1              0.25
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def on_epoch_end(self) -> None:
        ctx = self.ctx
        if ctx.last_scores_train is None and ctx.last_scores_valid is None:
            return
        row: dict[str, Any] = {"epoch": ctx.epoch, "train_loss": ctx.epoch_loss}
        if ctx.last_scores_valid is not None:
            row["valid_loss"] = ctx.valid_loss
        row.update({f"train.{k}": v for k, v in (ctx.last_scores_train or {}).items()})
        row.update({f"valid.{k}": v for k, v in (ctx.last_scores_valid or {}).items()})
        self.record(row)

    def record(self, row: dict[str, Any]) -> None:
        """Append one row (a dict column -> value)."""
        self.rows.append(dict(row))

    def state_dict(self) -> pd.DataFrame:
        """The rows so far as a DataFrame."""
        frame = pd.DataFrame(self.rows)
        if "epoch" in frame:
            frame["epoch"] = frame["epoch"].astype(int)
        return frame

    def load_state_dict(self, state: Any) -> None:
        if state is None:
            self.rows = []
            return
        frame = state if isinstance(state, pd.DataFrame) else pd.DataFrame(state)
        self.rows = [{k: v for k, v in row.items() if not _missing(v)} for row in frame.to_dict("records")]


def _missing(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
