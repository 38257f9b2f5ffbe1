"""Small network modules used by the built-in torch learners."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

__all__ = ["FeaturelessModule", "make_mlp"]


def make_mlp(d_in: int, d_out: int, neurons: Sequence[int] = (), p: float = 0.1,
             activation: type = torch.nn.ReLU, activation_args: Mapping[str, Any] | None = None) -> torch.nn.Sequential:
    """A multilayer perceptron: per hidden layer Linear, activation, Dropout; then a Linear head.

    Shape
    -----
    - Input: ``(B, d_in)``
    - Output: ``(B, d_out)``

    Examples
    --------
    >>> make_mlp(4, 3, neurons=(8,), p=0.0)
    Sequential(
      (0): Linear(in_features=4, out_features=8, bias=True)
      (1): ReLU()
      (2): Dropout(p=0.0, inplace=False)
      (3): Linear(in_features=8, out_features=3, bias=True)
    )
    """
    layers: list[torch.nn.Module] = []
    width = d_in
    for n in neurons:
        layers += [torch.nn.Linear(width, n), activation(**dict(activation_args or {})), torch.nn.Dropout(p)]
        width = n
    layers.append(torch.nn.Linear(width, d_out))
    return torch.nn.Sequential(*layers)


class FeaturelessModule(torch.nn.Module):
    """Ignores its input and returns one learned vector per row (a constant model).

    Shape
    -----
    - Input: ``(B, *)``
    - Output: ``(B, d_out)``

    Examples
    --------
    >>> FeaturelessModule(2)(torch.zeros(3, 0)).shape
    torch.Size([3, 2])
    """

    def __init__(self, d_out: int):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(d_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bias.expand(x.shape[0], -1)

    def extra_repr(self) -> str:
        return f"d_out={self.bias.shape[0]}"
