"""Small picklable preprocessing steps for :meth:`DataDescriptor.with_step`.

Steps must pickle for tasks and trained learners to pickle, so lambdas will not do; these
classes cover the common cases and show the pattern: a callable object on a batch tensor with
an ``out_shape(shape_in)`` method that can be passed as ``shape_out``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.lazy.descriptor import Shape

__all__ = ["Reshape", "BatchFn", "RandomFlip"]


class Reshape:
    """Reshape each row: ``Reshape((-1, 784))`` turns ``(B, 1, 28, 28)`` into ``(B, 784)``.

    Parameters
    ----------
    shape : sequence of int
        The target shape including the batch dimension, which must be ``-1`` or ``None``;
        one other entry may be ``-1``.

    Examples
    --------
    >>> step = Reshape((-1, 784))
    >>> step(torch.zeros(2, 1, 28, 28)).shape, step.out_shape((None, 1, 28, 28))
    (torch.Size([2, 784]), (None, 784))
    """

    def __init__(self, shape: Sequence[int | None]):
        shape = tuple(shape)
        if not shape or shape[0] not in (-1, None):
            raise InvalidParameterError(
                f"Reshape: shape {shape!r} must start with -1 (or None) for the batch dimension, e.g. (-1, 784)."
            )
        self.shape = (-1, *(-1 if d is None else int(d) for d in shape[1:]))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.shape[1:])

    def out_shape(self, shape_in: Shape | None) -> Shape:
        """Return the output shape for ``shape_in`` (batch dimension None)."""
        rest = list(self.shape[1:])
        if -1 in rest:
            known_in = None if shape_in is None or any(d is None for d in shape_in[1:]) else math.prod(shape_in[1:])
            fixed = math.prod(d for d in rest if d != -1)
            rest[rest.index(-1)] = None if known_in is None or fixed == 0 else known_in // fixed
        return (None, *rest)

    def __repr__(self) -> str:
        return f"Reshape({self.shape})"


class BatchFn:
    """Wrap a picklable function and keyword arguments as a step: ``BatchFn(torch.clamp, min=0)``.

    Examples
    --------
    >>> BatchFn(torch.clamp, min=0.0)(torch.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    def __init__(self, fn: Callable[..., torch.Tensor], **kwargs: Any):
        self.fn = fn
        self.kwargs = kwargs

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x, **self.kwargs)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return f"BatchFn({getattr(self.fn, '__name__', self.fn)}{', ' + args if args else ''})"


class RandomFlip:
    """Flip each row of a batch along ``dim`` with probability ``p``, drawn per row.

    ``torchvision.transforms.v2`` random transforms draw once per call, so on a batch they flip
    all rows or none; this step draws per row and stays one vectorised op.

    Parameters
    ----------
    p : float
        Probability that a row is flipped.
    dim : int
        The dimension to flip: ``-1`` is horizontal, ``-2`` vertical for images ``(B, C, H, W)``.

    Examples
    --------
    >>> x = torch.arange(4.0).reshape(2, 1, 1, 2)
    >>> RandomFlip(p=1.0)(x).flatten().tolist()
    [1.0, 0.0, 3.0, 2.0]
    """

    def __init__(self, p: float = 0.5, dim: int = -1):
        if not 0.0 <= float(p) <= 1.0:
            raise InvalidParameterError(f"RandomFlip: p must be in [0, 1], got {p!r}.")
        self.p = float(p)
        self.dim = int(dim)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        flip = torch.rand(x.shape[0], device=x.device) < self.p
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        return torch.where(flip.view(shape), x.flip(self.dim), x)

    def out_shape(self, shape_in: Shape | None) -> Shape | None:
        """Flipping keeps the shape."""
        return shape_in

    def __repr__(self) -> str:
        return f"RandomFlip(p={self.p}, dim={self.dim})"
