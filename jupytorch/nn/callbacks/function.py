"""``torch_callback``: an ad-hoc callback from functions, without writing a class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamSet
from jupytorch.core.signature import params_from_values
from jupytorch.nn.callbacks.base import STAGES, Callback

__all__ = ["FunctionCallback", "torch_callback"]


class FunctionCallback(Callback):
    """A callback whose stages are functions ``fn(callback)``; made by :func:`torch_callback`."""

    def __init__(self, id: str, hooks: dict[str, Callable[[Any], Any]], params: dict[str, Any],
                 state_dict: Callable[[Any], Any] | None = None,
                 load_state_dict: Callable[[Any, Any], None] | None = None, weight: float = 0.0):
        self.id = id
        self._hooks = dict(hooks)
        self._param_names = list(params)
        self._state_fn = state_dict
        self._load_fn = load_state_dict
        self.weight = weight
        for name, value in params.items():
            self.__dict__[name] = value

    def _build_param_set(self) -> ParamSet:
        return params_from_values({name: self.__dict__[name] for name in self._param_names})

    def _active_stages(self) -> list[str]:
        return [s for s in STAGES if s in self._hooks]

    def _call(self, stage: str) -> None:
        self._hooks[stage](self)

    def state_dict(self) -> Any:
        return None if self._state_fn is None else self._state_fn(self)

    def load_state_dict(self, state: Any) -> None:
        if self._load_fn is not None:
            self._load_fn(self, state)


def _stage_method(stage: str) -> Callable[[FunctionCallback], None]:
    def method(self: FunctionCallback) -> None:
        fn = self._hooks.get(stage)
        if fn is not None:
            fn(self)

    method.__name__ = stage
    return method


for _stage in STAGES:
    setattr(FunctionCallback, _stage, _stage_method(_stage))


def torch_callback(
    id: str,
    *,
    on_begin: Callable[[Any], Any] | None = None,
    on_epoch_begin: Callable[[Any], Any] | None = None,
    on_batch_begin: Callable[[Any], Any] | None = None,
    on_after_backward: Callable[[Any], Any] | None = None,
    on_batch_end: Callable[[Any], Any] | None = None,
    on_before_valid: Callable[[Any], Any] | None = None,
    on_batch_valid_begin: Callable[[Any], Any] | None = None,
    on_batch_valid_end: Callable[[Any], Any] | None = None,
    on_valid_end: Callable[[Any], Any] | None = None,
    on_epoch_end: Callable[[Any], Any] | None = None,
    on_end: Callable[[Any], Any] | None = None,
    on_exit: Callable[[Any], Any] | None = None,
    state_dict: Callable[[Any], Any] | None = None,
    load_state_dict: Callable[[Any, Any], None] | None = None,
    weight: float = 0.0,
    **params: Any,
) -> Callback:
    """Make a callback from functions.

    Each stage function receives the callback itself: ``cb.ctx`` is the training context and
    the keyword ``params`` are attributes of ``cb`` (and parameters ``cb__<id>__<name>`` of the
    learner). ``state_dict(cb)`` returns what to keep in ``learner.model.callbacks[id]``.

    Parameters
    ----------
    id : str
        The callback id.
    on_begin, ..., on_exit : callable, optional
        ``fn(cb)`` for the stages (see :class:`Callback` for when each runs).
    state_dict, load_state_dict : callable, optional
        ``state_dict(cb) -> state`` and ``load_state_dict(cb, state)``.
    weight : float
        Order among callbacks (lower first).
    **params
        Parameters with their initial values.

    Examples
    --------
    >>> import torch, jupytorch as jt
    >>> clipper = jt.torch_callback(
    ...     "gradient_clipper", max_norm=1.0,
    ...     on_after_backward=lambda cb: torch.nn.utils.clip_grad_norm_(cb.ctx.network.parameters(), cb.max_norm))
    >>> clipper.param_set.ids()
    ['max_norm']
    """
    hooks = {name: fn for name, fn in locals().items() if name in STAGES and fn is not None}
    for name, fn in hooks.items():
        if not callable(fn):
            raise InvalidParameterError(f"torch_callback {id!r}: {name} must be a function fn(cb), got {type(fn).__name__}.")
    reserved = set(params) & {"ctx", "id", "weight", "param_set"}
    if reserved:
        raise InvalidParameterError(f"torch_callback {id!r}: {sorted(reserved)} are reserved names, not parameters.")
    cb = FunctionCallback(id, hooks, params, state_dict, load_state_dict, weight)
    cb.set_id(id)
    return cb
