"""TuningDashboard: an Optuna study in the notebook (front end: ``js/tuning_dashboard.ts``).

It reads a study (``_study_summary``) and shows best-so-far history, a sortable and filterable
trial table, parallel coordinates, parameter importance, slice plots, intermediate values and, for
several objectives, the Pareto front. ``refresh()`` re-reads the study (throttled); ``live=True``
polls the storage in a background thread, so a study that other workers fill updates by itself.
The Stop button sets ``stop_requested``: a tuner asks :meth:`should_stop` between trials, or passes
:meth:`optuna_callback` to ``study.optimize`` to end after the running trial. Inside
``with dash.listen():`` the trials' trainings report to one TrainingMonitor shown under the
dashboard instead of opening a monitor each.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import anywidget
import traitlets

from jupytorch.notebook._static import Bundle
from jupytorch.notebook._study_summary import param_importance, resolve_study, source_labels, summarize
from jupytorch.notebook._ui_poll import UiPoller

__all__ = ["TuningDashboard"]

TABS = ("history", "trials", "parallel", "importance", "slice", "intermediate", "pareto")


class TuningDashboard(anywidget.AnyWidget):
    """Watch and inspect hyperparameter tuning: an Optuna study as a live dashboard with a Stop button.

    Parameters
    ----------
    obj : optuna.Study, object with ``.study``, or storage URL
        What to show; a tuning instance works through its ``.study``.
    study_name : str, optional
        With a storage URL: which study (default: the only one).
    live : bool, default False
        Poll the storage every ``interval`` seconds in a background thread.
    interval : float, default 2.0
        Least seconds between two reads of the study (``refresh`` and live polling); at least 0.5.
    monitor : bool, default False
        Show the running trial's TrainingMonitor under the dashboard (set by :meth:`listen` too).
    title : str, optional
        The heading; default "Tuning <learner> on <task>" for a tuning instance, else "Study <name>".

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    >>> dash = TuningDashboard(study)
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3, callbacks=[dash.optuna_callback()])
    >>> _ = dash.refresh(force=True)
    >>> len(dash.trials), dash.counts["complete"], dash.should_stop()
    (3, 3, False)
    >>> dash.request_stop()                  # what the Stop button does
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=10, callbacks=[dash.optuna_callback()])
    >>> len(study.trials)                    # the running trial finished, then tuning stopped
    4
    """

    _esm = Bundle("tuning_dashboard")

    title = traitlets.Unicode("").tag(sync=True)
    directions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    metric_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    trials = traitlets.List(traitlets.Dict()).tag(sync=True)
    params = traitlets.Dict().tag(sync=True)
    best = traitlets.Dict().tag(sync=True)
    pareto = traitlets.List(traitlets.Int()).tag(sync=True)
    counts = traitlets.Dict().tag(sync=True)
    importance = traitlets.Dict().tag(sync=True)
    tab = traitlets.Enum(TABS, default_value="history").tag(sync=True)
    live = traitlets.Bool(False).tag(sync=True)
    updated = traitlets.Unicode("").tag(sync=True)
    stop_requested = traitlets.Bool(False).tag(sync=True)

    def __init__(self, obj: Any, study_name: str | None = None, *, live: bool = False, interval: float = 2.0,
                 **kwargs: Any):
        self.study = resolve_study(obj, study_name)
        #: what the study itself cannot say: title and objective names (see ``source_labels``)
        self.labels = source_labels(obj)
        title = kwargs.pop("title", None)
        if title:
            self.labels["title"] = str(title)
        self.interval = max(0.5, float(interval))
        self._last_read = -float("inf")
        self._importance_for = -1  # number of complete trials the importance was computed on
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._poller = UiPoller(interval=0.1)  # lets a busy cell see the Stop click
        self._monitor: Any = None
        self._show_monitor = bool(kwargs.pop("monitor", False))
        super().__init__(**kwargs)
        self.refresh(force=True)
        self.live = live

    # -- reading the study ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Re-read the study and update the front end; at most once per ``interval`` unless ``force``.

        Returns whether it read the study.
        """
        now = time.monotonic()
        if not force and now - self._last_read < self.interval:
            return False
        with self._lock:
            self._last_read = now
            data = {**summarize(self.study), **self.labels}
            counts: dict[str, int] = {}
            for row in data["trials"]:
                counts[row["state"]] = counts.get(row["state"], 0) + 1
            counts.setdefault("complete", 0)
            with self.hold_sync():
                for name, value in data.items():
                    setattr(self, name, value)
                self.counts = counts
                self.updated = time.strftime("%H:%M:%S")
            self._update_importance()
        return True

    @traitlets.observe("tab")
    def _on_tab(self, change: Any) -> None:
        if change["new"] == "importance":
            with self._lock:
                self._update_importance()

    def _update_importance(self) -> None:
        """Importance costs seconds on large studies: only computed while its tab is open, once per new trial count."""
        complete = self.counts.get("complete", 0)
        if self.tab == "importance" and complete != self._importance_for:
            self._importance_for = complete
            self.importance = param_importance(self.study)

    # -- live mode --------------------------------------------------------------------------------
    @traitlets.observe("live")
    def _on_live(self, change: Any) -> None:
        if change["new"] and self._thread is None:
            self._thread = threading.Thread(target=self._poll, name="jupytorch-dashboard", daemon=True)
            self._thread.start()

    def _poll(self) -> None:
        try:
            while self.live:
                time.sleep(self.interval)
                if self.live:
                    self.refresh()
        finally:
            self._thread = None

    def close(self) -> None:
        """Stop live polling and close the widget."""
        self.live = False
        self._poller.close()
        super().close()

    # -- the running trial's training ------------------------------------------------------------
    @property
    def monitor(self) -> Any:
        """The TrainingMonitor of the running trial (created on first use), shown under the dashboard."""
        if self._monitor is None:
            from jupytorch.notebook._training_monitor import TrainingMonitor

            self._monitor = TrainingMonitor()
        return self._monitor

    @contextlib.contextmanager
    def listen(self) -> Iterator[TuningDashboard]:
        """Route the progress of trainings inside this block (the trials) to :attr:`monitor`.

        Without it, each trial's training would open a monitor of its own in the cell; with it the
        dashboard's display shows one monitor, of the trial that runs now, under the dashboard.
        """
        from jupytorch.core import progress
        from jupytorch.notebook.progress_bridge import WidgetProgress

        self._show_monitor = True
        with progress.listen(WidgetProgress(self.monitor, display=False)):
            yield self

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if not self._show_monitor:
            return super()._repr_mimebundle_(**kwargs)
        import ipywidgets

        return ipywidgets.VBox([self, self.monitor])._repr_mimebundle_(**kwargs)

    # -- Stop -------------------------------------------------------------------------------------
    def should_stop(self) -> bool:
        """Whether the user pressed Stop (a tuner asks this between trials; inside a busy cell it
        first handles pending front-end messages).
        """
        if not self.stop_requested:
            self._poller.poll()
        return bool(self.stop_requested)

    def request_stop(self) -> None:
        """What the Stop button does: ask tuning to end after the running trial."""
        self.stop_requested = True

    def optuna_callback(self) -> Any:
        """A callback for ``study.optimize(..., callbacks=[...])``: refreshes the dashboard after each
        trial (throttled) and calls ``study.stop()`` once Stop was pressed.
        """

        def callback(study: Any, trial: Any) -> None:
            stop = self.should_stop()
            self.refresh(force=stop)
            if stop:
                study.stop()

        return callback
