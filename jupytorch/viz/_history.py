"""The figure of a training history: train and validation curves of each measure over the epochs.

A history is the DataFrame that the ``history`` callback records (``epoch``, ``train_loss``,
``train.<measure>``, ``valid.<measure>``); the loss is shown as the measure ``loss``. It is found
in a trained torch learner (``learner.model.callbacks["history"]``), in a trained GraphLearner
(the state of its torch model PipeOp), or given directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError, did_you_mean
from jupytorch.viz._common import color, facet_cell, facet_figure, graph_objects

if TYPE_CHECKING:
    from plotly.graph_objects import Figure

__all__ = ["HistoryCurve", "HistoryInfo", "find_history", "_get_history_info", "_build_history_figure"]

SPLITS = ("train", "valid")
LOSS = "loss"  # the training loss, recorded as ``train_loss`` (``valid_loss`` where present)
_MAX_DEPTH = 8


class HistoryCurve(NamedTuple):
    """The values of one measure on one split (``train`` or ``valid``) at the epochs where it was recorded."""

    measure: str
    split: str
    epochs: np.ndarray
    values: np.ndarray


class HistoryInfo(NamedTuple):
    """The curves of a history, grouped by measure (one panel each)."""

    measures: tuple[str, ...]
    curves: tuple[HistoryCurve, ...]
    n_epochs: int
    source: str


def is_history(value: Any) -> bool:
    """Whether ``value`` looks like a recorded history (a DataFrame with an ``epoch`` column)."""
    return isinstance(value, pd.DataFrame) and "epoch" in value.columns


def find_history(obj: Any) -> tuple[pd.DataFrame, str] | None:
    """Find the history DataFrame in a trained learner (or its model); returns it with where it was found.

    Looks at ``callbacks["history"]`` of the model, walking through a GraphLearner's PipeOp states
    and learner PipeOps. Returns None when there is none.
    """
    return _search(obj, "", 0, set())


def _search(obj: Any, path: str, depth: int, seen: set[int]) -> tuple[pd.DataFrame, str] | None:
    from jupytorch.core.learner import Learner

    if depth > _MAX_DEPTH or id(obj) in seen or obj is None:
        return None
    seen.add(id(obj))
    if is_history(obj):
        return obj, path
    children: list[tuple[str, Any]] = []
    if isinstance(obj, Learner):
        children.append((obj.id, (obj.state or {}).get("model")))
    elif isinstance(obj, Mapping):
        if "history" in obj:
            found = _as_history(obj["history"])
            if found is not None:
                return found, path
        children.extend((str(key), value) for key, value in obj.items())
    elif isinstance(obj, (list, tuple)):
        children.extend((str(i), value) for i, value in enumerate(obj))
    else:  # a model object (``.callbacks``) or a PipeOp state that holds a learner or model
        for attribute in ("callbacks", "model", "learner"):
            if callable(getattr(type(obj), attribute, None)):
                continue  # a method, not a held object
            try:
                value = getattr(obj, attribute, None)
            except Exception:  # noqa: BLE001 - a property that cannot answer holds no history
                continue
            if value is not None:
                children.append((path, value))
    for name, child in children:
        found = _search(child, name or path, depth + 1, seen)
        if found is not None:
            return found
    return None


def _as_history(value: Any) -> pd.DataFrame | None:
    if is_history(value):
        return value
    for attribute in ("history", "data"):  # a callback object that holds its table
        inner = getattr(value, attribute, None)
        if is_history(inner):
            return inner
    return None


def _column(split: str, measure: str) -> str:
    return f"{split}_loss" if measure == LOSS else f"{split}.{measure}"


def history_measures(history: pd.DataFrame) -> list[str]:
    """The measures of a history: ``loss`` first (``train_loss``), then the measure ids in column order
    (``train.classif.ce`` -> ``classif.ce``).
    """
    out: dict[str, None] = {}
    if any(_column(split, LOSS) in history.columns for split in SPLITS):
        out[LOSS] = None
    for column in history.columns:
        split, dot, measure = str(column).partition(".")
        if dot and split in SPLITS and measure:
            out[measure] = None
    return list(out)


def _selected(measure: Any, available: list[str], source: str) -> list[str]:
    if measure is None:
        return available
    items = measure if isinstance(measure, (list, tuple)) else [measure]
    wanted = []
    for item in items:
        key = item if isinstance(item, str) else getattr(item, "id", None)
        if key not in available:
            raise InvalidParameterError(
                f"autoplot({source}, type='history'): measure {key!r} is not in the history; it holds "
                f"{available}.{did_you_mean(str(key), available)}"
            )
        wanted.append(key)
    return wanted


def _get_history_info(obj: Any, measure: Any = None) -> HistoryInfo:
    """Extract the train/valid curves of a history DataFrame, or of the history in a trained learner.

    ``measure`` (an id such as ``"loss"`` or ``"classif.ce"``, a Measure, or a list of them) selects
    measures; default: all in the history, the training loss first.

    Examples
    --------
    >>> import pandas as pd
    >>> history = pd.DataFrame({"epoch": [1, 2], "train.regr.mse": [4.0, 2.0], "valid.regr.mse": [5.0, 3.0]})
    >>> [(c.split, c.values.tolist()) for c in _get_history_info(history).curves]
    [('train', [4.0, 2.0]), ('valid', [5.0, 3.0])]
    """
    source = type(obj).__name__
    if isinstance(obj, pd.DataFrame):
        if "epoch" not in obj.columns:
            raise InvalidParameterError(
                f"autoplot(DataFrame, type='history'): a history needs an 'epoch' column; got columns {list(obj.columns)[:10]}."
            )
        history, where = obj, "history"
    else:
        history, where = _history_of(obj, source)
    available = history_measures(history)
    if not available:
        raise InvalidParameterError(
            f"autoplot({source}, type='history'): the history records no measures (columns {list(history.columns)[:10]}); "
            "set measures_train / measures_valid on the learner, e.g. measures_train=msr('classif.logloss')."
        )
    measures = _selected(measure, available, source)
    epochs = pd.to_numeric(history["epoch"], errors="coerce").to_numpy(dtype=float)
    curves = []
    for m in measures:
        for split in SPLITS:
            column = _column(split, m)
            if column not in history.columns:
                continue
            values = pd.to_numeric(history[column], errors="coerce").to_numpy(dtype=float)
            keep = ~np.isnan(values) & ~np.isnan(epochs)
            curves.append(HistoryCurve(m, split, epochs[keep], values[keep]))
    return HistoryInfo(tuple(measures), tuple(curves), int(len(history)), where)


def _history_of(obj: Any, source: str) -> tuple[pd.DataFrame, str]:
    from jupytorch.core.learner import Learner

    if isinstance(obj, Learner) and obj.state is None:
        raise NotTrainedError(
            f"autoplot({source}, type='history'): learner {obj.id!r} has not been trained yet; train it first."
        )
    found = find_history(obj)
    if found is None:
        who = f"learner {obj.id!r}" if isinstance(obj, Learner) else f"this {source}"
        raise InvalidParameterError(
            f"autoplot({source}, type='history'): {who} holds no training history. Torch learners record one with "
            "callbacks=t_clbk('history'); the history DataFrame itself can be plotted too."
        )
    history, path = found
    return history, path or "history"


def _build_history_figure(info: HistoryInfo) -> Figure:
    """One panel per measure with a line for the training and one for the validation values."""
    go = graph_objects()
    n = len(info.measures)
    figure = facet_figure(list(info.measures), shared_yaxes=False, horizontal_spacing=0.08)
    shown: set[str] = set()
    for k, m in enumerate(info.measures):
        row, col = facet_cell(k, n)
        for curve in (c for c in info.curves if c.measure == m):
            i = SPLITS.index(curve.split)
            figure.add_trace(
                go.Scatter(
                    x=curve.epochs, y=curve.values, mode="lines+markers" if len(curve.epochs) <= 50 else "lines",
                    name=curve.split, legendgroup=curve.split, showlegend=curve.split not in shown,
                    line={"color": color(i)},
                    hovertemplate="epoch %{x}<br>%{fullData.name}: %{y:.4g}<extra></extra>",
                ),
                row=row,
                col=col,
            )
            shown.add(curve.split)
        figure.update_xaxes(title_text="epoch", row=row, col=col)
        if n == 1:
            figure.update_yaxes(title_text=m, row=row, col=col)
    figure.update_layout(title={"text": f"Training history ({info.n_epochs} epochs)"})
    return figure
