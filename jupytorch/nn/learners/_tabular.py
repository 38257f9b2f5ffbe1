"""What the tabular learners (tab_resnet, ft_transformer, tabm) share: numeric and categorical
inputs, a learner base class, and a network base class that accepts the inputs by name or by position.
"""

from __future__ import annotations

from typing import Any

import torch

from jupytorch.core.exceptions import TaskError
from jupytorch.nn.ingress import ingress_categ, ingress_num
from jupytorch.nn.layers.tokenizers import OneHot
from jupytorch.nn.learner_torch import LearnerTorch

__all__ = ["FEATURE_TYPES", "LearnerTorchTabular", "TabularInput", "TabularNetwork", "tabular_tokens"]

FEATURE_TYPES = ("numeric", "integer", "logical", "factor", "ordered")


def tabular_tokens(learner_id: str, task: Any) -> dict[str, Any]:
    """Bound ingress tokens: ``"num"`` (numeric, integer) and ``"categ"`` (factor, ordered, logical), as present."""
    tokens = {}
    if task.feature_names_of(("numeric", "integer")):
        tokens["num"] = ingress_num().bind(task)
    if task.feature_names_of(("factor", "ordered", "logical")):
        tokens["categ"] = ingress_categ().bind(task)
    if not tokens:
        raise TaskError(f"Learner {learner_id!r}: task {task.id!r} has no numeric or categorical features.")
    return tokens


def token_sizes(tokens: dict[str, Any]) -> tuple[int, list[int]]:
    """(number of numeric features, cardinalities of the categorical ones)."""
    n_num = tokens["num"].shape[1] if "num" in tokens else 0
    cards = list(tokens["categ"].cardinalities) if "categ" in tokens else []
    return n_num, cards


class LearnerTorchTabular(LearnerTorch):
    """Base of the ready tabular learners: a ``"num"`` and a ``"categ"`` input (as the task has
    them), ``scale_target`` on for regression, and the network built by ``_network_from_tokens``.

    Examples
    --------
    >>> import jupytorch as jt
    >>> isinstance(jt.lrn("regr.tabm"), LearnerTorchTabular), jt.lrn("regr.tabm").param_set.values["scale_target"]
    (True, True)
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.task_type == "regr":  # raw targets such as dollars train badly: standardize them
            self.param_set.set_values(scale_target=True)

    def _ingress_tokens(self, task: Any, param_vals: dict[str, Any]) -> dict[str, Any]:
        return tabular_tokens(self.id, task)

    def _network(self, task: Any, param_vals: dict[str, Any]) -> torch.nn.Module:
        return self._network_from_tokens(task, param_vals, self._ingress_tokens(task, param_vals))


class TabularNetwork(torch.nn.Module):
    """Base of the tabular networks: ``forward(num=..., categ=...)``; one input may come by position.

    Examples
    --------
    >>> class Sum(TabularNetwork):
    ...     def tabular_forward(self, num, categ):
    ...         return num.sum(1, keepdim=True)
    >>> Sum(["num"])(torch.ones(2, 3)).tolist()
    [[3.0], [3.0]]
    """

    def __init__(self, input_names: list[str]):
        super().__init__()
        self.input_names = list(input_names)

    def forward(self, *args: torch.Tensor, num: torch.Tensor | None = None,
                categ: torch.Tensor | None = None) -> torch.Tensor:
        if args:
            given = dict(zip(self.input_names, args))
            num, categ = given.get("num", num), given.get("categ", categ)
        return self.tabular_forward(num, categ)

    def tabular_forward(self, num: torch.Tensor | None, categ: torch.Tensor | None) -> torch.Tensor:
        raise NotImplementedError


class TabularInput(torch.nn.Module):
    """Numeric features and one-hot categorical codes side by side: ``(B, n_num + sum(cardinalities))``.

    Examples
    --------
    >>> TabularInput(2, [3])(torch.ones(1, 2), torch.tensor([[1]])).tolist()
    [[1.0, 1.0, 0.0, 1.0, 0.0]]
    """

    def __init__(self, n_num: int, cardinalities: list[int]):
        super().__init__()
        self.one_hot = OneHot(cardinalities) if cardinalities else None
        self.width = n_num + (self.one_hot.width if self.one_hot is not None else 0)

    def forward(self, num: torch.Tensor | None, categ: torch.Tensor | None) -> torch.Tensor:
        parts = [] if num is None else [num]
        if self.one_hot is not None and categ is not None:
            parts.append(self.one_hot(categ))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
