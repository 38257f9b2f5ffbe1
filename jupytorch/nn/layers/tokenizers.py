"""Tabular tokenizers of the FT-Transformer: ``nn("tokenizer_num")``, ``nn("tokenizer_categ")``,
``nn("ft_cls")``.

A tokenizer turns ``(batch, features)`` into ``(batch, features, d_token)``: one learned vector
per feature (numeric: scaled by the value, plus a bias; categorical: an embedding of the code).
``nn("ft_cls")`` appends a learned [CLS] token: ``(batch, tokens, d)`` -> ``(batch, tokens + 1, d)``.

Examples
--------
>>> from jupytorch import nn
>>> nn("tokenizer_num", d_token=8).shapes_out((None, 5))
[(None, 5, 8)]
>>> nn("ft_cls").shapes_out((None, 5, 8))
[(None, 6, 8)]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamFct, ParamInt, ParamLgl, ParamSet, ParamUty
from jupytorch.nn.model_descriptor import ModelDescriptor
from jupytorch.nn.pipeop_torch import PipeOpTorch
from jupytorch.nn.shapes import Shape, shape_to_str

__all__ = [
    "CLSToken",
    "OneHot",
    "PipeOpTorchFTCLS",
    "PipeOpTorchOneHot",
    "PipeOpTorchTokenizerCateg",
    "PipeOpTorchTokenizerNum",
    "TokenizerCateg",
    "TokenizerNum",
]

_INIT = ("uniform", "normal")


def _init_(tensor: torch.Tensor, d: int, how: str) -> None:
    s = 1 / math.sqrt(d)
    if how == "uniform":
        torch.nn.init.uniform_(tensor, -s, s)
    else:
        torch.nn.init.normal_(tensor, std=s)


class TokenizerNum(torch.nn.Module):
    """``(B, F)`` numbers -> ``(B, F, d_token)``: ``x[..., None] * weight + bias``.

    Examples
    --------
    >>> TokenizerNum(3, 4)(torch.zeros(2, 3)).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, n_features: int, d_token: int, bias: bool = True, initialization: str = "uniform"):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(n_features, d_token))
        self.bias = torch.nn.Parameter(torch.empty(n_features, d_token)) if bias else None
        for p in (self.weight, self.bias):
            if p is not None:
                _init_(p, d_token, initialization)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x.unsqueeze(-1) * self.weight
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"n_features={self.weight.shape[0]}, d_token={self.weight.shape[1]}, bias={self.bias is not None}"


class TokenizerCateg(torch.nn.Module):
    """``(B, F)`` integer codes -> ``(B, F, d_token)``: one embedding table per feature (stored as one).

    Examples
    --------
    >>> TokenizerCateg([3, 2], 4)(torch.tensor([[0, 1], [2, 0]])).shape
    torch.Size([2, 2, 4])
    """

    def __init__(self, cardinalities: Sequence[int], d_token: int, bias: bool = True, initialization: str = "uniform"):
        super().__init__()
        cards = [int(c) for c in cardinalities]
        offsets = torch.tensor([0, *cards[:-1]], dtype=torch.long).cumsum(0)
        self.register_buffer("offsets", offsets, persistent=False)
        self.embeddings = torch.nn.Embedding(sum(cards), d_token)
        self.bias = torch.nn.Parameter(torch.empty(len(cards), d_token)) if bias else None
        for p in (self.embeddings.weight, self.bias):
            if p is not None:
                _init_(p, d_token, initialization)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.embeddings(x + self.offsets)
        return out if self.bias is None else out + self.bias


class CLSToken(torch.nn.Module):
    """Append a learned token: ``(B, T, d)`` -> ``(B, T + 1, d)`` (the [CLS] token comes last).

    Examples
    --------
    >>> CLSToken(4)(torch.zeros(2, 3, 4)).shape
    torch.Size([2, 4, 4])
    """

    def __init__(self, d_token: int, initialization: str = "uniform"):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(d_token))
        _init_(self.weight, d_token, initialization)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([x, self.weight.expand(x.shape[0], 1, -1)], dim=1)


def _token_params(extra: Mapping[str, Any] | None = None) -> ParamSet:
    return ParamSet({
        "d_token": ParamInt(1, None, tags={"train", "required"}),
        "bias": ParamLgl(default=True, tags={"train"}),
        "initialization": ParamFct(_INIT, default="uniform", tags={"train"}),
        **(extra or {}),
    })


class PipeOpTorchTokenizerNum(PipeOpTorch):
    """``nn("tokenizer_num", d_token=...)``: numeric features ``(B, F)`` -> tokens ``(B, F, d_token)``.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    d_token : int, required
    bias : bool, default True
    initialization : {"uniform", "normal"}, default "uniform"
    """

    key = "nn_tokenizer_num"
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"n_features": (1, "features")}
    ndims = (2,)
    ndims_text = "(batch, features)"

    def __init__(self, id: str = "tokenizer_num", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=_token_params(), param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return TokenizerNum(shapes_in[0][1], param_vals["d_token"], param_vals["bias"], param_vals["initialization"])

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [(shapes_in[0][0], shapes_in[0][1], param_vals["d_token"])]


class PipeOpTorchTokenizerCateg(PipeOpTorchTokenizerNum):
    """``nn("tokenizer_categ", d_token=...)``: categorical codes ``(B, F)`` -> tokens ``(B, F, d_token)``.

    The cardinalities (rows of each embedding) are read from the ``torch_ingress_categ`` that
    feeds this path (levels + 1, for missing and unseen levels), unless given.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    d_token : int, required
    bias : bool, default True
    initialization : {"uniform", "normal"}, default "uniform"
    cardinalities : list of int, optional
    """

    key = "nn_tokenizer_categ"

    def __init__(self, id: str = "tokenizer_categ", param_vals: Mapping[str, Any] | None = None):
        ps = _token_params({"cardinalities": ParamUty(None, tags={"train"}, custom_check=_check_cards)})
        PipeOpTorch.__init__(self, id, param_set=ps, param_vals=param_vals)

    def _values_from_inputs(self, param_vals: dict[str, Any], inputs: list[ModelDescriptor]) -> dict[str, Any]:
        return upstream_cardinalities(self.who, param_vals, inputs[0])

    def _check_shapes(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> None:
        super()._check_shapes(shapes_in, param_vals, task)
        n = len(param_vals["cardinalities"])
        if n != shapes_in[0][1]:
            raise InvalidParameterError(
                f"{self.who} got {n} cardinalities for an input of shape {shape_to_str(shapes_in[0])} "
                f"({shapes_in[0][1]} features); give one per feature."
            )

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return TokenizerCateg(param_vals["cardinalities"], param_vals["d_token"], param_vals["bias"],
                              param_vals["initialization"])


def upstream_cardinalities(who: str, param_vals: dict[str, Any], md: ModelDescriptor) -> dict[str, Any]:
    """``param_vals`` with ``cardinalities`` read from the ``torch_ingress_categ`` that feeds ``md``'s pointer
    (unless set).
    """
    if param_vals.get("cardinalities") is not None:
        return param_vals
    upstream = _upstream(md, md.pointer[0])
    cards = [tok.cardinalities for name, tok in md.ingress.items()
             if name.rpartition(".")[0] in upstream and tok.cardinalities is not None]
    if len(cards) != 1:
        raise InvalidParameterError(
            f"{who} reads the cardinalities from the torch_ingress_categ before it, but found "
            f"{'none' if not cards else len(cards)}; set cardinalities=[...] (levels + 1 per feature)."
        )
    return {**param_vals, "cardinalities": cards[0]}


def _check_cards(value: Any) -> bool | str:
    ok = isinstance(value, (list, tuple)) and value and all(isinstance(c, int) and c >= 1 for c in value)
    return True if ok else "a list of positive ints, one per feature"


def _upstream(md: ModelDescriptor, node: str) -> set[str]:
    preds: dict[str, list[str]] = {}
    for e in md.graph._edges:
        preds.setdefault(e.dst_id, []).append(e.src_id)
    seen, todo = set(), [node]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(preds.get(n, ()))
    return seen


class PipeOpTorchFTCLS(PipeOpTorch):
    """``nn("ft_cls")``: append a learned [CLS] token, ``(B, T, d)`` -> ``(B, T + 1, d)``.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    initialization : {"uniform", "normal"}, default "uniform"
    """

    key = "nn_ft_cls"
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {"d_token": (-1, "token size")}
    ndims = (3,)
    ndims_text = "(batch, tokens, d_token)"

    def __init__(self, id: str = "ft_cls", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"initialization": ParamFct(_INIT, default="uniform", tags={"train"})})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        return CLSToken(shapes_in[0][-1], param_vals["initialization"])

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        b, t, d = shapes_in[0]
        return [(b, None if t is None else t + 1, d)]


class OneHot(torch.nn.Module):
    """Categorical codes ``(B, F)`` -> one-hot columns ``(B, sum(cardinalities))`` (float).

    Examples
    --------
    >>> OneHot([3, 2])(torch.tensor([[2, 0]])).tolist()
    [[0.0, 0.0, 1.0, 1.0, 0.0]]
    """

    def __init__(self, cardinalities: Sequence[int]):
        super().__init__()
        cards = [int(c) for c in cardinalities]
        self.register_buffer("offsets", torch.tensor([0, *cards[:-1]], dtype=torch.long).cumsum(0), persistent=False)
        self.width = sum(cards)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.zeros(x.shape[0], self.width, device=x.device)
        return out.scatter_(1, x + self.offsets, 1.0)

    def extra_repr(self) -> str:
        return f"width={self.width}"


class PipeOpTorchOneHot(PipeOpTorch):
    """``nn("one_hot")``: categorical codes ``(B, F)`` -> one-hot columns ``(B, sum(cardinalities))``.

    The cardinalities (levels + 1 per feature, for missing and unseen levels) are read from the
    ``torch_ingress_categ`` that feeds this path, unless given.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    cardinalities : list of int, optional

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("one_hot", cardinalities=[3, 4]).shapes_out((None, 2))
    [(None, 7)]
    """

    key = "nn_one_hot"
    ndims = (2,)
    ndims_text = "(batch, features)"

    def __init__(self, id: str = "one_hot", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"cardinalities": ParamUty(None, tags={"train"}, custom_check=_check_cards)})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _values_from_inputs(self, param_vals: dict[str, Any], inputs: list[ModelDescriptor]) -> dict[str, Any]:
        return upstream_cardinalities(self.who, param_vals, inputs[0])

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        cards = param_vals.get("cardinalities")
        if cards is None:
            raise InvalidParameterError(f"{self.who} needs cardinalities (levels + 1 per feature).")
        if len(cards) != shapes_in[0][1]:
            raise InvalidParameterError(f"{self.who} got {len(cards)} cardinalities for {shapes_in[0][1]} features; "
                                        "give one per feature.")
        return OneHot(cards)

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        return [(shapes_in[0][0], module.width)]
