"""Progress events: how long-running work (benchmark > resample > train > epoch > batch) reports.

Work emits plain-dict events; whichever views are listening render them (a text bar in scripts,
the TrainingMonitor widget in notebooks). An event is::

    {"level": "benchmark" | "resample" | "train" | "epoch" | "batch",
     "stage": "begin" | "advance" | "end",
     "total": int | None, "completed": int, "info": {...}}

Listeners are objects with ``on_event(event)`` and optionally ``should_stop() -> bool``; the
trainer asks ``should_stop()`` (cheaply, a few times a second) to end training cleanly after the
current batch when a user pressed Stop. Emitting with no listener costs one list check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, Protocol

__all__ = ["ProgressListener", "listen", "emit", "has_listeners", "should_stop", "active_listeners"]

LEVELS = ("benchmark", "resample", "train", "epoch", "batch")
STAGES = ("begin", "advance", "end")

_listeners: list[Any] = []


class ProgressListener(Protocol):
    """What a progress view implements."""

    def on_event(self, event: dict[str, Any]) -> None:
        """Handle one event."""


@contextlib.contextmanager
def listen(listener: Any) -> Iterator[Any]:
    """Register ``listener`` for the duration of a ``with`` block.

    Examples
    --------
    >>> class Recorder:
    ...     def __init__(self):
    ...         self.events = []
    ...     def on_event(self, event):
    ...         self.events.append(event)
    >>> rec = Recorder()
    >>> with listen(rec):
    ...     emit("train", "begin", total=3)
    >>> rec.events[0]["level"], rec.events[0]["total"]
    ('train', 3)
    """
    _listeners.append(listener)
    try:
        yield listener
    finally:
        _listeners.remove(listener)


def has_listeners() -> bool:
    """Whether anything is listening (callers skip building events when not)."""
    return bool(_listeners)


def active_listeners() -> list[Any]:
    """The listeners now registered, outermost first."""
    return list(_listeners)


def emit(level: str, stage: str, total: int | None = None, completed: int = 0, **info: Any) -> None:
    """Send an event to every listener."""
    if not _listeners:
        return
    event = {"level": level, "stage": stage, "total": total, "completed": completed, "info": info}
    for listener in list(_listeners):
        listener.on_event(event)


def should_stop() -> bool:
    """Whether any listener asks running work to stop (a Stop button was pressed)."""
    return any(getattr(listener, "should_stop", _never)() for listener in _listeners)


def _never() -> bool:
    return False
