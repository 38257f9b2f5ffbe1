"""``t_clbk("unfreeze")``: train some weights first, unfreeze others later (fine-tuning)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.callbacks.base import Callback

__all__ = ["CallbackUnfreeze"]

Selector = Callable[[list[str]], Sequence[str]]


def _select(selector: Any, names: list[str], what: str) -> list[str]:
    if selector is None:
        return list(names)
    chosen = list(selector(names)) if callable(selector) else list(selector)
    unknown = [n for n in chosen if n not in names]
    if unknown:
        from jupytorch.core.exceptions import did_you_mean

        raise InvalidParameterError(
            f"Callback 'unfreeze': {what} names parameters {unknown} that the network does not have."
            f"{did_you_mean(unknown[0], names)} Parameters: {names[:10]}{' ...' if len(names) > 10 else ''}."
        )
    return chosen


class CallbackUnfreeze(Callback):
    """Freeze all weights but ``starting_weights``; unfreeze more at given epochs or batches.

    Parameters
    ----------
    starting_weights : callable or list of str, optional
        Selects the parameter names (``network.named_parameters()``) trained from the start:
        a function ``names -> names`` such as ``jt.selector_name([...])``, or a list of names.
        Default: all.
    unfreeze : list of dict
        Each dict has ``"weights"`` (a selector or list of names) and either ``"epoch"`` (made
        trainable at the start of that epoch) or ``"batch"`` (after that many batches in total).

    Examples
    --------
    >>> import jupytorch as jt
    >>> cb = jt.t_clbk("unfreeze", starting_weights=["2.weight", "2.bias"],
    ...                unfreeze=[{"epoch": 3, "weights": ["0.weight", "0.bias"]}])
    >>> cb.param_set.values["unfreeze"][0]["epoch"]
    3
    """

    every_rank = True  # it changes the training: every process of a ddp training runs it

    def __init__(self, starting_weights: Selector | Sequence[str] | None = None, unfreeze: Sequence[dict[str, Any]] = ()):
        self.starting_weights = starting_weights
        self.unfreeze = unfreeze

    def _check_schedule(self) -> list[dict[str, Any]]:
        schedule = []
        for i, entry in enumerate(self.unfreeze or ()):
            keys = set(entry)
            if "weights" not in keys or len(keys & {"epoch", "batch"}) != 1 or keys - {"weights", "epoch", "batch"}:
                raise InvalidParameterError(
                    f"Callback 'unfreeze': entry {i} of unfreeze must be a dict with 'weights' and one of 'epoch' or "
                    f"'batch', got {entry!r}."
                )
            schedule.append(dict(entry))
        return schedule

    def on_begin(self) -> None:
        self._schedule = self._check_schedule()
        params = dict(self.ctx.network.named_parameters())
        self._names = list(params)
        trainable = set(_select(self.starting_weights, self._names, "starting_weights"))
        for name, param in params.items():
            param.requires_grad_(name in trainable)
        self._by_epoch = {e["epoch"]: e["weights"] for e in self._schedule if "epoch" in e}
        self._by_batch = {e["batch"]: e["weights"] for e in self._schedule if "batch" in e}

    def _unfreeze(self, selector: Any) -> None:
        params = dict(self.ctx.network.named_parameters())
        for name in _select(selector, self._names, "unfreeze"):
            params[name].requires_grad_(True)

    def on_epoch_begin(self) -> None:
        selector = self._by_epoch.get(self.ctx.epoch)
        if selector is not None:
            self._unfreeze(selector)

    def on_batch_begin(self) -> None:
        if self._by_batch:
            selector = self._by_batch.get(self.ctx.global_step - 1)
            if selector is not None:
                self._unfreeze(selector)

    def _active_stages(self) -> list[str]:
        stages = ["on_begin", "on_epoch_begin"]
        if any("batch" in e for e in self._check_schedule()):
            stages.append("on_batch_begin")
        return stages
