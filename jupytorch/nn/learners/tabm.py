"""``classif.tabm`` / ``regr.tabm``: TabM (Gorishniy et al. 2024, "TabM: Advancing Tabular Deep
Learning with Parameter-Efficient Ensembling"), an MLP that trains ``k`` members at once.

The input (numeric features and one-hot categorical codes) is viewed ``k`` times,
``(B, k, d_in)``; ``n_blocks`` BatchEnsemble linear layers (one shared weight matrix,
per-member scalings and biases; the first layer's input scalings start as random signs) with
ReLU and dropout follow, and ``k`` independent heads give ``(B, k, out)``. Each member is trained
on its own loss (the mean over members is minimized) and the prediction is the members' mean
(of probabilities for classification). ``arch_type="tabm-mini"`` keeps only the first scaling
per member and shares the rest of the MLP.

Examples
--------
>>> import jupytorch as jt
>>> learner = jt.lrn("regr.tabm", k=4, n_blocks=2, d_block=16, epochs=1, batch_size=64, seed=1)
>>> _ = learner.train(jt.tsk("mtcars"))
>>> len(learner.predict(jt.tsk("mtcars")).response)
32
"""

from __future__ import annotations

from typing import Any

import torch

from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamSet
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.layers.ensemble import (
    EnsembleView,
    LinearBatchEnsemble,
    LinearEnsemble,
    _init_scaling,
)
from jupytorch.nn.learners._tabular import (
    FEATURE_TYPES,
    LearnerTorchTabular,
    TabularInput,
    TabularNetwork,
    token_sizes,
)

__all__ = ["LearnerTorchTabM", "ScaleEnsemble", "TabM", "classif_tabm", "regr_tabm"]

_ACTIVATIONS = {"relu": torch.nn.ReLU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU}


class ScaleEnsemble(torch.nn.Module):
    """Per-member scaling of ``(B, k, d)`` (TabM-mini's only adapter).

    Examples
    --------
    >>> ScaleEnsemble(3, 2, "ones")(torch.ones(1, 3, 2)).tolist()
    [[[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]]]
    """

    def __init__(self, k: int, d: int, init: str = "random-signs"):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(k, d))
        _init_scaling(self.weight, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.weight


class TabM(TabularNetwork):
    """The TabM network; returns ``(B, k, d_out)``.

    Examples
    --------
    >>> net = TabM(["num"], n_num=3, cardinalities=[], d_out=1, k=4, n_blocks=2, d_block=8)
    >>> net(torch.zeros(5, 3)).shape
    torch.Size([5, 4, 1])
    """

    def __init__(self, input_names: list[str], n_num: int, cardinalities: list[int], d_out: int, k: int = 32,
                 n_blocks: int = 3, d_block: int = 512, dropout: float = 0.1, activation: str = "relu",
                 arch_type: str = "tabm", start_scaling_init: str = "random-signs"):
        super().__init__(input_names)
        self.input = TabularInput(n_num, cardinalities)
        layers: list[torch.nn.Module] = [EnsembleView(k)]
        d_in = self.input.width
        if arch_type == "tabm-mini":
            layers.append(ScaleEnsemble(k, d_in, start_scaling_init))
        for i in range(n_blocks):
            d = d_in if i == 0 else d_block
            if arch_type == "tabm":
                layers.append(LinearBatchEnsemble(d, d_block, k, scaling_init=start_scaling_init if i == 0 else "ones"))
            else:
                layers.append(torch.nn.Linear(d, d_block))
            layers += [_ACTIVATIONS[activation](), torch.nn.Dropout(dropout)]
        self.backbone = torch.nn.Sequential(*layers)
        self.head = LinearEnsemble(d_block if n_blocks else d_in, d_out, k)

    def tabular_forward(self, num: torch.Tensor | None, categ: torch.Tensor | None) -> torch.Tensor:
        return self.head(self.backbone(self.input(num, categ)))


class LearnerTorchTabM(LearnerTorchTabular):
    """TabM (mlr3torch's ``LearnerTorchTabM``).

    Parameters
    ----------
    task_type : {"classif", "regr"}
    loss, optimizer, callbacks
        See :class:`~jupytorch.nn.learner_torch.LearnerTorch`.

    Notes
    -----
    Parameters (besides the common ones): ``arch_type`` ("tabm" or "tabm-mini"), ``k`` (32
    members), ``n_blocks`` (3), ``d_block`` (512), ``dropout`` (0.1), ``activation`` ("relu",
    "gelu", "silu"), ``start_scaling_init`` ("random-signs" or "normal": the first layer's
    per-member input scalings). Categorical features enter one-hot encoded; mlr3torch's numeric
    embeddings (``num_embeddings``) are not available. Regression learners start with
    ``scale_target=True``.

    Examples
    --------
    >>> import jupytorch as jt
    >>> jt.lrn("classif.tabm").param_set.values["k"]
    32
    """

    def __init__(self, task_type: str = "classif", loss: Any = None, optimizer: Any = None, callbacks: Any = ()):
        t = {"train"}
        params = ParamSet({
            "arch_type": ParamFct(["tabm", "tabm-mini"], default="tabm", tags=t),
            "k": ParamInt(1, None, default=32, tags=t),
            "n_blocks": ParamInt(0, None, default=3, tags=t),
            "d_block": ParamInt(1, None, default=512, tags=t),
            "dropout": ParamDbl(0, 1, default=0.1, tags=t),
            "activation": ParamFct(list(_ACTIVATIONS), default="relu", tags=t),
            "start_scaling_init": ParamFct(["random-signs", "normal"], default="random-signs", tags=t),
        })
        params.set_values(k=32, n_blocks=3, d_block=512, dropout=0.1)
        super().__init__(f"{task_type}.tabm", task_type, loss=loss, optimizer=optimizer, callbacks=callbacks,
                         param_set=params, feature_types=FEATURE_TYPES, label="TabM (batch-ensembled MLP)")

    def _network_from_tokens(self, task: Any, param_vals: dict[str, Any], tokens: dict[str, Any]) -> torch.nn.Module:
        n_num, cards = token_sizes(tokens)
        args = {k: param_vals[k] for k in ("k", "n_blocks", "d_block", "dropout", "activation", "arch_type",
                                           "start_scaling_init") if k in param_vals}
        return TabM(list(tokens), n_num, cards, output_dim_for(task), **args)


def classif_tabm(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchTabM:
    """``lrn("classif.tabm")``."""
    return LearnerTorchTabM("classif", loss=loss, optimizer=optimizer, callbacks=callbacks)


def regr_tabm(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchTabM:
    """``lrn("regr.tabm")``."""
    return LearnerTorchTabM("regr", loss=loss, optimizer=optimizer, callbacks=callbacks)
