"""Transformer layers on token sequences ``(batch, tokens, d)``: ``nn("transformer_encoder_layer")``
(:class:`torch.nn.TransformerEncoderLayer`) and ``nn("ft_transformer_block")`` (the block of the
FT-Transformer, Gorishniy et al. 2021: attention and a gated feed-forward part, each with a
residual connection).

Examples
--------
>>> from jupytorch import nn
>>> nn("transformer_encoder_layer", nhead=2, dim_feedforward=16).shapes_out((None, 5, 8))
[(None, 5, 8)]
>>> nn("ft_transformer_block", attention_n_heads=2, query_idx=-1).shapes_out((None, 5, 8))
[(None, 1, 8)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import torch

from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamLgl, ParamSet
from jupytorch.nn.layers.activations import GeGLU, ReGLU
from jupytorch.nn.pipeop_torch import PipeOpTorch, torch_layer
from jupytorch.nn.shapes import Shape

__all__ = ["FTTransformerBlock", "PipeOpTorchFTTransformerBlock", "PipeOpTorchTransformerEncoderLayer"]

_TOKENS = "(batch, tokens, d)"

_EncoderBase = torch_layer(
    "_EncoderBase", "transformer_encoder_layer", torch.nn.TransformerEncoderLayer, __name__,
    inferred={"d_model": (-1, "token size")}, ndims=(3,), ndims_text=_TOKENS, exclude=("batch_first",),
)


class PipeOpTorchTransformerEncoderLayer(_EncoderBase):  # type: ignore[misc, valid-type]
    """``nn("transformer_encoder_layer", nhead=...)``: :class:`torch.nn.TransformerEncoderLayer` on
    ``(batch, tokens, d)`` (``batch_first``), ``d_model`` read from the input.

    Parameters (``param_set``): ``nhead`` (required, must divide d), ``dim_feedforward`` (2048),
    ``dropout`` (0.1), ``activation`` ("relu"), ``layer_norm_eps``, ``norm_first``, ``bias``.
    """

    def _module_args(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> dict[str, Any]:
        return {**super()._module_args(shapes_in, param_vals, task), "batch_first": True}


class FTTransformerBlock(torch.nn.Module):
    """One FT-Transformer block: multi-head self-attention and a feed-forward part with residuals.

    Parameters
    ----------
    d_token : int
    attention_n_heads : int
    attention_dropout : float
    attention_bias : bool
    ffn_d_hidden : int
        Hidden size of the feed-forward part (gated activations use twice as many pre-activations).
    ffn_dropout : float
    ffn_activation : {"reglu", "geglu", "relu", "gelu"}
    residual_dropout : float
    prenormalization : bool
        Normalise before each part (True) or after each residual (False).
    is_first_layer : bool
        With prenormalization: skip the normalisation before the first attention.
    query_idx : int or None
        None: every token attends and is returned. An index (``-1``: the [CLS] token): only that
        token is returned, ``(B, 1, d)``; use it in the last block.

    Examples
    --------
    >>> FTTransformerBlock(8, 2, ffn_d_hidden=12)(torch.zeros(3, 5, 8)).shape
    torch.Size([3, 5, 8])
    """

    def __init__(self, d_token: int, attention_n_heads: int = 8, attention_dropout: float = 0.2,
                 attention_bias: bool = True, ffn_d_hidden: int | None = None, ffn_dropout: float = 0.1,
                 ffn_activation: str = "reglu", residual_dropout: float = 0.0, prenormalization: bool = True,
                 is_first_layer: bool = False, query_idx: int | None = None):
        super().__init__()
        hidden = ffn_d_hidden or max(1, int(d_token * 4 / 3))
        gated = ffn_activation in ("reglu", "geglu")
        self.attention = torch.nn.MultiheadAttention(d_token, attention_n_heads, dropout=attention_dropout,
                                                     bias=attention_bias, batch_first=True)
        self.attention_norm = None if (prenormalization and is_first_layer) else torch.nn.LayerNorm(d_token)
        self.ffn_norm = torch.nn.LayerNorm(d_token)
        self.linear_first = torch.nn.Linear(d_token, hidden * (2 if gated else 1))
        self.activation = {"reglu": ReGLU, "geglu": GeGLU, "relu": torch.nn.ReLU, "gelu": torch.nn.GELU}[ffn_activation]()
        self.ffn_dropout = torch.nn.Dropout(ffn_dropout)
        self.linear_second = torch.nn.Linear(hidden, d_token)
        self.residual_dropout = torch.nn.Dropout(residual_dropout)
        self.prenormalization = prenormalization
        self.query_idx = query_idx

    def _norm(self, norm: torch.nn.Module | None, x: torch.Tensor, before: bool) -> torch.Tensor:
        if norm is None or before != self.prenormalization:
            return x
        return norm(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self._norm(self.attention_norm, x, before=True)
        if self.query_idx is None:
            query = h
        else:
            index = self.query_idx % h.shape[1]
            query, x = h[:, index:index + 1], x[:, index:index + 1]
        attended = self.attention(query, h, h, need_weights=False)[0]
        x = self._norm(self.attention_norm, x + self.residual_dropout(attended), before=False)
        h = self._norm(self.ffn_norm, x, before=True)
        h = self.linear_second(self.ffn_dropout(self.activation(self.linear_first(h))))
        return self._norm(self.ffn_norm, x + self.residual_dropout(h), before=False)


class PipeOpTorchFTTransformerBlock(PipeOpTorch):
    """``nn("ft_transformer_block")``: an :class:`FTTransformerBlock` on ``(batch, tokens, d_token)``.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    attention_n_heads : int, default 8
        Must divide ``d_token`` (read from the input).
    attention_dropout : float, default 0.2
    attention_bias : bool, default True
    ffn_d_hidden : int, optional
        Default ``4/3 * d_token``.
    ffn_dropout : float, default 0.1
    ffn_activation : {"reglu", "geglu", "relu", "gelu"}, default "reglu"
    residual_dropout : float, default 0.0
    prenormalization : bool, default True
    is_first_layer : bool, default False
    query_idx : int, optional
        ``-1`` in the last block: return only the [CLS] token, ``(B, 1, d)``.
    """

    key = "nn_ft_transformer_block"
    module_generator = FTTransformerBlock
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"d_token": (-1, "token size")}
    ndims = (3,)
    ndims_text = _TOKENS

    def __init__(self, id: str = "ft_transformer_block", param_vals: Mapping[str, Any] | None = None):
        t = {"train"}
        ps = ParamSet({
            "attention_n_heads": ParamInt(1, None, default=8, tags=t),
            "attention_dropout": ParamDbl(0, 1, default=0.2, tags=t),
            "attention_bias": ParamLgl(default=True, tags=t),
            "ffn_d_hidden": ParamInt(1, None, default=None, special_vals=(None,), tags=t),
            "ffn_dropout": ParamDbl(0, 1, default=0.1, tags=t),
            "ffn_activation": ParamFct(["reglu", "geglu", "relu", "gelu"], default="reglu", tags=t),
            "residual_dropout": ParamDbl(0, 1, default=0.0, tags=t),
            "prenormalization": ParamLgl(default=True, tags=t),
            "is_first_layer": ParamLgl(default=False, tags=t),
            "query_idx": ParamInt(default=None, special_vals=(None,), tags=t),
        })
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        b, t, d = shapes_in[0]
        return [(b, t if param_vals["query_idx"] is None else 1, d)]
