"""The ``Callback`` base class: no-op hooks at the mlr3torch training stages.

A callback subclasses :class:`Callback`, overrides the stages it needs and reads the running
training from ``self.ctx`` (a :class:`~jupytorch.nn.context.Context`). Only overridden stages are
called, so a callback that does nothing per batch costs nothing per batch.

Callbacks have parameters like scikit-learn estimators: the ``__init__`` arguments, stored
unchanged as attributes. They form the callback's ``param_set`` and appear in a learner as
``cb__<id>__<name>``. The callback given to a learner is a template: each ``train()`` works on a
fresh copy with the parameter values applied, and what ``state_dict()`` returns at the end is
kept in ``learner.model.callbacks[id]``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import NO_DEFAULT, Param, ParamSet
from jupytorch.core.signature import params_from_signature

__all__ = ["STAGES", "Callback"]

STAGES = (
    "on_begin",
    "on_epoch_begin",
    "on_batch_begin",
    "on_after_backward",
    "on_batch_end",
    "on_before_valid",
    "on_batch_valid_begin",
    "on_batch_valid_end",
    "on_valid_end",
    "on_epoch_end",
    "on_end",
    "on_exit",
)


class Callback:
    """Base class of training callbacks; every stage is a no-op.

    Stages, in the order the trainer calls them:

    ``on_begin`` (before training), ``on_epoch_begin``, then per batch ``on_batch_begin``
    (after ``zero_grad``, before the forward pass), ``on_after_backward`` (gradients are there),
    ``on_batch_end`` (after the optimizer step); after the epoch's batches ``on_before_valid``
    (training scores are in ``ctx.last_scores_train``), per validation batch
    ``on_batch_valid_begin`` / ``on_batch_valid_end``, ``on_valid_end`` (only when validation ran;
    ``ctx.last_scores_valid``), ``on_epoch_end``; ``on_end`` after the last epoch and ``on_exit``
    always, even after an error.

    Class attributes
    ----------------
    id : str
        Default id (``cb__<id>__*`` parameters, ``model.callbacks[id]``); default: the class
        name in snake case without "Callback". Set ``callback.id = "..."`` to change it.
    weight : float
        Callbacks run in increasing weight, then in the order given (early stopping: 1000,
        checkpoint: infinity).
    every_rank : bool
        With ``strategy="ddp"`` (several processes train one network) a callback runs in rank 0
        only, unless it changes the training itself (the learning rate, gradients, frozen
        layers): then set ``every_rank = True`` and it runs in every process, so that the
        copies of the network stay equal. The learning-rate schedulers and ``unfreeze`` do.

    Examples
    --------
    >>> import torch, jupytorch as jt
    >>> class GradientClipper(jt.Callback):
    ...     def __init__(self, max_norm: float = 1.0):
    ...         self.max_norm = max_norm
    ...     def on_after_backward(self):
    ...         torch.nn.utils.clip_grad_norm_(self.ctx.network.parameters(), self.max_norm)
    >>> clipper = GradientClipper(max_norm=0.5)
    >>> clipper.id, clipper.param_set.values
    ('gradient_clipper', {'max_norm': 0.5})
    """

    weight: ClassVar[float] = 0.0
    every_rank: ClassVar[bool] = False
    ctx: Any = None
    _param_specs: ClassVar[Mapping[str, Param]] = {}

    # -- stages (no-ops) ---------------------------------------------------------------------
    def on_begin(self) -> None:
        """Before the first epoch (``ctx.epoch`` is 0)."""

    def on_epoch_begin(self) -> None:
        """At the start of each epoch."""

    def on_batch_begin(self) -> None:
        """After ``optimizer.zero_grad()``, before the forward pass."""

    def on_after_backward(self) -> None:
        """After ``loss.backward()``, before the optimizer step (gradient clipping goes here)."""

    def on_batch_end(self) -> None:
        """After the optimizer step."""

    def on_before_valid(self) -> None:
        """After the epoch's training batches and training scores, before validation."""

    def on_batch_valid_begin(self) -> None:
        """Before the forward pass of a validation batch."""

    def on_batch_valid_end(self) -> None:
        """After the forward pass of a validation batch."""

    def on_valid_end(self) -> None:
        """After validation (only in epochs where it ran)."""

    def on_epoch_end(self) -> None:
        """At the end of each epoch."""

    def on_end(self) -> None:
        """After the last epoch (also after an early stop or an interrupt)."""

    def on_exit(self) -> None:
        """Always, last, even when training failed."""

    # -- state ------------------------------------------------------------------------------
    def state_dict(self) -> Any:
        """What to keep after training (``learner.model.callbacks[id]``) and in checkpoints."""
        return None

    def load_state_dict(self, state: Any) -> None:
        """Restore what :meth:`state_dict` returned (used by ``resume``)."""

    # -- identity and parameters ------------------------------------------------------------------
    @property  # type: ignore[no-redef]
    def id(self) -> str:
        """The callback id (``cb__<id>__*`` parameters, ``model.callbacks[id]``)."""
        return self.__dict__.get("_id") or _default_id(type(self))

    @id.setter
    def id(self, value: str) -> None:
        self.__dict__["_id"] = value

    @property
    def param_set(self) -> ParamSet:
        """The callback's parameters, read from its ``__init__`` signature."""
        ps = self.__dict__.get("_param_set")
        if ps is None:
            ps = self._build_param_set()
            self.__dict__["_param_set"] = ps
        ps.owner = f"Callback {self.id!r}"
        return ps

    def _build_param_set(self) -> ParamSet:
        specs = {k: copy.deepcopy(v) for k, v in self._all_specs().items()}
        ps = params_from_signature(type(self), exclude=("id",), specs=specs)
        params = ps.params
        initial = {}
        for name, param in params.items():
            if name not in self.__dict__:
                continue
            value = self.__dict__[name]
            if param.default is NO_DEFAULT and value is None:
                continue  # a required parameter that is not set yet
            if param.default is NO_DEFAULT or not _same(value, param.default):
                initial[name] = value
        ps.set_values(**initial)
        return ps

    @classmethod
    def _all_specs(cls) -> dict[str, Param]:
        specs: dict[str, Param] = {}
        for klass in reversed(cls.__mro__):
            specs.update(klass.__dict__.get("_param_specs", {}))
        return specs

    def configure(self, **values: Any) -> Callback:
        """Set parameter values (checked) and the matching attributes; returns the callback."""
        self.param_set.set_values(**values)
        for name, value in self.param_set.values.items():
            if name in values:
                self.__dict__[name] = value
        return self

    def set_id(self, id: str) -> Callback:
        """Give this callback another id; returns it."""
        if not isinstance(id, str) or not id or "__" in id or "." in id:
            raise InvalidParameterError(f"Callback ids are plain names without '__' or '.', got {id!r}.")
        self.id = id
        return self

    def clone(self) -> Callback:
        """Return an independent copy (without a context)."""
        ctx, self.__dict__["ctx"] = self.__dict__.get("ctx"), None
        try:
            return copy.deepcopy(self)
        finally:
            self.__dict__["ctx"] = ctx

    def _instantiate(self, values: Mapping[str, Any] | None = None) -> Callback:
        """A fresh copy for one training run, with the parameter values applied as attributes."""
        fresh = self.clone()
        applied = self.param_set.values if values is None else values
        for name, value in applied.items():
            fresh.__dict__[name] = value
        return fresh

    def _active_stages(self) -> list[str]:
        """The stages this callback overrides (only those are called)."""
        cls = type(self)
        return [s for s in STAGES if getattr(cls, s) is not getattr(Callback, s)]

    def __repr__(self) -> str:
        values = self.param_set.values
        shown = ", ".join(f"{k}={_short(v)}" for k, v in values.items())
        return f"<{type(self).__name__}:{self.id}>" + (f" ({shown})" if shown else "")


def _default_id(cls: type) -> str:
    name = re.sub(r"^Callback|Callback$", "", cls.__name__) or cls.__name__
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or (type(a) is type(b) and a == b))
    except Exception:  # noqa: BLE001 - tensors and arrays compare elementwise
        return False


def _short(value: Any) -> str:
    text = getattr(value, "__name__", None) or repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


Hook = Callable[[], None]
