"""Progress events for the tests of ``jupytorch.core.progress`` and of the views that show them.

:func:`ev` writes an event as ``jupytorch.core.progress`` emits it, :class:`Recorder` is a listener
(or view) that keeps every event it gets, and :class:`Clock` is a clock the test moves by hand.

The module lives on ``sys.path`` (``tests/conftest.py`` puts this folder there), so tests import
it by name: ``from progress_events import Clock, Recorder, ev``.
"""

from __future__ import annotations

from typing import Any


def ev(level: str, stage: str, total: int | None = None, completed: int = 0, **info: Any) -> dict[str, Any]:
    """A progress event as ``jupytorch.core.progress`` emits it."""
    return {"level": level, "stage": stage, "total": total, "completed": completed, "info": info}


class Clock:
    """A clock the test moves by hand (``clock.t += 0.5``); widgets and progress states take it as ``clock``."""

    def __init__(self, t: float = 0.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


class Recorder:
    """A progress listener that keeps every event; as a view, it notes that it was closed."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.closed = False

    def on_event(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def of(self, level: str) -> list[dict[str, Any]]:
        """The events of ``level``, in order."""
        return [e for e in self.events if e["level"] == level]

    def close(self) -> None:
        self.closed = True
