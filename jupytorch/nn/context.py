"""``Context``: what callbacks see of a running training (``self.ctx`` inside a callback).

The trainer owns one Context per ``train()`` call and updates it as training moves on; callbacks
read it and may change what mlr3torch lets them change: set ``terminate = True`` to stop after
the current batch or epoch, change the optimizer's learning rate, edit gradients in
``on_after_backward``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Context"]


class Context:
    """The state of a running training, shared with callbacks.

    Attributes
    ----------
    learner : LearnerTorch
        The learner being trained.
    task_train, task_valid : Task or None
        The training task and the validation task (None without validation).
    dataset_train, dataset_valid : TaskDataset or None
        Their tensors.
    network : torch.nn.Module
    optimizer : torch.optim.Optimizer
    loss_fn : callable
    device : torch.device
    total_epochs : int
        The epoch training runs to (``epochs``).
    epoch : int
        The current epoch, 1-based (0 in ``on_begin``).
    step : int
        The batch within the epoch, 1-based (0 before the first batch).
    global_step : int
        Batches since training began.
    epoch_complete : bool
        Whether the current epoch ran all its batches (False while it runs, and for an epoch
        cut short by Stop, Ctrl-C or ``terminate``).
    n_batches : int
        Batches per training epoch.
    batch : Batch
        The current batch: ``batch.x`` (dict input name -> tensor), ``batch.y``, ``batch.index``.
    y_hat : torch.Tensor
        The network output of the current batch.
    last_loss : torch.Tensor
        The loss of the current batch, a tensor on the training device. Reading its value
        (``float(ctx.last_loss)``, ``.item()``) waits for the device to finish: on a GPU that
        costs a synchronisation per batch, so do it only now and then.
    running_loss : float
        Mean training loss of the epoch so far, refreshed a few times a second without extra
        synchronisation (NaN before the first refresh).
    epoch_loss : float
        Mean training loss of the last finished epoch.
    valid_loss : float
        The loss on the validation data in the last evaluation (NaN when not evaluated).
    last_scores_train, last_scores_valid : dict or None
        Scores of ``measures_train`` / ``measures_valid`` of the last evaluation (None in epochs
        that are not evaluated, see ``eval_freq``).
    measures_train, measures_valid : list of Measure
    eval_freq : int
    terminate : bool
        Set to True to end training (checked after each batch and each epoch).
    interrupted : bool
        Whether training was stopped by the user (Ctrl-C or a Stop button).
    callbacks : dict of str to Callback
        The live callbacks by id.
    scaler : torch.amp.GradScaler or None
        The gradient scaler with ``precision="fp16"``.
    seed : int or None
        The seed of this training.
    trainer : Trainer
        The object running the loop.
    """

    __slots__ = (
        "batch",
        "callbacks",
        "dataset_train",
        "dataset_valid",
        "device",
        "epoch",
        "epoch_complete",
        "epoch_loss",
        "eval_freq",
        "global_step",
        "interrupted",
        "last_loss",
        "last_scores_train",
        "last_scores_valid",
        "learner",
        "loss_fn",
        "measures_train",
        "measures_valid",
        "n_batches",
        "network",
        "optimizer",
        "running_loss",
        "scaler",
        "seed",
        "step",
        "task_train",
        "task_valid",
        "terminate",
        "total_epochs",
        "trainer",
        "valid_loss",
        "y_hat",
    )

    def __init__(self, **fields: Any):
        for name in self.__slots__:
            setattr(self, name, None)
        self.epoch = self.step = self.global_step = 0
        self.terminate = self.interrupted = self.epoch_complete = False
        self.running_loss = self.epoch_loss = self.valid_loss = float("nan")
        self.callbacks = {}
        for name, value in fields.items():
            setattr(self, name, value)

    def __repr__(self) -> str:
        learner = getattr(self.learner, "id", None)
        return f"<Context learner={learner!r} epoch={self.epoch}/{self.total_epochs} step={self.step} global_step={self.global_step}>"
