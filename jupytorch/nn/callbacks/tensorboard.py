"""``t_clbk("tb")``: write losses and scores to TensorBoard (mlr3torch's ``t_clbk("tb")``)."""

from __future__ import annotations

import math
import os
from typing import Any

from jupytorch.core.exceptions import JupytorchError
from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackTensorBoard"]


class CallbackTensorBoard(Callback):
    """Log the training loss and the scores of each evaluated epoch to a TensorBoard folder.

    Uses ``torch.utils.tensorboard`` (the optional package ``tensorboard``). The scalars are
    ``train/loss``, ``valid/loss`` and ``train/<measure>`` / ``valid/<measure>``, with the
    epoch as the step; ``log_train_loss=True`` also logs the loss of every batch as
    ``train/batch_loss`` (a read from the device per batch). View them with
    ``tensorboard --logdir <path>``.

    Parameters
    ----------
    path : str or os.PathLike
        The log folder (created when training starts).
    log_train_loss : bool
        Log each batch's training loss too.

    Examples
    --------
    >>> import jupytorch as jt
    >>> cb = jt.t_clbk("tb", path="runs/mlp")
    >>> cb.param_set.values["path"]
    'runs/mlp'
    """

    def __init__(self, path: str | os.PathLike = "runs", log_train_loss: bool = False):
        self.path = path
        self.log_train_loss = log_train_loss
        self.__dict__.setdefault("_id", "tb")

    def on_begin(self) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as error:
            raise JupytorchError(
                "Callback 'tb' needs the package tensorboard (pip install tensorboard)."
            ) from error
        self._writer = SummaryWriter(log_dir=os.fspath(self.path))

    def on_batch_end(self) -> None:
        ctx = self.ctx
        self._writer.add_scalar("train/batch_loss", float(ctx.last_loss.detach()), ctx.global_step)

    def on_epoch_end(self) -> None:
        ctx = self.ctx
        writer, epoch = self._writer, ctx.epoch
        if not math.isnan(ctx.epoch_loss):
            writer.add_scalar("train/loss", ctx.epoch_loss, epoch)
        if ctx.last_scores_valid is not None and not math.isnan(ctx.valid_loss):
            writer.add_scalar("valid/loss", ctx.valid_loss, epoch)
        for stage, scores in (("train", ctx.last_scores_train), ("valid", ctx.last_scores_valid)):
            for measure, value in (scores or {}).items():
                writer.add_scalar(f"{stage}/{measure}", value, epoch)
        writer.flush()

    def on_exit(self) -> None:
        writer = self.__dict__.pop("_writer", None)
        if writer is not None:
            writer.close()

    def _active_stages(self) -> list[str]:
        stages = ["on_begin", "on_epoch_end", "on_exit"]
        return stages + ["on_batch_end"] if self.log_train_loss else stages

    def state_dict(self) -> Any:
        return os.fspath(self.path)
