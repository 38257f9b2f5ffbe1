"""Folds progress events into what the TrainingMonitor shows: bars, throughput, ETA, curves, device.

Pure Python with an injectable clock, so the throttling and the arithmetic are tested without a
widget or real time. Events follow ``jupytorch.core.progress`` (``{"level", "stage", "total",
"completed", "info"}``); the ``info`` keys read here are listed in ``progress_bridge``'s docstring.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["ProgressState", "LEVELS", "STAGES"]

LEVELS = ("benchmark", "resample", "train", "epoch", "batch")
STAGES = ("begin", "advance", "end")
_BAR_LEVELS = ("benchmark", "resample", "train", "epoch")  # batch events move the epoch bar
_LABELS = {"benchmark": "Experiments", "resample": "Iterations", "train": "Epochs", "epoch": "Batches"}
_DEVICE_KEYS = ("type", "name", "memory_used", "memory_peak", "memory_total", "utilization")


def _number(value: Any) -> float | None:
    """Return ``value`` as a finite float, or None (NaN, strings, missing)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy and torch scalars
        except (TypeError, ValueError):
            return None
    value = float(value)
    return value if math.isfinite(value) else None


def _scores(values: Any) -> dict[str, float | None]:
    if not isinstance(values, Mapping):
        return {}
    return {str(name): _number(value) for name, value in values.items()}


@dataclass
class _Level:
    level: str
    total: int | None
    completed: int
    started: float
    ended: float | None = None
    info: dict[str, Any] = field(default_factory=dict)
    finished_children: int = 0
    last_child_ended: float = 0.0


class ProgressState:
    """The state of one monitored run (one outermost begin ... end).

    Parameters
    ----------
    clock : callable, default time.monotonic
        Returns seconds; tests pass a fake.

    Examples
    --------
    >>> t = [0.0]
    >>> state = ProgressState(clock=lambda: t[0])
    >>> state.apply({"level": "train", "stage": "begin", "total": 2, "completed": 0, "info": {}})
    True
    >>> t[0] = 1.0
    >>> state.apply({"level": "batch", "stage": "advance", "total": 10, "completed": 5, "info": {"loss": 0.5}})
    False
    >>> [(b["label"], b["completed"], b["total"]) for b in state.snapshot()["bars"]]
    [('Epochs', 0, 2), ('Batches (epoch 1)', 5, 10)]
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._reset()

    def _reset(self) -> None:
        self.levels: dict[str, _Level] = {}
        self.outermost: str | None = None
        self.status = "idle"
        self.title = ""
        self.message = ""
        self.history: list[dict[str, Any]] = []
        self.scores: dict[int, dict[str, Any]] = {}  # benchmark experiments: learner, task, iterations, mean score
        self.device: dict[str, Any] = {key: ("" if key in ("type", "name") else None) for key in _DEVICE_KEYS}
        self.loss: float | None = None
        self.samples_per_s: float | None = None
        self.samples = 0
        self.stop_requested = False
        self.stopped = False
        self.started: float | None = None
        self.ended: float | None = None

    # -- events -------------------------------------------------------------------------------
    def apply(self, event: Mapping[str, Any]) -> bool:
        """Fold one event in; return True when it must be shown at once (begins, ends, epoch ends)."""
        level, stage = event.get("level"), event.get("stage")
        if level == "tune":  # trials are the tuning dashboard's; this monitor shows each trial's training
            return False
        if level not in LEVELS or stage not in STAGES:
            raise InvalidParameterError(
                f"Progress event {dict(event)!r}: 'level' must be one of {', '.join(LEVELS)} "
                f"and 'stage' one of {', '.join(STAGES)}."
            )
        info = event.get("info") or {}
        total = event.get("total")
        completed = int(event.get("completed") or 0)
        now = self.clock()
        if stage == "begin" and level != "batch" and self.outermost is None:
            self._reset()  # a new run starts from a clean slate
            self.outermost, self.status, self.started = level, "running", now
            self.title = str(info.get("title") or self._title(level, info))
        self._read_info(info)
        if level == "resample" and "experiment" in info and "score" in info:
            self._score_row(info, completed, total)
        if level == "batch":
            self._batch(total, completed, now)
            return False
        if stage == "begin":
            self._begin(level, total, completed, info, now)
            return level != "epoch"
        if stage == "advance":
            bar = self.levels.get(level)
            if bar is not None:
                bar.completed = completed
                bar.total = total if total is not None else bar.total
            return False
        self._end(level, total, completed, info, now)
        return True

    def _score_row(self, info: Mapping[str, Any], completed: int, total: Any) -> None:
        score = info.get("score")
        self.scores[int(info["experiment"])] = {
            "learner_id": str(info.get("learner_id", "")), "task_id": str(info.get("task_id", "")),
            "resampling_id": str(info.get("resampling_id", "")), "iterations": completed,
            "total": None if total is None else int(total),
            "score": _scores(score) if isinstance(score, Mapping) else {},
        }

    def _read_info(self, info: Mapping[str, Any]) -> None:
        if "loss" in info:
            self.loss = _number(info["loss"])
        if "samples_per_s" in info:
            self.samples_per_s = _number(info["samples_per_s"])
        device = info.get("device")
        if isinstance(device, Mapping):
            for key in _DEVICE_KEYS:
                if key in device:
                    value = device[key]
                    self.device[key] = str(value) if key in ("type", "name") else _number(value)
        elif isinstance(device, str):
            self.device["type"] = device
        if "samples" in info:
            self.samples = int(_number(info["samples"]) or 0)

    def _begin(self, level: str, total: Any, completed: int, info: Mapping[str, Any], now: float) -> None:
        if self.outermost == "benchmark" and level == "resample" and not self.stop_requested:
            self.message = f"Now: {self._title(level, info, verb=False)}"
        for deeper in _BAR_LEVELS[_BAR_LEVELS.index(level):]:
            self.levels.pop(deeper, None)
        if level == "train":
            self.history, self.loss, self.samples_per_s = [], None, None
        if level == "epoch":
            self.samples = 0
        self.levels[level] = _Level(level, None if total is None else int(total), completed, now, info=dict(info))

    def _batch(self, total: Any, completed: int, now: float) -> None:
        bar = self.levels.get("epoch")
        if bar is None or bar.ended is not None:  # a trainer that sends no epoch begin
            train = self.levels.get("train")
            epoch = (train.completed + 1) if train else 1
            bar = self.levels["epoch"] = _Level("epoch", None, 0, now, info={"epoch": epoch})
        bar.completed = completed
        if total is not None:
            bar.total = int(total)

    def _end(self, level: str, total: Any, completed: int, info: Mapping[str, Any], now: float) -> None:
        bar = self.levels.get(level)
        if bar is None:
            bar = self.levels[level] = _Level(level, None, 0, now)
        if total is not None:
            bar.total = int(total)
        bar.completed = max(bar.completed, completed)
        bar.ended = now
        parent = _BAR_LEVELS[_BAR_LEVELS.index(level) - 1] if level != "benchmark" else None
        if parent in self.levels:
            owner = self.levels[parent]
            owner.finished_children += 1
            owner.last_child_ended = now
            if level != "epoch":
                owner.completed = max(owner.completed, owner.finished_children)
        if level == "epoch":
            epoch = int(info.get("epoch", bar.info.get("epoch", len(self.history) + 1)))
            row = {"epoch": epoch, "train": _scores(info.get("train")), "valid": _scores(info.get("valid")),
                   "duration_s": now - bar.started, "time": time.time()}
            self.history.append(row)
            if "train" in self.levels:
                self.levels["train"].completed = max(self.levels["train"].completed, epoch)
        if info.get("stopped"):
            self.stopped = True
        if info.get("message"):
            self.message = str(info["message"])
        if level == self.outermost:
            self.ended = now
            if self.message.startswith("Now: "):
                self.message = ""  # what ran last is no news once the run is over
            if info.get("error"):
                self.status = "failed"
                self.message = self.message or str(info["error"])
            elif self.stopped or self.stop_requested:
                self.status = "stopped"
                if not info.get("message"):
                    self.message = self._stopped_message()
            else:
                self.status = "finished"
            self.outermost = None

    def _stopped_message(self) -> str:
        epoch = self.levels.get("epoch")
        where = ""
        if epoch is not None and "epoch" in epoch.info:
            where = f" in epoch {epoch.info['epoch']}, after batch {epoch.completed}"
            where += f" of {epoch.total}" if epoch.total else ""
        return f"Stopped on request{where}; the model and its history are kept."

    def request_stop(self) -> None:
        """Note that the user pressed Stop (the run ends after the current batch)."""
        self.stop_requested = True
        if self.status == "running":
            self.status = "stopping"
            self.message = "Stop requested: training ends after the current batch; the model and history are kept."

    # -- what the widget shows ----------------------------------------------------------------
    @staticmethod
    def _title(level: str, info: Mapping[str, Any], verb: bool = True) -> str:
        what = " on ".join(str(info[key]) for key in ("learner_id", "task_id") if key in info)
        if "resampling_id" in info:
            what = f"{what} ({info['resampling_id']})" if what else str(info["resampling_id"])
        names = {"benchmark": "Benchmark", "resample": "Resampling", "train": "Training", "epoch": "Epoch"}
        if not verb:
            return what or names[level]
        return f"{names[level]} {what}".strip()

    def _fraction(self, level: str) -> float | None:
        """Done share of ``level``, counting the running part of the level below it."""
        bar = self.levels.get(level)
        if bar is None or not bar.total:
            return None
        if bar.ended is not None:
            return 1.0
        done = float(bar.completed)
        below = _BAR_LEVELS[_BAR_LEVELS.index(level) + 1] if level != "epoch" else None
        child = self.levels.get(below) if below else None
        if child is not None and child.ended is None:
            done += self._fraction(below) or 0.0
        return min(1.0, done / bar.total)

    def _eta(self, level: str, now: float) -> float | None:
        bar = self.levels.get(level)
        fraction = self._fraction(level)
        if bar is None or fraction is None or bar.ended is not None or fraction <= 0:
            return None
        return (now - bar.started) * (1.0 - fraction) / fraction

    def snapshot(self) -> dict[str, Any]:
        """Return the widget's traits as plain data (new objects every call)."""
        now = self.clock() if self.ended is None else self.ended
        bars = []
        for level in _BAR_LEVELS:
            bar = self.levels.get(level)
            if bar is None:
                continue
            elapsed = (bar.ended if bar.ended is not None else now) - bar.started
            rate, unit = None, ""
            if level == "epoch" and bar.completed and elapsed > 0:
                rate, unit = bar.completed / elapsed, "batches/s"
            elif level != "epoch" and bar.finished_children:
                per_child = (bar.last_child_ended - bar.started) / bar.finished_children
                rate, unit = per_child, f"s/{'epoch' if level == 'train' else 'iter'}"
            label = _LABELS[level]
            if level == "epoch" and "epoch" in bar.info:
                label = f"Batches (epoch {bar.info['epoch']})"
            bars.append({
                "level": level, "label": label, "completed": bar.completed, "total": bar.total,
                "elapsed_s": elapsed, "eta_s": self._eta(level, now), "rate": rate, "rate_unit": unit,
            })
        samples_per_s = self.samples_per_s
        epoch = self.levels.get("epoch")
        if samples_per_s is None and self.samples and epoch is not None and now > epoch.started:
            samples_per_s = self.samples / (now - epoch.started)
        outer = next((level for level in _BAR_LEVELS if level in self.levels), None)
        return {
            "title": self.title,
            "status": self.status,
            "message": self.message,
            "bars": bars,
            "stats": {
                "loss": self.loss,
                "samples_per_s": samples_per_s,
                "elapsed_s": None if self.started is None else now - self.started,
                "eta_s": self._eta(outer, now) if outer else None,
            },
            "history": [dict(row, train=dict(row["train"]), valid=dict(row["valid"])) for row in self.history],
            "scores": [dict(self.scores[k], score=dict(self.scores[k]["score"])) for k in sorted(self.scores)],
            "device": dict(self.device),
        }
