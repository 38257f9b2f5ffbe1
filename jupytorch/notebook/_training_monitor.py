"""TrainingMonitor: live training progress in the notebook (front end: ``js/training_monitor.ts``).

It receives progress events (``handle(event)``), keeps their meaning in a ``ProgressState`` and
sends the result to the front end at most every ``interval`` seconds; begins and ends of runs,
trainings and epochs are always sent at once. The front end's Stop button sets
``stop_requested``; ``poll()`` lets a busy cell notice it (see ``progress_bridge``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import anywidget
import traitlets

from jupytorch.notebook._progress_state import ProgressState
from jupytorch.notebook._static import Bundle
from jupytorch.notebook._ui_poll import UiPoller

__all__ = ["TrainingMonitor", "STATUSES"]

STATUSES = ("idle", "running", "stopping", "stopped", "finished", "failed")


class TrainingMonitor(anywidget.AnyWidget):
    """Epoch and batch progress, throughput, ETA, device memory and live curves, with a Stop button.

    Training in a notebook shows one automatically; build one yourself to feed it events.

    Parameters
    ----------
    title : str, default ""
        Heading; by default taken from the first event ("Training classif.mlp on mnist").
    interval : float, default 0.2
        Least seconds between two updates sent to the front end (begins and ends are sent at once).
    poll_interval : float, default 0.1
        Least seconds between two looks for front-end messages in :meth:`poll`.
    clock : callable, default time.monotonic
        Returns seconds; tests pass a fake.

    Examples
    --------
    >>> monitor = TrainingMonitor()
    >>> monitor.handle({"level": "train", "stage": "begin", "total": 3, "completed": 0,
    ...                 "info": {"learner_id": "classif.mlp", "task_id": "iris"}})
    >>> monitor.title, monitor.status, monitor.bars[0]["total"]
    ('Training classif.mlp on iris', 'running', 3)
    """

    _esm = Bundle("training_monitor")

    title = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Enum(STATUSES, default_value="idle").tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    bars = traitlets.List(traitlets.Dict()).tag(sync=True)
    stats = traitlets.Dict().tag(sync=True)
    history = traitlets.List(traitlets.Dict()).tag(sync=True)
    scores = traitlets.List(traitlets.Dict()).tag(sync=True)
    device = traitlets.Dict().tag(sync=True)
    stop_requested = traitlets.Bool(False).tag(sync=True)

    def __init__(
        self,
        *,
        title: str = "",
        interval: float = 0.2,
        poll_interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        **kwargs: Any,
    ):
        self._state = ProgressState(clock=clock)
        self._clock = clock
        self._interval = interval
        self._last_sync = -float("inf")
        self._fixed_title = title
        self._poller = UiPoller(interval=poll_interval, clock=clock)
        self._held: dict[str, Any] | None = None  # batch events merged since the last update
        self._stop = False  # mirrors stop_requested (a plain attribute is read faster than a trait)
        self.n_syncs = 0  #: how many updates were sent (throttling is tested against it)
        super().__init__(**kwargs)
        self._sync(self._clock())

    # -- events in ------------------------------------------------------------------------------
    def handle(self, event: Mapping[str, Any]) -> None:
        """Take one progress event; send an update now if it matters or ``interval`` has passed.

        Batch events between two updates are only merged (the newest counts and ``info`` values
        win) and folded in when the next update is due or another event arrives, so a trainer
        that reports every batch pays about a microsecond per batch.
        """
        if event.get("level") == "batch" and self._state.outermost is not None:
            if self._clock() - self._last_sync < self._interval:
                self._hold(event)
                return
            event = self._with_held(event)
        elif self._held is not None:
            self._state.apply(self._with_held(None))
        starting = self._state.outermost is None
        urgent = self._state.apply(event)
        if starting and self._state.outermost is not None and self.stop_requested:
            self.stop_requested = False  # a new run on this monitor: the old Stop does not apply
        now = self._clock()
        if urgent or now - self._last_sync >= self._interval:
            self._sync(now)
        if self._state.outermost is None and self._state.status != "idle":
            self._poller.close()  # the run ended: stop handling messages from inside the cell

    def _hold(self, event: Mapping[str, Any]) -> None:
        held = self._held
        if held is None:
            self._held = {"level": "batch", "stage": "advance", "total": event.get("total"),
                          "completed": event.get("completed"), "info": dict(event.get("info") or {})}
        else:
            held["total"], held["completed"] = event.get("total"), event.get("completed")
            info = event.get("info")
            if info:
                held["info"].update(info)

    def _with_held(self, event: Mapping[str, Any] | None) -> Mapping[str, Any]:
        """``event`` with the info of the held batch events under it (or the held event alone)."""
        held, self._held = self._held, None
        if held is None:
            return event  # type: ignore[return-value]
        if event is None:
            return held
        held["info"].update(event.get("info") or {})
        return {**event, "info": held["info"]}

    def flush(self) -> None:
        """Send the current state to the front end now."""
        if self._held is not None:
            self._state.apply(self._with_held(None))
        self._sync(self._clock())

    def _sync(self, now: float) -> None:
        snapshot = self._state.snapshot()
        if self._fixed_title:
            snapshot["title"] = self._fixed_title
        with self.hold_sync():
            for name, value in snapshot.items():
                setattr(self, name, value)
        self._last_sync = now
        self.n_syncs += 1

    # -- Stop -----------------------------------------------------------------------------------
    def poll(self) -> bool:
        """Let a running cell see front-end messages (throttled); return :attr:`stop_requested`.

        Inside a busy kernel cell, widget messages wait until the cell ends; this handles them
        now through ``jupyter-ui-poll``. Outside a kernel it only returns the flag.
        """
        if not self._stop:
            self._poller.poll()
        return self._stop

    def request_stop(self) -> None:
        """Ask the running training to stop after the current batch (what the Stop button does)."""
        self.stop_requested = True

    @traitlets.observe("stop_requested")
    def _on_stop_requested(self, change: Any) -> None:
        self._stop = bool(change["new"])
        if change["new"]:
            self._state.request_stop()
            self._sync(self._clock())

    def close_poller(self) -> None:
        """End message handling from inside the cell (done automatically when the run ends)."""
        self._poller.close()

    def summary(self) -> dict[str, Any]:
        """Return the current state as plain data (title, status, bars, stats, history, scores, device)."""
        if self._held is not None:
            self._state.apply(self._with_held(None))
        return self._state.snapshot()
