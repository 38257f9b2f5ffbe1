"""Exceptions and warnings raised by jupytorch, and the helpers that word them.

Every error names the object it is about (task id, learner id, PipeOp id, parameter id), the
bad value and what would be valid; near-miss names get a "did you mean" hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "JupytorchError",
    "InvalidParameterError",
    "UnknownKeyError",
    "NotTrainedError",
    "TaskError",
    "LearnerError",
    "TrainingError",
    "WorkerDiedError",
    "GraphError",
    "ChannelTypeError",
    "ShapeError",
    "LazyShapeError",
    "DataNotFoundError",
    "MissingBundleError",
    "CellError",
    "LoadError",
    "UnsafePathError",
    "DownloadError",
    "WeightsNotFoundError",
    "JupytorchWarning",
    "did_you_mean",
    "add_note",
]


class JupytorchError(Exception):
    """Base class of every error that jupytorch raises on purpose."""


class InvalidParameterError(JupytorchError, ValueError, TypeError):
    """A parameter value is of the wrong type, out of range, or not one of the levels."""


class UnknownKeyError(JupytorchError, KeyError):
    """A key is not in a registry or a collection (a task, learner, PipeOp or parameter id)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotTrainedError(JupytorchError, RuntimeError):
    """An object was asked to predict, or for its model, before it was trained."""


class TaskError(JupytorchError, ValueError):
    """A task cannot be built from the data, or does not fit what was asked of it."""


class LearnerError(JupytorchError, RuntimeError):
    """A learner failed in train or predict; the message says which learner and phase."""


class TrainingError(JupytorchError, RuntimeError):
    """Network training failed (for example a NaN loss); names the epoch and batch."""


class WorkerDiedError(JupytorchError, RuntimeError):
    """A worker process running iterations (``n_jobs``, ``jt.parallel``) died without a Python error.

    The message names the iteration, learner and task it was running; the finished iterations
    are in ``error.partial_result``; the backend's own error is ``error.__cause__``.
    """


class LoadError(JupytorchError):
    """A file cannot be loaded: it is damaged, from a newer version, or holds what loading refuses."""


class UnsafePathError(JupytorchError):
    """A path read from a file names code that loading may not import without ``trusted=True``."""


class DownloadError(JupytorchError, OSError):
    """A file could not be downloaded (no network, HTTP error, wrong checksum, offline mode)."""


class WeightsNotFoundError(JupytorchError, FileNotFoundError):
    """Pretrained weights are not in torch hub's cache and could not be downloaded."""


class GraphError(JupytorchError, ValueError):
    """A Graph cannot be built or run as asked: duplicate ids, cycles, unconnected channels."""


class ChannelTypeError(GraphError, TypeError):
    """Two channels of incompatible types were joined, or a PipeOp got an object of the wrong type."""


class ShapeError(JupytorchError, ValueError):
    """A tensor shape does not fit a layer (raised when the graph is built, before training)."""


class LazyShapeError(ShapeError, InvalidParameterError):
    """A lazy-tensor preprocessing step cannot take the shape of the column it is applied to."""


class DataNotFoundError(JupytorchError, FileNotFoundError):
    """The files of a task are not on disk; the message says which files to put where."""


class MissingBundleError(JupytorchError, FileNotFoundError):
    """A widget's JavaScript bundle has not been built; the message says how to build it."""


class CellError(InvalidParameterError):
    """A ``%%learner`` cell or its options cannot be used; names the line or option at fault.

    Attributes
    ----------
    line : int or None
        The line of the cell at fault (the ``%%learner`` line is line 1 in a notebook).
    option : str or None
        The option at fault (``"--task"``).
    """

    def __init__(self, message: str, *, line: int | None = None, option: str | None = None):
        super().__init__(message)
        self.line = line
        self.option = option


class JupytorchWarning(UserWarning):
    """Base class of warnings issued by jupytorch."""


def did_you_mean(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """Return a ``" Did you mean 'x'?"`` hint for ``name`` among ``candidates``, or ``""``.

    Examples
    --------
    >>> did_you_mean("mtcrs", ["mtcars", "iris"])
    " Did you mean 'mtcars'?"
    """
    candidates = [str(c) for c in candidates]
    close = difflib.get_close_matches(str(name), candidates, n=n, cutoff=0.6)
    if not close:
        lowered = str(name).lower()
        close = [c for c in candidates if lowered and (lowered in c.lower() or c.lower() in lowered)][:n]
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"


def add_note(error: BaseException, note: str) -> BaseException:
    """Add ``note`` to ``error`` once: errors keep their type and gain where they happened.

    Examples
    --------
    >>> error = ValueError("bad value")
    >>> _ = add_note(add_note(error, "This happened in PipeOp 'scale'."), "This happened in PipeOp 'scale'.")
    >>> error.__notes__
    ["This happened in PipeOp 'scale'."]
    """
    if note not in getattr(error, "__notes__", []):
        error.add_note(note)
    return error
