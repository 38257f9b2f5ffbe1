"""Deterministic batch steps: a torchvision ``v2.functional`` call on a whole batch.

A :class:`Functional` step stores the function's name and keyword arguments (plain values), so
it pickles with the task and the trained learner, and calls
``torchvision.transforms.v2.functional.<name>(batch, **kwargs)`` once per batch: the functional
API treats every leading dimension as a batch dimension.
"""

from __future__ import annotations

from typing import Any

import torch

__all__ = ["Functional", "images_view"]


class Functional:
    """Call ``torchvision.transforms.v2.functional.<name>(batch, **kwargs)`` on each batch.

    Parameters
    ----------
    name : str
        A function of ``torchvision.transforms.v2.functional`` (``"resize"``, ``"pad"``...).
    **kwargs
        Its arguments after the image (plain values: they are pickled with the step).

    Examples
    --------
    >>> step = Functional("resize", size=[32, 32], antialias=True)
    >>> step(torch.zeros(4, 1, 28, 28)).shape
    torch.Size([4, 1, 32, 32])
    """

    def __init__(self, name: str, **kwargs: Any):
        self.name = name
        self.kwargs = kwargs
        self._fn: Any = None

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        fn = self._fn
        if fn is None:
            from torchvision.transforms.v2 import functional

            fn = self._fn = getattr(functional, self.name)
        return fn(x, **self.kwargs)

    def __getstate__(self) -> dict[str, Any]:
        return {"name": self.name, "kwargs": self.kwargs}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.name, self.kwargs, self._fn = state["name"], state["kwargs"], None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"Functional({self.name}{', ' + args if args else ''})"


def images_view(x: torch.Tensor) -> tuple[torch.Tensor, tuple[int, ...], torch.dtype]:
    """View ``(B, *lead, H, W)`` as float images ``(B, C, H, W)`` with ``C = prod(lead)``.

    Returns the view, the leading shape (to restore with :func:`restore`) and the input dtype.
    """
    lead = tuple(x.shape[1:-2])
    dtype = x.dtype
    y = x.reshape(x.shape[0], -1, *x.shape[-2:])
    if not y.is_floating_point():
        y = y.to(torch.float32)
    return y, lead, dtype


def restore(y: torch.Tensor, lead: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """Undo :func:`images_view` on a result ``(B, C, h, w)``: leading shape and (integer) dtype."""
    y = y.reshape(y.shape[0], *lead, *y.shape[-2:])
    if dtype.is_floating_point:
        return y.to(dtype)
    info = torch.iinfo(dtype)
    return y.round().clamp(info.min, info.max).to(dtype)
