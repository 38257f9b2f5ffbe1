"""Progress events: how long-running work (tune/benchmark > resample > train > epoch > batch) reports.

Work emits plain-dict events; whichever views are listening render them (a text bar in scripts,
the TrainingMonitor widget in notebooks). An event is::

    {"level": "tune" | "benchmark" | "resample" | "train" | "epoch" | "batch",
     "stage": "begin" | "advance" | "end",
     "total": int | None, "completed": int, "info": {...}}

Listeners are objects with ``on_event(event)`` and optionally ``should_stop() -> bool``; the
trainer asks ``should_stop()`` (cheaply, a few times a second) to end training cleanly after the
current batch when a user pressed Stop. Emitting with no listener costs one list check.

Work that may run long wraps itself in :func:`auto_view`, which opens the default view when
nothing listens yet (the widget in a notebook, a text bar in a terminal; see
:func:`set_progress_view` to change or silence it).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any, Protocol

__all__ = [
    "ProgressListener", "listen", "emit", "has_listeners", "should_stop", "active_listeners",
    "auto_view", "set_progress_view", "progress_view_kind", "set_view_factory", "default_view", "learner_name",
    "stop_is_shown",
]

_log = logging.getLogger(__name__)

LEVELS = ("tune", "benchmark", "resample", "train", "epoch", "batch")  # "tune": one step per trial, info "best"
STAGES = ("begin", "advance", "end")

_listeners: list[Any] = []
_interrupted = False  # see interrupt()
_depth = 0  # how many auto_view blocks are open: only the outermost one clears _interrupted


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


_names: list[str] = []  # ids of the learners the user trains, outermost first (see learner_name)


@contextlib.contextmanager
def learner_name(learner_id: str) -> Iterator[None]:
    """Name trainings inside this block after the learner the user trains (a GraphLearner's id).

    A torch model inside a GraphLearner reports as ``classif.torch_model``; inside this block its
    ``train`` events (and the ``tune`` events of tuning it) carry ``learner_id=<the outermost name>``
    (and the inner id as ``model_id``).

    Examples
    --------
    >>> seen = []
    >>> class Collect:
    ...     def on_event(self, event):
    ...         seen.append(event["info"])
    >>> with listen(Collect()), learner_name("my_cnn"):
    ...     emit("train", "begin", learner_id="classif.torch_model")
    >>> seen[0]["learner_id"], seen[0]["model_id"]
    ('my_cnn', 'classif.torch_model')
    """
    _names.append(str(learner_id))
    try:
        yield
    finally:
        _names.pop()


def emit(level: str, stage: str, total: int | None = None, completed: int = 0, **info: Any) -> None:
    """Send an event to every listener."""
    if not _listeners:
        return
    if _names and level in ("train", "tune") and "learner_id" in info and info["learner_id"] != _names[0]:
        info = {**info, "learner_id": _names[0], "model_id": info["learner_id"]}
    event = {"level": level, "stage": stage, "total": total, "completed": completed, "info": info}
    for listener in list(_listeners):
        listener.on_event(event)


def stop_is_shown() -> bool:
    """Whether a listening view tells the user about a Stop itself (the widget), so no warning is needed.

    Views say so with a true ``reports_stop`` attribute.

    Examples
    --------
    >>> class Widgetish:
    ...     reports_stop = True
    ...     def on_event(self, event):
    ...         pass
    >>> stop_is_shown()
    False
    >>> with listen(Widgetish()):
    ...     stop_is_shown()
    True
    """
    return any(getattr(listener, "reports_stop", False) for listener in _listeners)


def interrupt() -> None:
    """Record a Ctrl-C that stopped a training cleanly: the run around it (resample, benchmark,
    tune) stops after it too. Cleared when the next outermost piece of work starts (:func:`auto_view`).
    """
    global _interrupted
    _interrupted = True


def should_stop() -> bool:
    """Whether running work must stop: Ctrl-C stopped a training, or a listener asks (a Stop button)."""
    if _interrupted:
        return True
    for listener in _listeners:  # a plain loop: this runs after every batch of some trainers
        ask = getattr(listener, "should_stop", None)
        if ask is not None and ask():
            return True
    return False


# -- automatic views ------------------------------------------------------------------------------
# Work that can take long (Learner.train of torch learners, resample, benchmark) opens a view by
# itself when nobody listens yet: ``with progress.auto_view(): ...``. Which view is decided by a
# *view factory*; core knows only its "module:attr" name (the notebook layer sets it at import of
# jupytorch to its widget-or-text chooser), so core never imports the notebook layer.

VIEW_KINDS = ("auto", "widget", "text", "none")
ENV_VAR = "JUPYTORCH_PROGRESS"
TEXT_DELAY = 1.0  #: seconds before an automatic text bar appears (short work stays silent)

_view_factory: Any = None  # "module:attr" or a callable(kind) -> view or None
_view_kind: str | None = None  # set by set_progress_view(); None: the environment variable, else "auto"


def set_view_factory(factory: Any) -> None:
    """Set what :func:`auto_view` calls to build a view: ``factory(kind) -> view or None``.

    Parameters
    ----------
    factory : str, callable or None
        A ``"module:attribute"`` string (imported on first use, so no layer is imported now),
        a callable, or None for the built-in choice (text bars in a terminal, nothing else).

    Examples
    --------
    >>> set_view_factory("jupytorch.notebook.progress_bridge:auto_progress_view")
    """
    global _view_factory
    if factory is not None and not (callable(factory) or (isinstance(factory, str) and ":" in factory)):
        raise ValueError(f"set_view_factory: give a 'module:attribute' string or a callable, got {factory!r}.")
    _view_factory = factory


def set_progress_view(kind: str | None = "auto") -> str | None:
    """Choose the progress view that training, resample and benchmark open by themselves.

    Parameters
    ----------
    kind : {"auto", "widget", "text", "none"} or None
        ``"auto"`` (the default): the TrainingMonitor widget in a notebook kernel; in a terminal
        (standard error is a TTY) a tqdm text bar once work has run for a second; nothing
        elsewhere (pipes, CI logs, tests). ``"widget"``: the widget wherever a kernel runs, text
        bars elsewhere. ``"text"``: always text bars. ``"none"``: no automatic view (views you
        register yourself with :func:`listen` still work). None: back to the environment
        variable ``JUPYTORCH_PROGRESS`` (same values), or ``"auto"`` without it.

    Returns
    -------
    str or None
        The previous setting.

    Examples
    --------
    >>> old = set_progress_view("none")
    >>> progress_view_kind()
    'none'
    >>> _ = set_progress_view(old)
    """
    global _view_kind
    if kind is not None and kind not in VIEW_KINDS:
        from jupytorch.core.exceptions import InvalidParameterError, did_you_mean

        raise InvalidParameterError(
            f"set_progress_view: kind must be one of {', '.join(VIEW_KINDS)} (or None), got {kind!r}."
            + did_you_mean(str(kind), VIEW_KINDS)
        )
    previous, _view_kind = _view_kind, kind
    return previous


def progress_view_kind() -> str:
    """The automatic view now in force: :func:`set_progress_view`'s choice, else ``$JUPYTORCH_PROGRESS``, else "auto"."""
    if _view_kind is not None:
        return _view_kind
    value = os.environ.get(ENV_VAR, "").strip().lower()
    return value if value in VIEW_KINDS else "auto"


def _main_process() -> bool:
    """Not a worker (joblib/loky process or a thread): only the process the user runs draws views."""
    import multiprocessing
    import threading

    return multiprocessing.parent_process() is None and threading.current_thread() is threading.main_thread()


def default_view(kind: str) -> Any:
    """The view core chooses without the notebook layer: text bars or None.

    ``"text"`` always draws; ``"auto"`` and ``"widget"`` draw only on a terminal (standard error
    is a TTY), after :data:`TEXT_DELAY` seconds; ``"none"`` gives None.
    """
    if kind == "none" or not _main_process():
        return None
    if kind != "text":
        stream = sys.stderr
        try:
            if stream is None or not stream.isatty():
                return None
        except (AttributeError, ValueError):
            return None
    from jupytorch.core.progress_text import TextProgress

    return TextProgress(delay=0.0 if kind == "text" else TEXT_DELAY)


def _resolve_factory() -> Any:
    global _view_factory
    factory = _view_factory
    if isinstance(factory, str):
        from jupytorch.core.imports import import_string

        factory = import_string(factory)
        _view_factory = factory
    return factory or default_view


@contextlib.contextmanager
def auto_view(subject: Any = None) -> Iterator[Any]:
    """Open the default progress view around some work, unless a view is already listening.

    ``subject`` is what the work is about when a view may want to show more than progress (a
    tuning instance: the notebook layer then opens a tuning dashboard); the view factory receives
    it as ``factory(kind, subject=subject)``.

    Only the outermost call opens a view, so a benchmark's resamplings and trainings share one;
    with :func:`set_progress_view` ``("none")`` (or ``JUPYTORCH_PROGRESS=none``) nothing is opened.
    Building a view never makes the work fail: if it cannot be built, the work runs without one.
    The view's ``close()`` is called when the block ends.

    Yields
    ------
    object or None
        The view opened here, or None.

    Examples
    --------
    >>> old = set_progress_view("none")
    >>> with auto_view() as view:
    ...     emit("train", "begin", total=1)
    >>> view is None
    True
    >>> _ = set_progress_view(old)
    """
    global _interrupted, _depth
    if _depth == 0:
        _interrupted = False  # outermost work (with or without a listening view): an earlier Ctrl-C is done with
    _depth += 1
    try:
        with _open_view(subject) as view:
            yield view
    finally:
        _depth -= 1


@contextlib.contextmanager
def _open_view(subject: Any) -> Iterator[Any]:
    if _listeners:
        yield None
        return
    kind = progress_view_kind()
    view = None
    if kind != "none":
        try:
            factory = _resolve_factory()
            takes_subject = subject is not None and "subject" in inspect.signature(factory).parameters
            view = factory(kind, subject=subject) if takes_subject else factory(kind)
        except Exception:  # noqa: BLE001 - a view is decoration; never fail the work for it
            _log.warning("jupytorch: could not open a progress view; running without one.", exc_info=True)
            view = None
    if view is None:
        yield None
        return
    try:
        with listen(view):
            yield view
    finally:
        close = getattr(view, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001
                _log.warning("jupytorch: closing the progress view failed.", exc_info=True)
