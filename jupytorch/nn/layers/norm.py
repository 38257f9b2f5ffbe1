"""Normalisation and regularisation layers: ``nn("batch_norm1d")`` (2d, 3d), ``nn("layer_norm")``,
``nn("dropout")``.

Examples
--------
>>> from jupytorch import nn
>>> nn("batch_norm2d").shapes_out((None, 16, 8, 8))
[(None, 16, 8, 8)]
>>> nn("layer_norm", dims=1).shapes_out((None, 4, 32))
[(None, 4, 32)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from jupytorch.core.paramset import ParamDbl, ParamInt, ParamLgl, ParamSet
from jupytorch.nn.pipeop_torch import PipeOpTorch, torch_layer
from jupytorch.nn.shapes import Shape, ShapeError, require_known, shape_to_str

__all__ = [
    "PipeOpTorchBatchNorm1d",
    "PipeOpTorchBatchNorm2d",
    "PipeOpTorchBatchNorm3d",
    "PipeOpTorchDropout",
    "PipeOpTorchLayerNorm",
]

_BN_NDIMS = {1: ((2, 3), "(batch, features) or (batch, channels, length)"),
             2: ((4,), "(batch, channels, height, width)"),
             3: ((5,), "(batch, channels, depth, height, width)")}


def _batch_norm(n: int) -> type:
    ndims, text = _BN_NDIMS[n]
    return torch_layer(
        f"PipeOpTorchBatchNorm{n}d", f"batch_norm{n}d", getattr(torch.nn, f"BatchNorm{n}d"), __name__,
        inferred={"num_features": (1, "channels")}, ndims=ndims, ndims_text=text, shape_preserving=True,
        doc=f"Batch normalisation ``nn('batch_norm{n}d')``: :class:`torch.nn.BatchNorm{n}d` with ``num_features`` "
            f"from dimension 1 of the input {text}. Parameters: ``eps``, ``momentum``, ``affine``, "
            "``track_running_stats``.",
    )


PipeOpTorchBatchNorm1d = _batch_norm(1)
PipeOpTorchBatchNorm2d = _batch_norm(2)
PipeOpTorchBatchNorm3d = _batch_norm(3)

PipeOpTorchDropout = torch_layer(
    "PipeOpTorchDropout", "dropout", torch.nn.Dropout, __name__, shape_preserving=True,
    doc="Dropout ``nn('dropout', p=0.5)``: :class:`torch.nn.Dropout`. Parameters: ``p``, ``inplace``.",
)


class PipeOpTorchLayerNorm(PipeOpTorch):
    """Layer normalisation over the last ``dims`` dimensions, ``nn("layer_norm", dims=1)``.

    ``normalized_shape`` of :class:`torch.nn.LayerNorm` is the last ``dims`` sizes of the input,
    which must be known.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    dims : int, required
        How many trailing dimensions to normalise over.
    eps : float, default 1e-5
    elementwise_affine : bool, default True
    bias : bool, default True

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("layer_norm", dims=2).shapes_out((None, 3, 4))
    [(None, 3, 4)]
    """

    key = "nn_layer_norm"
    shape_preserving = True

    def __init__(self, id: str = "layer_norm", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({
            "dims": ParamInt(1, None, tags={"train", "required"}),
            "eps": ParamDbl(0, None, default=1e-5, tags={"train"}),
            "elementwise_affine": ParamLgl(default=True, tags={"train"}),
            "bias": ParamLgl(default=True, tags={"train"}),
        })
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _check_shapes(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> None:
        shape, dims = shapes_in[0], param_vals["dims"]
        if dims >= len(shape):
            raise ShapeError(f"{self.who} normalises over the last dims={dims} dimensions, but the incoming shape "
                             f"{shape_to_str(shape)} has only {len(shape) - 1} besides the batch.")
        require_known(shape, list(range(len(shape) - dims, len(shape))), self.who, "normalized_shape")

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        dims = param_vals["dims"]
        return torch.nn.LayerNorm(tuple(shapes_in[0][-dims:]), eps=param_vals["eps"],
                                  elementwise_affine=param_vals["elementwise_affine"], bias=param_vals["bias"])
