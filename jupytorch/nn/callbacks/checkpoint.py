"""``t_clbk("checkpoint")``: save the training state to a folder, to inspect or resume later.

Every ``freq`` epochs (and after the last one) the folder gets ``network<epoch>.pt`` and
``optimizer<epoch>.pt`` (``torch.save`` of the state dicts) and ``state<epoch>.pt`` (the epoch,
the random-number states and the other callbacks' states, as plain data). All three load with
``torch.load(..., weights_only=True)``. A learner with ``resume=<folder>`` (or ``resume=True``
with a checkpoint callback) continues from the latest checkpoint.

An epoch cut short (Stop, Ctrl-C, ``ctx.terminate`` set in the middle of it) is saved as
``network<epoch>_partial.pt``, ``optimizer<epoch>_partial.pt`` and ``state<epoch>_partial.pt``
(its state says ``complete: False``), to look at; ``resume`` never takes it for a finished epoch
and continues from the last complete one. Each file is written under a temporary name and then
renamed, so a process killed while writing leaves no half-written checkpoint either.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ClassVar

import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.core.paramset import ParamInt, ParamUty
from jupytorch.nn._safe import NotSafeError, from_safe, to_safe
from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackCheckpoint", "latest_checkpoint", "load_checkpoint"]


def _path_check(value: Any) -> bool | str:
    return isinstance(value, (str, Path)) or "a folder path (str or pathlib.Path)"


class CallbackCheckpoint(Callback):
    """Save network, optimizer and callback states every ``freq`` epochs.

    Parameters
    ----------
    path : str or Path
        The folder (created if needed).
    freq : int
        Save every ``freq`` epochs; the last epoch is always saved.

    Examples
    --------
    >>> import jupytorch as jt
    >>> jt.t_clbk("checkpoint", path="ckpt", freq=5).param_set.values
    {'path': 'ckpt', 'freq': 5}
    """

    weight = float("inf")
    _param_specs: ClassVar[dict[str, Any]] = {
        "path": ParamUty(tags={"train", "required"}, custom_check=_path_check),
        "freq": ParamInt(1, None, default=1, tags={"train"}),
    }

    def __init__(self, path: str | Path | None = None, freq: int = 1):
        self.path = path
        self.freq = freq
        self._saved: int | None = None

    def on_epoch_end(self) -> None:
        if self.ctx.epoch % self.freq == 0:
            self.save(self.ctx.epoch)

    def on_end(self) -> None:
        if self.ctx.epoch and self._saved != self.ctx.epoch:
            self.save(self.ctx.epoch)

    def save(self, epoch: int) -> None:
        """Write the three checkpoint files of ``epoch`` (with the suffix ``_partial`` for an epoch cut short)."""
        ctx = self.ctx
        folder = Path(self.path)
        folder.mkdir(parents=True, exist_ok=True)
        complete = bool(ctx.epoch_complete)
        suffix = "" if complete else PARTIAL
        _save(ctx.network.state_dict(), folder / f"network{epoch}{suffix}.pt")
        _save(ctx.optimizer.state_dict(), folder / f"optimizer{epoch}{suffix}.pt")
        callbacks = {}
        for cb_id, cb in ctx.callbacks.items():
            if cb is self:
                continue
            try:
                callbacks[cb_id] = to_safe(cb.state_dict(), f"state of callback {cb_id!r}")
            except NotSafeError:
                callbacks[cb_id] = None  # not plain data: this callback starts afresh on resume
        state = {"epoch": epoch, "complete": complete, "step": ctx.step, "global_step": ctx.global_step,
                 "seed": ctx.seed, "callbacks": callbacks, "trainer": to_safe(ctx.trainer.extra_state(), "trainer state")}
        _save(state, folder / f"state{epoch}{suffix}.pt")  # last: its presence means the other two are whole
        if complete:  # a partial checkpoint of this epoch (from an earlier, interrupted run) is outdated now
            for kind in ("network", "optimizer", "state"):
                (folder / f"{kind}{epoch}{PARTIAL}.pt").unlink(missing_ok=True)
        self._saved = epoch

    def state_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "last_saved": self._saved}


PARTIAL = "_partial"  # file-name suffix of the checkpoint of an epoch cut short


def _save(obj: Any, path: Path) -> None:
    """``torch.save`` under a temporary name, then rename: ``path`` is either whole or absent."""
    temporary = path.with_name(path.name + ".tmp")
    torch.save(obj, temporary)
    os.replace(temporary, path)


def latest_checkpoint(folder: str | Path) -> int | None:
    """The highest epoch with all three checkpoint files in ``folder``, or None.

    Partial checkpoints (``network<n>_partial.pt``, of an epoch cut short) do not count.

    Examples
    --------
    >>> latest_checkpoint("no-such-folder") is None
    True
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    epochs = []
    for file in folder.glob("network*.pt"):
        match = re.fullmatch(r"network(\d+)\.pt", file.name)
        if match:
            n = int(match.group(1))
            if (folder / f"optimizer{n}.pt").exists() and (folder / f"state{n}.pt").exists():
                epochs.append(n)
    return max(epochs) if epochs else None


def load_checkpoint(folder: str | Path, epoch: int | None = None, learner_id: str = "") -> dict[str, Any]:
    """Read the checkpoint of ``epoch`` (default: the latest) with ``weights_only=True``."""
    folder = Path(folder)
    if epoch is None:
        epoch = latest_checkpoint(folder)
    if epoch is None:
        raise JupytorchError(
            f"Learner {learner_id!r}: resume={str(folder)!r}, but that folder holds no complete checkpoint "
            "(network<n>.pt, optimizer<n>.pt and state<n>.pt written by t_clbk('checkpoint'))."
        )
    load = {"map_location": "cpu", "weights_only": True}
    try:
        network = torch.load(folder / f"network{epoch}.pt", **load)
        optimizer = torch.load(folder / f"optimizer{epoch}.pt", **load)
        state = from_safe(torch.load(folder / f"state{epoch}.pt", **load))
    except Exception as error:
        raise InvalidParameterError(
            f"Learner {learner_id!r}: cannot read the checkpoint of epoch {epoch} in {str(folder)!r}: {error}"
        ) from error
    if state.get("complete") is False:  # renamed by hand: never continue from the middle of an epoch
        raise InvalidParameterError(
            f"Learner {learner_id!r}: the checkpoint of epoch {epoch} in {str(folder)!r} was written by an epoch cut "
            f"short (after batch {state.get('step')}); resume continues only from a complete epoch."
        )
    return {"epoch": epoch, "network": network, "optimizer": optimizer, **state}
