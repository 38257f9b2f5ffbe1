"""Text progress bars (tqdm) for progress events, the view used in scripts and terminals.

Listens to the events of :mod:`jupytorch.core.progress` (benchmark > resample > train > epoch >
batch) and keeps one tqdm bar per open level: experiments, iterations, epochs and the batches of
the running epoch (removed when the epoch ends). The notebook has a widget for the same events
(``jupytorch.notebook.progress_bridge``). Ctrl-C is the way to stop in a terminal, so
``should_stop()`` is always False.

Scores of each finished epoch go above the bars as one line of a table (epoch, train and valid
measures, duration, wall-clock time, like the widget's per-epoch table); the epochs bar itself
shows only the last loss, so that it keeps its width in a 120-column terminal.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import IO, Any

from tqdm import tqdm

__all__ = ["TextProgress"]

_DESC = {"benchmark": "benchmark", "resample": "resample", "train": "epochs", "tune": "trials"}


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


class TextProgress:
    """A progress listener that draws tqdm bars on a text stream.

    Parameters
    ----------
    file : file-like, optional
        Where to draw (tqdm's default: standard error).
    mininterval : float, default 0.5
        Least seconds between two redraws of a bar (tqdm's own throttling).
    disable : bool, default False
        Draw nothing (events are still accepted).
    delay : float, default 0
        Seconds a bar waits before it first appears (tqdm's ``delay``): work that ends sooner
        draws nothing. Automatic views in a terminal use this so quick work stays quiet.
    ncols : int, optional
        Width of a bar line in characters (default: the terminal's, followed as it changes).

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> view = TextProgress(file=out, mininterval=0)
    >>> view.on_event({"level": "train", "stage": "begin", "total": 2, "completed": 0, "info": {}})
    >>> view.on_event({"level": "epoch", "stage": "end", "total": 4, "completed": 4,
    ...                "info": {"epoch": 1, "train": {"loss": 0.25}}})
    >>> view.on_event({"level": "train", "stage": "end", "total": 2, "completed": 1, "info": {}})
    >>> "epochs" in out.getvalue() and "loss=0.25" in out.getvalue()
    True
    """

    def __init__(self, file: IO[str] | None = None, mininterval: float = 0.5, disable: bool = False,
                 delay: float = 0.0, ncols: int | None = None):
        self.file = file
        self.mininterval = mininterval
        self.disable = disable
        self.delay = delay
        self.ncols = ncols
        self.bars: dict[str, tqdm] = {}
        self._columns: list[str] | None = None  # the per-epoch table's measure columns (header written once per run)
        self._epoch_started = 0.0
        self._train_started = 0.0

    def _open(self, level: str, total: Any, desc: str, leave: bool) -> tqdm:
        self._close(level)
        bar = tqdm(
            total=total, desc=desc, file=self.file, mininterval=self.mininterval, leave=leave,
            disable=self.disable, delay=self.delay, dynamic_ncols=self.ncols is None, ncols=self.ncols, unit="batch" if level == "epoch" else "it",
        )
        self.bars[level] = bar
        return bar

    def _close(self, level: str) -> None:
        bar = self.bars.pop(level, None)
        if bar is not None:
            bar.close()

    def on_event(self, event: Mapping[str, Any]) -> None:
        """Draw one event."""
        level, stage = str(event.get("level", "")), event.get("stage")
        info = event.get("info") or {}
        total, completed = event.get("total"), int(event.get("completed") or 0)
        if level == "batch":
            level, stage = "epoch", "advance"
        if stage == "begin":
            if level == "train":
                self._columns, self._train_started = None, time.monotonic()
            if level == "epoch":
                self._epoch_started = time.monotonic()
                desc = f"epoch {info['epoch']}" if "epoch" in info else "epoch"
                self._open("epoch", total, desc, leave=False)
            else:
                ids = " ".join(str(info[k]) for k in ("learner_id", "task_id") if k in info)
                self._open(level, total, f"{_DESC.get(level, level)} {ids}".strip(), leave=True)
            return
        bar = self.bars.get(level)
        if stage == "advance":
            if bar is not None:
                if total is not None and bar.total != total:
                    bar.total = total
                bar.update(completed - bar.n)
                if "loss" in info:
                    bar.set_postfix(loss=_short(info["loss"]), refresh=False)
                if info.get("best") is not None:  # tuning: the best score so far
                    bar.set_postfix(best=_short(info["best"]), refresh=False)
            return
        # stage == "end"
        if level == "epoch":
            self._close("epoch")
            epochs = self.bars.get("train")
            if epochs is not None:
                scores = {f"{split}.{name}": _short(value)
                          for split in ("train", "valid") for name, value in (info.get(split) or {}).items()}
                epoch = int(info.get("epoch", epochs.n + 1))
                epochs.update(max(0, epoch - epochs.n))
                loss = scores.get("train.loss", scores.get("valid.loss"))
                if loss is not None:
                    epochs.set_postfix(loss=loss, refresh=False)
                self._table_row(epoch, scores)
                epochs.refresh()
            return
        if bar is not None:
            if level != "train" and completed > bar.n:
                bar.update(completed - bar.n)
            if info.get("stopped"):
                bar.set_postfix_str("stopped", refresh=False)
        self._close(level)
        if level == "train":
            self._close("epoch")
        parent = self.bars.get({"train": "resample", "resample": "benchmark"}.get(level, ""))
        if parent is not None and (parent.total is None or parent.n < parent.total):
            parent.update(1)  # one iteration (or experiment) done, unless an advance event said so

    def _table_row(self, epoch: int, scores: dict[str, str]) -> None:
        """Write one line of the per-epoch table above the bars (with a header before the first)."""
        if self.disable or time.monotonic() - self._train_started < self.delay:
            return  # quick work stays quiet, as its bars do
        if self._columns is None:
            self._columns = list(scores)
            header = ["epoch", *self._columns, "duration", "time"]
            tqdm.write("  ".join(f"{h:>{max(8, len(h))}}" for h in header), file=self.file)
        seconds = time.monotonic() - self._epoch_started
        cells = [str(epoch), *(scores.get(c, "-") for c in self._columns), f"{seconds:.1f}s", time.strftime("%H:%M:%S")]
        widths = [max(8, len(h)) for h in ["epoch", *self._columns, "duration", "time"]]
        tqdm.write("  ".join(f"{c:>{w}}" for c, w in zip(cells, widths)), file=self.file)

    def should_stop(self) -> bool:
        """Return False: in a terminal, Ctrl-C stops."""
        return False

    def close(self) -> None:
        """Close every open bar."""
        for level in list(self.bars):
            self._close(level)
