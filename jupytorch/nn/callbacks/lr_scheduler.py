"""Learning-rate schedules: callbacks around ``torch.optim.lr_scheduler`` classes.

``t_clbk("lr_step")``, ``"lr_cosine_annealing"``, ``"lr_lambda"``, ``"lr_multiplicative"`` step
once per epoch; ``"lr_one_cycle"`` steps once per batch and infers its number of steps from
``epochs`` and the batches per epoch; ``"lr_reduce_on_plateau"`` steps after validation with the
first validation measure. :func:`as_lr_scheduler` wraps any other scheduler class.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamFct, ParamSet
from jupytorch.core.signature import params_from_signature
from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackLRScheduler", "as_lr_scheduler"]

_EXCLUDE = ("optimizer", "last_epoch", "verbose")


class CallbackLRScheduler(Callback):
    """Step a torch learning-rate scheduler during training.

    Parameters
    ----------
    scheduler_class : type
        A ``torch.optim.lr_scheduler`` class; its arguments (but ``optimizer``) are the
        callback's parameters.
    step_on : {"epoch", "batch", "valid"}
        When to call ``scheduler.step()``: after each epoch, after each batch, or after each
        validation with the first validation score (``ReduceLROnPlateau``).
    id : str, optional
    **params
        Initial parameter values.

    Examples
    --------
    >>> import torch
    >>> cb = CallbackLRScheduler(torch.optim.lr_scheduler.ExponentialLR, id="lr_exp", gamma=0.9)
    >>> cb.id, cb.param_set.values
    ('lr_exp', {'gamma': 0.9})
    """

    every_rank = True  # it changes the training: every process of a ddp training runs it

    def __init__(self, scheduler_class: type, step_on: str = "epoch", id: str | None = None, **params: Any):
        if step_on not in ("epoch", "batch", "valid"):
            raise InvalidParameterError(f"CallbackLRScheduler: step_on must be 'epoch', 'batch' or 'valid', got {step_on!r}.")
        self.scheduler_class = scheduler_class
        self.step_on = step_on
        if id is not None:
            self.id = id
        self._values = dict(params)
        self.scheduler: Any = None
        self._pending: Any = None

    def _build_param_set(self) -> ParamSet:
        exclude = _EXCLUDE + (("epochs", "steps_per_epoch") if self._is_one_cycle() else ())
        ps = params_from_signature(self.scheduler_class, exclude=exclude, specs=self._specs())
        ps.set_values(**self._values)
        return ps

    def _specs(self) -> dict[str, Any]:
        if self.scheduler_class is torch.optim.lr_scheduler.ReduceLROnPlateau:
            return {"mode": ParamFct(["min", "max"], default=None, special_vals=(None,), tags={"train"},
                                     description="default: from the first validation measure's minimize")}
        return {}

    def _is_one_cycle(self) -> bool:
        return self.scheduler_class is torch.optim.lr_scheduler.OneCycleLR

    def _instantiate(self, values: Any = None) -> CallbackLRScheduler:
        fresh = super()._instantiate(values)
        fresh._values = dict(self.param_set.values if values is None else values)
        return fresh

    def _arguments(self) -> dict[str, Any]:
        ctx = self.ctx
        args = dict(self._values)
        if self._is_one_cycle() and args.get("total_steps") is None:
            args.pop("total_steps", None)
            args["epochs"] = ctx.total_epochs
            args["steps_per_epoch"] = max(1, ctx.n_batches)
        if self.step_on == "valid" and args.get("mode") is None and "mode" in inspect.signature(self.scheduler_class).parameters:
            args["mode"] = "min" if ctx.measures_valid[0].minimize is not False else "max"
        return args

    def on_begin(self) -> None:
        ctx = self.ctx
        if self.step_on == "valid" and not ctx.measures_valid:
            raise InvalidParameterError(
                f"Callback {self.id!r} steps on the first validation measure, but learner {ctx.learner.id!r} has no "
                "measures_valid (and validation); set measures_valid=msr(...) and validate=0.3 (or 'test')."
            )
        self.scheduler = self.scheduler_class(ctx.optimizer, **self._arguments())
        if self._pending is not None:
            self.scheduler.load_state_dict(self._pending)
            last = self._pending.get("_last_lr")
            if last is not None:
                for group, lr in zip(ctx.optimizer.param_groups, last):
                    group["lr"] = lr
            self._pending = None

    def on_batch_end(self) -> None:
        if self.step_on == "batch":
            self.scheduler.step()

    def on_valid_end(self) -> None:
        if self.step_on == "valid":
            scores = self.ctx.last_scores_valid or {}
            first = self.ctx.measures_valid[0].id
            value = scores.get(first)
            if value is not None and not math.isnan(value):  # skip NaN scores
                self.scheduler.step(value)

    def on_epoch_end(self) -> None:
        if self.step_on == "epoch":
            self.scheduler.step()

    def _active_stages(self) -> list[str]:
        stage = {"epoch": "on_epoch_end", "batch": "on_batch_end", "valid": "on_valid_end"}[self.step_on]
        return ["on_begin", stage]

    def state_dict(self) -> Any:
        return None if self.scheduler is None else self.scheduler.state_dict()

    def load_state_dict(self, state: Any) -> None:
        if state is None:
            return
        if self.scheduler is None:
            self._pending = state
        else:
            self.scheduler.load_state_dict(state)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["scheduler"] = None
        return state


def as_lr_scheduler(scheduler_class: type, step_on_epoch: bool = True, id: str | None = None, **params: Any) -> CallbackLRScheduler:
    """Wrap a ``torch.optim.lr_scheduler`` class as a callback.

    Parameters
    ----------
    scheduler_class : type
    step_on_epoch : bool
        True: step after each epoch; False: after each batch.
    id : str, optional
        Default: ``"lr_<class name in lower case>"``.
    **params
        Scheduler arguments.

    Examples
    --------
    >>> import torch
    >>> as_lr_scheduler(torch.optim.lr_scheduler.ExponentialLR, gamma=0.5).id
    'lr_exponentiallr'
    """
    return CallbackLRScheduler(scheduler_class, "epoch" if step_on_epoch else "batch",
                               id=id or f"lr_{scheduler_class.__name__.lower()}", **params)


def _lr(scheduler_class: type, key: str, step_on: str = "epoch") -> Any:
    def factory(**params: Any) -> CallbackLRScheduler:
        return CallbackLRScheduler(scheduler_class, step_on, id=key, **params)

    factory.__name__ = key
    return factory


_sched = torch.optim.lr_scheduler
lr_step = _lr(_sched.StepLR, "lr_step")
lr_cosine_annealing = _lr(_sched.CosineAnnealingLR, "lr_cosine_annealing")
lr_lambda = _lr(_sched.LambdaLR, "lr_lambda")
lr_multiplicative = _lr(_sched.MultiplicativeLR, "lr_multiplicative")
lr_one_cycle = _lr(_sched.OneCycleLR, "lr_one_cycle", "batch")
lr_reduce_on_plateau = _lr(_sched.ReduceLROnPlateau, "lr_reduce_on_plateau", "valid")
