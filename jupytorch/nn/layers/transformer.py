"""Transformer layers on token sequences ``(batch, tokens, d)``: ``nn("transformer_encoder_layer")``
(:class:`torch.nn.TransformerEncoderLayer`, optionally causal) and ``nn("ft_transformer_block")``
(the block of the FT-Transformer, Gorishniy et al. 2021: attention and a gated feed-forward part,
each with a residual connection).

Examples
--------
>>> from jupytorch import nn
>>> nn("transformer_encoder_layer", nhead=2, dim_feedforward=16, is_causal=True).shapes_out((None, 5, 8))
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
from jupytorch.nn.layers.attention import FTMultiheadAttention
from jupytorch.nn.pipeop_torch import PipeOpTorch, torch_layer
from jupytorch.nn.shapes import Shape

__all__ = ["EncoderLayer", "FTTransformerBlock", "PipeOpTorchFTTransformerBlock", "PipeOpTorchTransformerEncoderLayer",
           "ffn_hidden"]

_TOKENS = "(batch, tokens, d)"


class EncoderLayer(torch.nn.TransformerEncoderLayer):
    """:class:`torch.nn.TransformerEncoderLayer` (batch first) with a fixed ``is_causal``.

    Examples
    --------
    >>> EncoderLayer(8, 2, dim_feedforward=16, is_causal=True)(torch.zeros(3, 5, 8)).shape
    torch.Size([3, 5, 8])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str = "relu", layer_norm_eps: float = 1e-5, norm_first: bool = False,
                 bias: bool = True, is_causal: bool = False):
        super().__init__(d_model, nhead, dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                         layer_norm_eps=layer_norm_eps, batch_first=True, norm_first=norm_first, bias=bias)
        self.is_causal = is_causal

    def forward(self, src: torch.Tensor, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> torch.Tensor:
        if self.is_causal and src_mask is None:
            src_mask = torch.nn.Transformer.generate_square_subsequent_mask(src.shape[1], device=src.device,
                                                                           dtype=src.dtype)
            is_causal = True
        return super().forward(src, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal)


_EncoderBase = torch_layer(
    "_EncoderBase", "transformer_encoder_layer", EncoderLayer, __name__,
    inferred={"d_model": (-1, "token size")}, ndims=(3,), ndims_text=_TOKENS,
    specs={"activation": lambda: ParamFct(["relu", "gelu"], default="relu", tags={"train"})},
)


class PipeOpTorchTransformerEncoderLayer(_EncoderBase):  # type: ignore[misc, valid-type]
    """``nn("transformer_encoder_layer", nhead=...)``: :class:`torch.nn.TransformerEncoderLayer` on
    ``(batch, tokens, d)`` (``batch_first``), ``d_model`` read from the input.

    Parameters (``param_set``): ``nhead`` (required, must divide d), ``dim_feedforward`` (2048),
    ``dropout`` (0.1), ``activation`` ("relu" or "gelu"), ``layer_norm_eps``, ``norm_first``,
    ``bias``, ``is_causal`` (False; True: token ``i`` attends only to tokens ``<= i``).
    """


def ffn_hidden(d_token: int, ffn_d_hidden: int | None = None, ffn_d_hidden_multiplier: float = 4 / 3) -> int:
    """The feed-forward width of an FT-Transformer block: ``ffn_d_hidden`` or ``int(d_token * multiplier)``.

    Examples
    --------
    >>> ffn_hidden(192)
    256
    """
    return int(ffn_d_hidden) if ffn_d_hidden is not None else max(1, int(d_token * ffn_d_hidden_multiplier))


class FTTransformerBlock(torch.nn.Module):
    """One FT-Transformer block: multi-head self-attention and a feed-forward part with residuals.

    Parameters
    ----------
    d_token : int
    attention_n_heads : int
    attention_dropout : float
    attention_bias : bool
    attention_initialization : {"kaiming", "xavier"}
        See :class:`~jupytorch.nn.layers.attention.FTMultiheadAttention`.
    ffn_d_hidden : int, optional
        Hidden size of the feed-forward part (gated activations use twice as many pre-activations).
    ffn_d_hidden_multiplier : float
        Used when ``ffn_d_hidden`` is None: ``int(d_token * multiplier)`` (4/3 in the paper).
    ffn_dropout : float
    ffn_activation : {"reglu", "geglu", "relu", "gelu"}
    ffn_bias_first, ffn_bias_second : bool
        Biases of the two feed-forward linear layers.
    residual_dropout : float
    prenormalization : bool
        Normalise before each part (True) or after each residual (False).
    is_first_layer : bool
        With prenormalization: skip the normalisation before the first attention, unless
        ``first_prenormalization``.
    first_prenormalization : bool
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
                 is_first_layer: bool = False, query_idx: int | None = None, attention_initialization: str = "kaiming",
                 ffn_d_hidden_multiplier: float = 4 / 3, ffn_bias_first: bool = True, ffn_bias_second: bool = True,
                 first_prenormalization: bool = False):
        super().__init__()
        hidden = ffn_hidden(d_token, ffn_d_hidden, ffn_d_hidden_multiplier)
        gated = ffn_activation in ("reglu", "geglu")
        self.attention = FTMultiheadAttention(d_token, attention_n_heads, attention_dropout, attention_bias,
                                              attention_initialization)
        skip = prenormalization and is_first_layer and not first_prenormalization
        self.attention_norm = None if skip else torch.nn.LayerNorm(d_token)
        self.ffn_norm = torch.nn.LayerNorm(d_token)
        self.linear_first = torch.nn.Linear(d_token, hidden * (2 if gated else 1), bias=ffn_bias_first)
        self.activation = {"reglu": ReGLU, "geglu": GeGLU, "relu": torch.nn.ReLU, "gelu": torch.nn.GELU}[ffn_activation]()
        self.ffn_dropout = torch.nn.Dropout(ffn_dropout)
        self.linear_second = torch.nn.Linear(hidden, d_token, bias=ffn_bias_second)
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
        attended = self.attention(query, h)
        x = self._norm(self.attention_norm, x + self.residual_dropout(attended), before=False)
        h = self._norm(self.ffn_norm, x, before=True)
        h = self.linear_second(self.ffn_dropout(self.activation(self.linear_first(h))))
        return self._norm(self.ffn_norm, x + self.residual_dropout(h), before=False)


def ft_block_params() -> ParamSet:
    """The parameters of an FT-Transformer block with the paper's defaults (shared by the layer and the learner).

    Examples
    --------
    >>> ft_block_params().default["attention_dropout"]
    0.2
    """
    t = {"train"}
    return ParamSet({
        "attention_n_heads": ParamInt(1, None, default=8, tags=t),
        "attention_dropout": ParamDbl(0, 1, default=0.2, tags=t),
        "attention_initialization": ParamFct(["kaiming", "xavier"], default="kaiming", tags=t),
        "attention_bias": ParamLgl(default=True, tags=t),
        "ffn_d_hidden": ParamInt(1, None, default=None, special_vals=(None,), tags=t),
        "ffn_d_hidden_multiplier": ParamDbl(0, None, default=4 / 3, tags=t),
        "ffn_dropout": ParamDbl(0, 1, default=0.1, tags=t),
        "ffn_activation": ParamFct(["reglu", "geglu", "relu", "gelu"], default="reglu", tags=t),
        "ffn_bias_first": ParamLgl(default=True, tags=t),
        "ffn_bias_second": ParamLgl(default=True, tags=t),
        "residual_dropout": ParamDbl(0, 1, default=0.0, tags=t),
        "prenormalization": ParamLgl(default=True, tags=t),
        "first_prenormalization": ParamLgl(default=False, tags=t),
    })


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
    attention_initialization : {"kaiming", "xavier"}, default "kaiming"
    attention_bias : bool, default True
    ffn_d_hidden : int, optional
        Default ``int(ffn_d_hidden_multiplier * d_token)``.
    ffn_d_hidden_multiplier : float, default 4/3
    ffn_dropout : float, default 0.1
    ffn_activation : {"reglu", "geglu", "relu", "gelu"}, default "reglu"
    ffn_bias_first, ffn_bias_second : bool, default True
    residual_dropout : float, default 0.0
    prenormalization : bool, default True
    first_prenormalization : bool, default False
    is_first_layer : bool, default False
        The first block of a prenormalized stack has no normalisation before its attention.
    query_idx : int, optional
        ``-1`` in the last block: return only the [CLS] token, ``(B, 1, d)``.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("ft_transformer_block", attention_n_heads=4, ffn_d_hidden=16).shapes_out((None, 3, 8))
    [(None, 3, 8)]
    """

    key = "nn_ft_transformer_block"
    module_generator = FTTransformerBlock
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"d_token": (-1, "token size")}
    ndims = (3,)
    ndims_text = _TOKENS

    def __init__(self, id: str = "ft_transformer_block", param_vals: Mapping[str, Any] | None = None):
        ps = ft_block_params()
        ps.add("is_first_layer", ParamLgl(default=False, tags={"train"}))
        ps.add("query_idx", ParamInt(default=None, special_vals=(None,), tags={"train"}))
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        b, t, d = shapes_in[0]
        return [(b, t if param_vals["query_idx"] is None else 1, d)]
