"""``t_clbk``, ``t_clbks`` and ``as_torch_callbacks``: callbacks from the registry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.registry import registry
from jupytorch.nn.callbacks.base import Callback

__all__ = ["as_torch_callback", "as_torch_callbacks", "t_clbk", "t_clbks"]


def t_clbk(key: str, **params: Any) -> Callback:
    """Return a built-in callback with parameter values set.

    Keys: ``history``, ``progress``, ``checkpoint``, ``lr_step``, ``lr_cosine_annealing``,
    ``lr_lambda``, ``lr_multiplicative``, ``lr_one_cycle``, ``lr_reduce_on_plateau``,
    ``unfreeze`` (``t_clbks()`` lists them).

    Examples
    --------
    >>> t_clbk("lr_step", step_size=10, gamma=0.5).param_set.values
    {'step_size': 10, 'gamma': 0.5}
    """
    cb = registry("callback").get(key)
    return cb.configure(**params) if params else cb


def t_clbks(keys: Iterable[str] | None = None) -> Any:
    """Return several callbacks, or with no keys a DataFrame listing the registry.

    Examples
    --------
    >>> "history" in set(t_clbks()["key"])
    True
    """
    if keys is not None:
        return [t_clbk(k) for k in keys]
    import pandas as pd

    reg = registry("callback")
    return pd.DataFrame([{"key": k, **reg.meta(k)} for k in reg])


def as_torch_callback(x: Any) -> Callback:
    """A callback from a Callback, a Callback subclass (instantiated with defaults) or a key."""
    if isinstance(x, Callback):
        return x
    if isinstance(x, str):
        return t_clbk(x)
    if isinstance(x, type) and issubclass(x, Callback):
        return x()
    raise InvalidParameterError(
        f"Cannot use a {type(x).__name__} as a callback; give jt.t_clbk('history'), a jt.Callback subclass or "
        "instance, or jt.torch_callback(id, on_epoch_end=...)."
    )


def as_torch_callbacks(x: Any) -> list[Callback]:
    """A list of callbacks from one callback, a list of them, or None; ids must be unique."""
    if x is None:
        return []
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    callbacks = [as_torch_callback(item) for item in items]
    seen: set[str] = set()
    for cb in callbacks:
        if cb.id in seen:
            raise InvalidParameterError(
                f"Two callbacks have the id {cb.id!r}; ids must be unique. Rename one: cb.set_id('other')."
            )
        if cb.id == "early_stopping":
            raise InvalidParameterError(
                "The callback id 'early_stopping' is reserved: early stopping is added by the learner when patience > 0."
            )
        seen.add(cb.id)
    return callbacks
