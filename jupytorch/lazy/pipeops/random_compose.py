"""Batch steps that combine other steps at random: one of several per row, or all in a random order.

They back ``po("augment_random_choice")`` and ``po("augment_random_order")``, whose
``transforms`` are preprocessing PipeOps (``po("augment_random_crop", size=24)``...) or
picklable batch callables (such as ``torchvision.transforms.v2`` transforms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["RandomChoice", "RandomOrder", "as_steps"]

Step = Callable[[torch.Tensor], torch.Tensor]


def as_steps(transforms: Sequence[Any]) -> list[Step]:
    """The batch steps of preprocessing PipeOps (with their current parameters) or callables.

    Examples
    --------
    >>> from jupytorch import po
    >>> as_steps([po("augment_random_horizontal_flip", p=1.0)])
    [RandomFlip(p=1.0, dim=-1)]
    """
    from jupytorch.lazy.pipeops.base import PipeOpTaskPreprocTorch

    steps = []
    for t in transforms:
        step = t._make_step(t.step_values()) if isinstance(t, PipeOpTaskPreprocTorch) else t
        if step is not None:
            steps.append(step)
    return steps


class RandomChoice:
    """Apply one of ``steps`` to each row, chosen per row with probabilities ``p`` (default: equal).

    Each step runs once per batch, on the rows that drew it; the steps must keep the shape
    or all give the same shape.

    Examples
    --------
    >>> step = RandomChoice([lambda x: x + 1, lambda x: x - 1])
    >>> sorted(step(torch.zeros(100, 1, 2, 2)).unique().tolist())
    [-1.0, 1.0]
    """

    def __init__(self, steps: Sequence[Step], p: Sequence[float] | None = None):
        self.steps = list(steps)
        if not self.steps:
            raise InvalidParameterError("RandomChoice needs at least one step.")
        if p is not None and (len(p) != len(self.steps) or any(v < 0 for v in p) or sum(p) <= 0):
            raise InvalidParameterError(
                f"RandomChoice: p must give {len(self.steps)} non-negative weights, one per transform, got {p!r}."
            )
        self.p = None if p is None else [float(v) for v in p]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        k = len(self.steps)
        weights = torch.ones(k) if self.p is None else torch.tensor(self.p)
        choice = torch.multinomial(weights, x.shape[0], replacement=True).to(x.device)
        out = None
        for i, step in enumerate(self.steps):
            rows = (choice == i).nonzero().flatten()
            if len(rows) == 0:
                continue
            part = step(x.index_select(0, rows))
            if out is None:
                out = part.new_empty((x.shape[0], *part.shape[1:]))
            if part.shape[1:] != out.shape[1:]:
                raise InvalidParameterError(
                    f"RandomChoice: transform {i} gives rows of shape {tuple(part.shape[1:])}, another gives "
                    f"{tuple(out.shape[1:])}; the transforms must agree on the output shape."
                )
            out.index_copy_(0, rows, part)
        return out if out is not None else x

    def __repr__(self) -> str:
        return f"RandomChoice({self.steps!r}, p={self.p})"


class RandomOrder:
    """Apply all ``steps``, in an order drawn anew for each batch; the steps must keep the shape.

    Examples
    --------
    >>> step = RandomOrder([lambda x: x * 2, lambda x: x + 1])
    >>> sorted({float(step(torch.ones(1))) for _ in range(40)})
    [3.0, 4.0]
    """

    def __init__(self, steps: Sequence[Step]):
        self.steps = list(steps)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        for i in torch.randperm(len(self.steps)).tolist():
            x = self.steps[i](x)
        return x

    def __repr__(self) -> str:
        return f"RandomOrder({self.steps!r})"
