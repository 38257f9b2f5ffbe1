"""``classif.tab_resnet`` / ``regr.tab_resnet``: the ResNet for tabular data of Gorishniy et al.
(2021), "Revisiting Deep Learning Models for Tabular Data".

The network: ``Linear(d_in, d_block)``, then ``n_blocks`` residual blocks
``x + Dropout2(Linear(Dropout1(ReLU(Linear(BatchNorm(x))))))`` with hidden width ``d_hidden``,
then the head ``Linear(ReLU(BatchNorm(x)))``. Categorical features enter one-hot encoded.

Examples
--------
>>> import jupytorch as jt
>>> learner = jt.lrn("regr.tab_resnet", n_blocks=2, d_block=16, epochs=1, batch_size=64, seed=1)
>>> _ = learner.train(jt.tsk("mtcars"))
>>> len(learner.network.blocks)
2
"""

from __future__ import annotations

from typing import Any

import torch

from jupytorch.core.paramset import ParamDbl, ParamInt, ParamSet
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.learners._tabular import (
    FEATURE_TYPES,
    LearnerTorchTabular,
    TabularInput,
    TabularNetwork,
    token_sizes,
)

__all__ = ["LearnerTorchTabResNet", "ResidualBlock", "TabResNet", "classif_tab_resnet", "regr_tab_resnet"]


class ResidualBlock(torch.nn.Module):
    """``x + Dropout2(Linear(Dropout1(ReLU(Linear(BatchNorm(x))))))``.

    Examples
    --------
    >>> ResidualBlock(8, 16, 0.1, 0.0)(torch.zeros(4, 8)).shape
    torch.Size([4, 8])
    """

    def __init__(self, d_block: int, d_hidden: int, dropout1: float, dropout2: float):
        super().__init__()
        self.norm = torch.nn.BatchNorm1d(d_block)
        self.linear_first = torch.nn.Linear(d_block, d_hidden)
        self.activation = torch.nn.ReLU()
        self.dropout_first = torch.nn.Dropout(dropout1)
        self.linear_second = torch.nn.Linear(d_hidden, d_block)
        self.dropout_second = torch.nn.Dropout(dropout2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.dropout_first(self.activation(self.linear_first(self.norm(x))))
        return x + self.dropout_second(self.linear_second(h))


class TabResNet(TabularNetwork):
    """The tabular ResNet on numeric features and one-hot categorical codes.

    Examples
    --------
    >>> net = TabResNet(["num"], n_num=3, cardinalities=[], d_out=1, n_blocks=1, d_block=4, d_hidden=8)
    >>> net(torch.zeros(2, 3)).shape
    torch.Size([2, 1])
    """

    def __init__(self, input_names: list[str], n_num: int, cardinalities: list[int], d_out: int, n_blocks: int,
                 d_block: int, d_hidden: int, dropout1: float = 0.0, dropout2: float = 0.0):
        super().__init__(input_names)
        self.input = TabularInput(n_num, cardinalities)
        self.first = torch.nn.Linear(self.input.width, d_block)
        self.blocks = torch.nn.Sequential(*(ResidualBlock(d_block, d_hidden, dropout1, dropout2) for _ in range(n_blocks)))
        self.head = torch.nn.Sequential(torch.nn.BatchNorm1d(d_block), torch.nn.ReLU(), torch.nn.Linear(d_block, d_out))

    def tabular_forward(self, num: torch.Tensor | None, categ: torch.Tensor | None) -> torch.Tensor:
        return self.head(self.blocks(self.first(self.input(num, categ))))


class LearnerTorchTabResNet(LearnerTorchTabular):
    """The tabular ResNet (mlr3torch's ``LearnerTorchTabResNet``).

    Parameters
    ----------
    task_type : {"classif", "regr"}
    loss, optimizer, callbacks
        See :class:`~jupytorch.nn.learner_torch.LearnerTorch`.

    Notes
    -----
    Parameters (besides the common ones): ``n_blocks`` and ``d_block`` (required),
    ``d_hidden`` (the blocks' hidden width) or ``d_hidden_multiplier`` (``d_hidden =
    int(d_block * multiplier)``, 2), ``dropout1`` (after the hidden activation, 0),
    ``dropout2`` (before the residual sum, 0). Regression learners start with
    ``scale_target=True``.

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("classif.tab_resnet", n_blocks=1, d_block=8, epochs=1, batch_size=32, seed=1)
    >>> learner.train(jt.tsk("iris")).predict(jt.tsk("iris")).response[:1].tolist() in (["setosa"], ["versicolor"], ["virginica"])
    True
    """

    def __init__(self, task_type: str = "classif", loss: Any = None, optimizer: Any = None, callbacks: Any = ()):
        t = {"train"}
        params = ParamSet({
            "n_blocks": ParamInt(0, None, tags={"train", "required"}),
            "d_block": ParamInt(1, None, tags={"train", "required"}),
            "d_hidden": ParamInt(1, None, default=None, special_vals=(None,), tags=t),
            "d_hidden_multiplier": ParamDbl(0, None, default=2.0, tags=t),
            "dropout1": ParamDbl(0, 1, default=0.0, tags=t),
            "dropout2": ParamDbl(0, 1, default=0.0, tags=t),
        })
        super().__init__(f"{task_type}.tab_resnet", task_type, loss=loss, optimizer=optimizer, callbacks=callbacks,
                         param_set=params, feature_types=FEATURE_TYPES, label="Tabular ResNet")

    def _network_from_tokens(self, task: Any, param_vals: dict[str, Any], tokens: dict[str, Any]) -> torch.nn.Module:
        n_num, cards = token_sizes(tokens)
        d_block = param_vals["d_block"]
        d_hidden = param_vals["d_hidden"] or int(d_block * param_vals["d_hidden_multiplier"])
        return TabResNet(list(tokens), n_num, cards, output_dim_for(task), param_vals["n_blocks"], d_block, d_hidden,
                         param_vals["dropout1"], param_vals["dropout2"])


def classif_tab_resnet(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchTabResNet:
    """``lrn("classif.tab_resnet")``."""
    return LearnerTorchTabResNet("classif", loss=loss, optimizer=optimizer, callbacks=callbacks)


def regr_tab_resnet(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchTabResNet:
    """``lrn("regr.tab_resnet")``."""
    return LearnerTorchTabResNet("regr", loss=loss, optimizer=optimizer, callbacks=callbacks)
