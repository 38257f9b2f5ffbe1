"""``classif.ft_transformer`` / ``regr.ft_transformer``: the FT-Transformer of Gorishniy et al.
(2021), "Revisiting Deep Learning Models for Tabular Data".

Every feature becomes a token of size ``d_token`` (numeric: a learned vector scaled by the
value plus a bias; categorical: an embedding plus a bias), a learned [CLS] token is appended,
``n_blocks`` transformer blocks follow (the last computes only the [CLS] token), and the head
is ``Linear(ReLU(LayerNorm(cls)))``. The defaults are the paper's default configuration:
``d_token=192``, ``n_blocks=3``, 8 heads, ReGLU feed-forward of width ``4/3 * d_token``,
attention dropout 0.2, feed-forward dropout 0.1, residual dropout 0, prenormalization and
AdamW with ``lr=1e-4``, ``weight_decay=1e-5``.

Examples
--------
>>> import jupytorch as jt
>>> learner = jt.lrn("regr.ft_transformer", d_token=16, n_blocks=1, epochs=1, batch_size=64, seed=1)
>>> _ = learner.train(jt.tsk("mtcars"))
>>> learner.optimizer.id, learner.param_set.values["opt__lr"]
('adamw', 0.0001)
"""

from __future__ import annotations

from typing import Any

import torch

from jupytorch.core.imports import loadable_function
from jupytorch.core.paramset import ParamFct, ParamInt, ParamSet
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.layers.tokenizers import CLSToken, TokenizerCateg, TokenizerNum
from jupytorch.nn.layers.transformer import FTTransformerBlock, ft_block_params
from jupytorch.nn.learners._tabular import (
    FEATURE_TYPES,
    LearnerTorchTabular,
    TabularNetwork,
    token_sizes,
)
from jupytorch.nn.optimizers import t_opt

__all__ = ["FTTransformer", "LearnerTorchFTTransformer", "classif_ft_transformer", "ft_param_groups",
           "regr_ft_transformer"]

_BLOCK_ARGS = tuple(ft_block_params().params)


@loadable_function
def ft_param_groups(network: torch.nn.Module) -> list[dict[str, Any]]:
    """The paper's optimizer groups: no weight decay for the tokenizers, the [CLS] token, the
    normalization layers and the biases (the learner's default ``opt__param_groups``).

    Examples
    --------
    >>> groups = ft_param_groups(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LayerNorm(2)))
    >>> [len(g["params"]) for g in groups], groups[1]["weight_decay"]
    ([1, 3], 0.0)
    """
    exempt_types = (TokenizerNum, TokenizerCateg, CLSToken, torch.nn.LayerNorm, torch.nn.BatchNorm1d)
    exempt = {id(p) for m in network.modules() if isinstance(m, exempt_types) for p in m.parameters()}
    exempt |= {id(p) for name, p in network.named_parameters() if name.endswith("bias")}
    params = [p for p in network.parameters() if p.requires_grad]
    return [{"params": [p for p in params if id(p) not in exempt]},
            {"params": [p for p in params if id(p) in exempt], "weight_decay": 0.0}]


class FTTransformer(TabularNetwork):
    """Tokenizers, [CLS] token, ``n_blocks`` :class:`FTTransformerBlock` and the head.

    Examples
    --------
    >>> net = FTTransformer(["num", "categ"], n_num=2, cardinalities=[3], d_out=1, d_token=8, n_blocks=2,
    ...                     attention_n_heads=2)
    >>> net(num=torch.zeros(4, 2), categ=torch.zeros(4, 1, dtype=torch.long)).shape
    torch.Size([4, 1])
    """

    def __init__(self, input_names: list[str], n_num: int, cardinalities: list[int], d_out: int, d_token: int = 192,
                 n_blocks: int = 3, init_token: str = "uniform", **block_args: Any):
        super().__init__(input_names)
        if n_blocks < 1:  # the last block computes the [CLS] token the head reads
            raise ValueError(f"FTTransformer: n_blocks must be at least 1, got {n_blocks!r}.")
        self.tokenizer_num = TokenizerNum(n_num, d_token, True, init_token) if n_num else None
        self.tokenizer_categ = TokenizerCateg(cardinalities, d_token, True, init_token) if cardinalities else None
        self.cls = CLSToken(d_token, init_token)
        self.blocks = torch.nn.Sequential(*(
            FTTransformerBlock(d_token, is_first_layer=i == 0, query_idx=-1 if i == n_blocks - 1 else None, **block_args)
            for i in range(n_blocks)
        ))
        prenorm = self.blocks[-1].prenormalization  # as the blocks have it (their default unless given)
        self.head = torch.nn.Sequential(torch.nn.LayerNorm(d_token) if prenorm else torch.nn.Identity(),
                                        torch.nn.ReLU(), torch.nn.Linear(d_token, d_out))

    def tabular_forward(self, num: torch.Tensor | None, categ: torch.Tensor | None) -> torch.Tensor:
        tokens = []
        if self.tokenizer_num is not None and num is not None:
            tokens.append(self.tokenizer_num(num))
        if self.tokenizer_categ is not None and categ is not None:
            tokens.append(self.tokenizer_categ(categ))
        x = self.blocks(self.cls(tokens[0] if len(tokens) == 1 else torch.cat(tokens, dim=1)))
        return self.head(x[:, -1])


class LearnerTorchFTTransformer(LearnerTorchTabular):
    """The FT-Transformer (mlr3torch's ``LearnerTorchFTTransformer``).

    Parameters
    ----------
    task_type : {"classif", "regr"}
    loss, optimizer, callbacks
        See :class:`~jupytorch.nn.learner_torch.LearnerTorch`; the default optimizer is
        ``t_opt("adamw", lr=1e-4, weight_decay=1e-5, param_groups=ft_param_groups)`` (the paper's).

    Notes
    -----
    Parameters (besides the common ones): ``n_blocks`` (3), ``d_token`` (192), ``init_token``
    ("uniform" or "normal", for the tokenizers and the [CLS] token), and those of
    ``nn("ft_transformer_block")``: ``attention_n_heads`` (8), ``attention_dropout`` (0.2),
    ``attention_initialization`` ("kaiming"), ``attention_bias``, ``ffn_d_hidden`` or
    ``ffn_d_hidden_multiplier`` (4/3), ``ffn_dropout`` (0.1), ``ffn_activation`` ("reglu"),
    ``ffn_bias_first``, ``ffn_bias_second``, ``residual_dropout`` (0), ``prenormalization``
    (True), ``first_prenormalization`` (False). Regression learners start with
    ``scale_target=True``. As in the paper, the default optimizer applies no weight decay to the
    tokenizers, the [CLS] token, the norms and the biases (:func:`ft_param_groups`).

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("classif.ft_transformer", d_token=8, n_blocks=1, attention_n_heads=2)
    >>> learner.param_set.values["d_token"], learner.param_set.values["n_blocks"]
    (8, 1)
    """

    def __init__(self, task_type: str = "classif", loss: Any = None, optimizer: Any = None, callbacks: Any = ()):
        params = ParamSet({
            "n_blocks": ParamInt(1, None, default=3, tags={"train"}),
            "d_token": ParamInt(1, None, default=192, tags={"train"}),
            "init_token": ParamFct(["uniform", "normal"], default="uniform", tags={"train"}),
        })
        for pid, param in ft_block_params().params.items():
            params.add(pid, param)
        params.set_values(n_blocks=3, d_token=192)
        if optimizer is None:
            optimizer = t_opt("adamw", lr=1e-4, weight_decay=1e-5, param_groups=ft_param_groups)
        super().__init__(f"{task_type}.ft_transformer", task_type, loss=loss, optimizer=optimizer, callbacks=callbacks,
                         param_set=params, feature_types=FEATURE_TYPES, label="FT-Transformer")

    def _network_from_tokens(self, task: Any, param_vals: dict[str, Any], tokens: dict[str, Any]) -> torch.nn.Module:
        n_num, cards = token_sizes(tokens)
        block_args = {k: param_vals[k] for k in _BLOCK_ARGS if k in param_vals}
        return FTTransformer(list(tokens), n_num, cards, output_dim_for(task), d_token=param_vals["d_token"],
                             n_blocks=param_vals["n_blocks"], init_token=param_vals["init_token"],
                             **block_args)


def classif_ft_transformer(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchFTTransformer:
    """``lrn("classif.ft_transformer")``."""
    return LearnerTorchFTTransformer("classif", loss=loss, optimizer=optimizer, callbacks=callbacks)


def regr_ft_transformer(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchFTTransformer:
    """``lrn("regr.ft_transformer")``."""
    return LearnerTorchFTTransformer("regr", loss=loss, optimizer=optimizer, callbacks=callbacks)
