"""Multi-head attention on token sequences ``(batch, tokens, d)``: ``nn("multihead_attention")``
(:class:`torch.nn.MultiheadAttention`, batch first) and :class:`FTMultiheadAttention`, the
attention of the FT-Transformer (Gorishniy et al. 2021) that ``nn("ft_transformer_block")`` uses.

``nn("multihead_attention")`` has three modes: ``"self"`` (one input: query = key = value),
``"cross"`` (inputs ``query`` and ``key_value``) and ``"general"`` (inputs ``query``, ``key``,
``value``). The output has the query's shape.

Examples
--------
>>> from jupytorch import nn
>>> nn("multihead_attention", num_heads=2).shapes_out((None, 5, 8))
[(None, 5, 8)]
>>> nn("multihead_attention", num_heads=2, mode="cross").shapes_out([(None, 1, 8), (None, 5, 8)])
[(None, 1, 8)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, cast

import torch
import torch.nn.functional as F

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamDbl, ParamInt, ParamLgl, ParamSet
from jupytorch.nn.pipeop_torch import PipeOpTorch
from jupytorch.nn.shapes import Shape

__all__ = ["Attention", "FTMultiheadAttention", "PipeOpTorchMultiheadAttention"]

_MODES = {"self": ("input",), "cross": ("query", "key_value"), "general": ("query", "key", "value")}


class FTMultiheadAttention(torch.nn.Module):
    """The FT-Transformer's attention: ``W_q``, ``W_k``, ``W_v`` (``d x d`` each) and an output
    projection ``W_out`` only with more than one head.

    Parameters
    ----------
    d_token : int
    n_heads : int
        Must divide ``d_token``.
    dropout : float
        Dropout on the attention probabilities.
    bias : bool
    initialization : {"kaiming", "xavier"}
        "kaiming": torch's default init of linear layers; "xavier": ``xavier_uniform_`` with gain
        ``1/sqrt(2)`` for ``W_q``, ``W_k`` (and ``W_v`` when there is ``W_out``). Biases start at 0.

    Examples
    --------
    >>> att = FTMultiheadAttention(8, 2, 0.0)
    >>> att(torch.zeros(3, 1, 8), torch.zeros(3, 5, 8)).shape
    torch.Size([3, 1, 8])
    >>> sum(p.numel() for p in att.parameters()) == 4 * (8 * 8 + 8)
    True
    """

    def __init__(self, d_token: int, n_heads: int, dropout: float, bias: bool = True, initialization: str = "kaiming"):
        super().__init__()
        if d_token % n_heads:
            raise ValueError(f"attention_n_heads={n_heads} must divide d_token={d_token}")
        if initialization not in ("kaiming", "xavier"):
            raise ValueError(f"initialization must be 'kaiming' or 'xavier', got {initialization!r}")
        self.W_q = torch.nn.Linear(d_token, d_token, bias)
        self.W_k = torch.nn.Linear(d_token, d_token, bias)
        self.W_v = torch.nn.Linear(d_token, d_token, bias)
        self.W_out = torch.nn.Linear(d_token, d_token, bias) if n_heads > 1 else None
        self.n_heads = n_heads
        self.dropout = dropout
        for m in (self.W_q, self.W_k, self.W_v):
            if initialization == "xavier" and (m is not self.W_v or self.W_out is not None):
                torch.nn.init.xavier_uniform_(m.weight, gain=1 / math.sqrt(2))
            if m.bias is not None:
                torch.nn.init.zeros_(m.bias)
        if self.W_out is not None and self.W_out.bias is not None:
            torch.nn.init.zeros_(self.W_out.bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        return x.reshape(b, t, self.n_heads, d // self.n_heads).transpose(1, 2)

    def forward(self, x_q: torch.Tensor, x_kv: torch.Tensor) -> torch.Tensor:
        q, k, v = self._heads(self.W_q(x_q)), self._heads(self.W_k(x_kv)), self._heads(self.W_v(x_kv))
        out = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0)
        b, _, t, _ = out.shape
        out = out.transpose(1, 2).reshape(b, t, -1)
        return out if self.W_out is None else self.W_out(out)


class Attention(torch.nn.Module):
    """:class:`torch.nn.MultiheadAttention` (batch first) returning only the attended values.

    Examples
    --------
    >>> Attention(8, 2)(torch.zeros(3, 5, 8)).shape
    torch.Size([3, 5, 8])
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, is_causal: bool = False):
        super().__init__()
        self.attention = torch.nn.MultiheadAttention(embed_dim, num_heads, dropout=dropout, bias=bias,
                                                     add_bias_kv=add_bias_kv, add_zero_attn=add_zero_attn,
                                                     kdim=kdim, vdim=vdim, batch_first=True)
        self.is_causal = is_causal

    def forward(self, query: torch.Tensor, key: torch.Tensor | None = None, value: torch.Tensor | None = None) -> torch.Tensor:
        key = query if key is None else key
        value = key if value is None else value
        mask = None
        if self.is_causal:
            mask = torch.nn.Transformer.generate_square_subsequent_mask(query.shape[1], device=query.device,
                                                                       dtype=query.dtype)
            mask = mask[:, :key.shape[1]]
        return self.attention(query, key, value, need_weights=False, attn_mask=mask)[0]


class PipeOpTorchMultiheadAttention(PipeOpTorch):
    """``nn("multihead_attention", num_heads=...)``: multi-head attention on ``(batch, tokens, d)``.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional
    mode : {"self", "cross", "general"}
        Construction argument: the inputs (``input``; ``query``, ``key_value``; ``query``,
        ``key``, ``value``).

    Parameters (``param_set``)
    --------------------------
    num_heads : int, required
        Must divide the query's size ``d`` (read from the input).
    dropout : float, default 0.0
    bias : bool, default True
    add_bias_kv, add_zero_attn : bool, default False
    is_causal : bool, default False
        Token ``i`` attends only to tokens ``<= i``.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("multihead_attention", num_heads=4, mode="general").input_names
    ['query', 'key', 'value']
    """

    key = "nn_multihead_attention"
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"embed_dim": (-1, "token size")}
    ndims = (3,)
    ndims_text = "(batch, tokens, d)"

    def __init__(self, id: str = "multihead_attention", param_vals: Mapping[str, Any] | None = None,
                 mode: str = "self"):
        if mode not in _MODES:
            raise InvalidParameterError(f"PipeOp {id!r} (nn_multihead_attention): mode must be one of {list(_MODES)}, "
                                        f"got {mode!r}.")
        t = {"train"}
        ps = ParamSet({
            "num_heads": ParamInt(1, None, tags={"train", "required"}),
            "dropout": ParamDbl(0, 1, default=0.0, tags=t),
            "bias": ParamLgl(default=True, tags=t),
            "add_bias_kv": ParamLgl(default=False, tags=t),
            "add_zero_attn": ParamLgl(default=False, tags=t),
            "is_causal": ParamLgl(default=False, tags=t),
        })
        self.mode = mode
        super().__init__(id, param_set=ps, param_vals=param_vals, inname=_MODES[mode])

    @property
    def input_names(self) -> list[str]:
        """The input channels of the mode."""
        return list(_MODES[self.mode])

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        d = cast(int, shapes_in[0][-1])   # known: checked by _check_shapes
        kdim = shapes_in[1][-1] if len(shapes_in) > 1 else None
        vdim = shapes_in[-1][-1] if len(shapes_in) > 1 else None
        if d % param_vals["num_heads"]:
            raise InvalidParameterError(f"{self.who}: num_heads={param_vals['num_heads']} must divide the token size {d}.")
        return Attention(d, kdim=kdim, vdim=vdim, **param_vals)

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [shapes_in[0]]
