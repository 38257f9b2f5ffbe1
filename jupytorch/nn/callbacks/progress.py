"""``t_clbk("progress")``: tqdm text bars for one training, in scripts and terminals.

Training always emits progress events when something listens (``jupytorch.core.progress``); in a
notebook the TrainingMonitor widget listens by itself. This callback adds a text view for the
duration of one ``train()``: a bar over the epochs with the last scores, and a bar over the
batches of the running epoch with the running loss, redrawn at most every ``mininterval``
seconds.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from jupytorch.core.paramset import ParamDbl
from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackProgress"]


class CallbackProgress(Callback):
    """Show training progress as tqdm text bars.

    Parameters
    ----------
    mininterval : float
        Least seconds between two redraws.
    file : file-like, optional
        Where to draw (default: standard error).

    Examples
    --------
    >>> import jupytorch as jt
    >>> jt.t_clbk("progress", mininterval=1.0).param_set.values
    {'mininterval': 1.0}
    """

    _param_specs: ClassVar[dict[str, Any]] = {"mininterval": ParamDbl(0, None, default=0.5, tags={"train"})}

    def __init__(self, mininterval: float = 0.5, file: Any = None):
        self.mininterval = mininterval
        self.file = file

    def on_begin(self) -> None:
        from jupytorch.core import progress
        from jupytorch.core.progress_text import TextProgress

        self._view = TextProgress(file=self.file, mininterval=self.mininterval)
        self._listening = progress.listen(self._view)
        self._listening.__enter__()

    def on_exit(self) -> None:
        listening = self.__dict__.pop("_listening", None)
        if listening is not None:
            listening.__exit__(None, None, None)
            self._view.close()

    def __deepcopy__(self, memo: dict[int, Any]) -> CallbackProgress:
        new = object.__new__(type(self))
        memo[id(self)] = new
        for key, value in self.__getstate__().items():
            new.__dict__[key] = value if key == "file" else copy.deepcopy(value, memo)
        return new

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_listening", None)
        state.pop("_view", None)
        return state
