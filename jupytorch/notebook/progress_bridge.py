"""The progress-event bridge: training, resampling and benchmarks drive the TrainingMonitor.

Work reports through :mod:`jupytorch.core.progress`; a *view* is a listener registered with
``core.progress.listen(view)``. This module gives the notebook's view, :class:`WidgetProgress`,
and :func:`progress_view`, which picks the widget in a notebook kernel and the tqdm text bars
(:class:`jupytorch.core.progress_text.TextProgress`) elsewhere. Lower layers never import this
module; they reach :func:`progress_view` by the string
``"jupytorch.notebook.progress_bridge:progress_view"`` (as registries do).

Events
------
Plain dicts ``{"level", "stage", "total", "completed", "info"}``; per level, what ``total`` and
``completed`` count and which ``info`` keys are read (? = optional):

- ``benchmark``: experiments (resample runs). begin: title?; end: error?
- ``resample``: iterations. begin: learner_id, task_id, resampling_id; ``advance`` after each
  iteration (or the view counts the trainings that ended).
- ``train``: epochs. begin: learner_id, task_id, device?; end: stopped (bool), message?, error?
- ``epoch``: batches of this epoch. begin: epoch (1-based); end: epoch, train {measure: value},
  valid {measure: value}.
- ``batch``: only ``advance``; total = batches of the epoch, completed = batches done in it.
  info: loss?, samples?, samples_per_s?, device?

``loss`` is the running training loss of the epoch; ``samples`` the samples seen so far in the
epoch (the view derives samples/s) or ``samples_per_s`` directly; ``device`` is a dict with any of
``type`` ("cuda", "cpu", "mps"), ``name`` (GPU name), ``memory_used``, ``memory_peak``,
``memory_total`` (bytes) and ``utilization`` (percent, where NVML is available). Any event may
carry ``device``; unknown keys are ignored. Keys marked ? are optional.

How the trainer calls it
------------------------
::

    from jupytorch.core import progress

    progress.emit("train", "begin", total=epochs, learner_id=..., task_id=..., device={...})
    for epoch in range(1, epochs + 1):
        progress.emit("epoch", "begin", total=n_batches, epoch=epoch)
        for i, batch in enumerate(batches, 1):
            ...                                    # one optimizer step
            if refresh_due():                      # the trainer's own clock, a few times a second:
                info = {"loss": running_loss.item(), "samples": seen}  # the only host-device sync
            else:
                info = {}
            progress.emit("batch", "advance", total=n_batches, completed=i, **info)
            if progress.should_stop():             # cheap; the widget polls the front end <= 10x/s
                stopped = True
                break                              # finish the batch, keep weights and history
        progress.emit("epoch", "end", total=n_batches, completed=i, epoch=epoch,
                      train={"loss": ...}, valid={"classif.acc": ...})
        if stopped:
            break
    progress.emit("train", "end", total=epochs, completed=epoch, stopped=stopped)

and the caller that starts the work (``Learner.train``, ``resample``, ``benchmark``) opens a
view once, outermost only, so nested work shares one monitor::

    with progress.auto_view():                     # no-op when a view already listens
        ...                                        # the work

``auto_view`` asks :func:`auto_progress_view` (registered by name in ``notebook/_register.py``)
for the view: the widget inside a kernel, core's text bars elsewhere. ``jt.set_progress_view``
or ``JUPYTORCH_PROGRESS`` switch it (``"auto"``, ``"widget"``, ``"text"``, ``"none"``).

The widget sends at most ``1 / interval`` updates a second (5 by default); begins, ends and
epoch ends are sent at once. ``should_stop()`` handles pending front-end messages with
``jupyter-ui-poll`` at most every ``poll_interval`` seconds, so a Stop click is seen while the
cell runs; it stays True until the run ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from jupytorch.core.progress_text import TextProgress
from jupytorch.notebook._study_summary import source_labels
from jupytorch.notebook._ui_poll import in_kernel

__all__ = ["TuningDashboardView", "WidgetProgress", "progress_view", "auto_progress_view", "in_kernel"]


class WidgetProgress:
    """A progress listener that shows events in a :class:`TrainingMonitor` widget.

    Parameters
    ----------
    monitor : TrainingMonitor, optional
        The widget to drive; a new one by default.
    display : bool, default True
        Show the widget in the cell's output at the first event.

    Examples
    --------
    >>> view = WidgetProgress(display=False)
    >>> view.on_event({"level": "train", "stage": "begin", "total": 5, "completed": 0, "info": {}})
    >>> view.monitor.status, view.should_stop()
    ('running', False)
    >>> view.monitor.request_stop()                  # what a click on Stop does
    >>> view.should_stop(), view.monitor.status
    (True, 'stopping')
    """

    reports_stop = True  #: the widget shows a Stop itself, so training does not warn about it again

    def __init__(self, monitor: Any = None, *, display: bool = True):
        if monitor is None:
            from jupytorch.notebook._training_monitor import TrainingMonitor

            monitor = TrainingMonitor()
        self.monitor = monitor
        self.display = display
        self._shown = False

    def on_event(self, event: Mapping[str, Any]) -> None:
        """Pass one event to the monitor (showing it first if needed)."""
        if self.display and not self._shown:
            from IPython.display import display

            display(self.monitor)
            self._shown = True
        self.monitor.handle(event)

    def should_stop(self) -> bool:
        """Whether the user pressed Stop; handles pending widget messages first (throttled)."""
        return self.monitor.poll()

    def close(self) -> None:
        """Send the last state and end message handling from inside the cell."""
        self.monitor.flush()
        self.monitor.close_poller()


def progress_view(kind: Literal["auto", "widget", "text", "none"] = "auto") -> Any:
    """Return the progress view to register for a piece of work.

    Parameters
    ----------
    kind : {"auto", "widget", "text", "none"}, default "auto"
        ``"auto"`` is the widget inside a Jupyter kernel and tqdm text bars elsewhere;
        ``"none"`` draws nothing.

    Returns
    -------
    WidgetProgress or TextProgress
        An object with ``on_event(event)`` and ``should_stop()``.

    Examples
    --------
    >>> type(progress_view("text")).__name__
    'TextProgress'
    """
    if kind == "auto":
        kind = "widget" if in_kernel() else "text"
    if kind == "widget":
        return WidgetProgress()
    if kind == "text":
        return TextProgress()
    if kind == "none":
        return TextProgress(disable=True)
    raise ValueError(f"progress_view: kind must be 'auto', 'widget', 'text' or 'none', got {kind!r}.")


class TuningDashboardView:
    """A progress listener that shows a tuning run in a :class:`TuningDashboard`.

    Trial events refresh the dashboard (throttled by its ``interval``); the trainings inside the
    trials go to the one training monitor under it; its Stop button ends tuning after the running
    trial (the tuner asks :meth:`should_stop`), keeping the study. The running trial's training
    is not cut short by it (that would record a half-trained model's score as a complete trial);
    the monitor's own Stop button does that.

    Examples
    --------
    >>> import optuna
    >>> optuna.logging.set_verbosity(optuna.logging.WARNING)
    >>> study = optuna.create_study()
    >>> view = TuningDashboardView(study, display=False)
    >>> view.on_event({"level": "tune", "stage": "end", "total": 0, "completed": 0, "info": {}})
    >>> view.should_stop()
    False
    """

    reports_stop = True  # the dashboard says it was stopped: no warning on top

    def __init__(self, subject: Any, *, display: bool = True):
        from jupytorch.notebook._tuning_dashboard import TuningDashboard

        self.subject = subject
        self.dashboard = TuningDashboard(subject)
        self._trainings_running = 0  # trainings begun and not ended: a trial is inside one
        self._trainings = self.dashboard.listen()
        self._trainings.__enter__()  # the trials' trainings report to the dashboard's monitor
        if display:
            from IPython.display import display as show

            show(self.dashboard)

    def on_event(self, event: dict[str, Any]) -> None:
        """Refresh the dashboard when a trial ends (every trial at the end of tuning)."""
        if event["level"] == "tune":  # between trials: no training runs
            self._trainings_running = 0
            if event["stage"] == "begin":  # the learner as the user named it (a %%learner NAME)
                self.dashboard.labels.update(source_labels(self.subject, event["info"].get("learner_id")))
            self.dashboard.refresh(force=event["stage"] != "advance")
        elif event["level"] == "train" and event["stage"] == "begin":
            self._trainings_running += 1
        elif event["level"] == "train" and event["stage"] == "end":
            self._trainings_running = max(0, self._trainings_running - 1)

    def should_stop(self) -> bool:
        """Whether Stop was pressed in the dashboard; False while a trial's training runs, so that
        the trial ends whole and tuning stops after it.
        """
        return self.dashboard.should_stop() and not self._trainings_running

    def close(self) -> None:
        """Leave the trainings' monitor; the dashboard stays on screen with the final study."""
        self._trainings.__exit__(None, None, None)


def auto_progress_view(kind: str = "auto", subject: Any = None) -> Any:
    """The view factory behind :func:`jupytorch.core.progress.auto_view` (set by name at import).

    Parameters
    ----------
    kind : {"auto", "widget", "text", "none"}
        ``"auto"`` and ``"widget"``: the TrainingMonitor inside a Jupyter kernel; elsewhere, and
        for ``"text"``, core's choice (:func:`jupytorch.core.progress.default_view`: text bars
        on a terminal only, after a second, unless ``"text"`` asked for them).
    subject : object, optional
        What the work is about; a tuning instance (anything with ``.study``) gets a
        :class:`TuningDashboardView` inside a kernel.

    Returns
    -------
    WidgetProgress, TextProgress or None

    Examples
    --------
    >>> auto_progress_view("none") is None
    True
    """
    from jupytorch.core import progress

    if kind in ("auto", "widget") and in_kernel() and progress._main_process():
        if subject is not None and hasattr(subject, "study"):  # tune(), auto_tuner, %%learner --tune
            return TuningDashboardView(subject)
        return WidgetProgress()
    return progress.default_view(kind)
