"""Convolution and pooling layers: ``nn("conv2d")``, ``nn("conv_transpose2d")``, ``nn("max_pool2d")``,
``nn("avg_pool2d")``, ``nn("adaptive_avg_pool2d")`` and their 1d and 3d versions.

``in_channels`` is read from dimension 1 of the input ``(batch, channels, *spatial)``; the
output shape follows torch's formulas (worked out by running the module on meta tensors), so a
kernel larger than the (padded) input fails when the graph is built.

Examples
--------
>>> from jupytorch import nn
>>> nn("conv2d", out_channels=8, kernel_size=3, padding=1).shapes_out((None, 3, 32, 32))
[(None, 8, 32, 32)]
>>> nn("max_pool2d", kernel_size=2).shapes_out((None, 8, 32, 32))
[(None, 8, 16, 16)]
"""

from __future__ import annotations

import torch

from jupytorch.nn.pipeop_torch import torch_layer

__all__ = [
    "PipeOpTorchAdaptiveAvgPool1d",
    "PipeOpTorchAdaptiveAvgPool2d",
    "PipeOpTorchAdaptiveAvgPool3d",
    "PipeOpTorchAvgPool1d",
    "PipeOpTorchAvgPool2d",
    "PipeOpTorchAvgPool3d",
    "PipeOpTorchConv1d",
    "PipeOpTorchConv2d",
    "PipeOpTorchConv3d",
    "PipeOpTorchConvTranspose1d",
    "PipeOpTorchConvTranspose2d",
    "PipeOpTorchConvTranspose3d",
    "PipeOpTorchMaxPool1d",
    "PipeOpTorchMaxPool2d",
    "PipeOpTorchMaxPool3d",
]

_SPATIAL = {1: "length", 2: "height, width", 3: "depth, height, width"}
_CHANNELS = {"in_channels": (1, "channels")}


def _text(n: int) -> str:
    return f"(batch, channels, {_SPATIAL[n]})"


def _conv(n: int, transpose: bool = False) -> type:
    cls = getattr(torch.nn, f"ConvTranspose{n}d" if transpose else f"Conv{n}d")
    key = f"conv_transpose{n}d" if transpose else f"conv{n}d"
    what = "Transposed convolution" if transpose else "Convolution"
    return torch_layer(
        f"PipeOpTorch{cls.__name__}", key, cls, __name__, inferred=_CHANNELS, ndims=(n + 2,), ndims_text=_text(n),
        doc=f"{what} over {n}d inputs ``nn('{key}')``: :class:`torch.nn.{cls.__name__}` with ``in_channels`` from "
            f"the input {_text(n)}. Parameters: ``out_channels``, ``kernel_size`` (required), ``stride``, "
            f"``padding``, {'``output_padding``, ' if transpose else ''}``dilation``, ``groups``, ``bias``, "
            "``padding_mode``.",
    )


def _pool(kind: str, n: int) -> type:
    names = {"max": f"MaxPool{n}d", "avg": f"AvgPool{n}d", "adaptive_avg": f"AdaptiveAvgPool{n}d"}
    cls = getattr(torch.nn, names[kind])
    key = f"{kind}_pool{n}d"
    return torch_layer(
        f"PipeOpTorch{cls.__name__}", key, cls, __name__, ndims=(n + 2,), ndims_text=_text(n),
        exclude=("return_indices",),
        doc=f"Pooling over {n}d inputs ``nn('{key}')``: :class:`torch.nn.{cls.__name__}` on {_text(n)}; its "
            "arguments are the parameters.",
    )


PipeOpTorchConv1d = _conv(1)
PipeOpTorchConv2d = _conv(2)
PipeOpTorchConv3d = _conv(3)
PipeOpTorchConvTranspose1d = _conv(1, transpose=True)
PipeOpTorchConvTranspose2d = _conv(2, transpose=True)
PipeOpTorchConvTranspose3d = _conv(3, transpose=True)
PipeOpTorchMaxPool1d = _pool("max", 1)
PipeOpTorchMaxPool2d = _pool("max", 2)
PipeOpTorchMaxPool3d = _pool("max", 3)
PipeOpTorchAvgPool1d = _pool("avg", 1)
PipeOpTorchAvgPool2d = _pool("avg", 2)
PipeOpTorchAvgPool3d = _pool("avg", 3)
PipeOpTorchAdaptiveAvgPool1d = _pool("adaptive_avg", 1)
PipeOpTorchAdaptiveAvgPool2d = _pool("adaptive_avg", 2)
PipeOpTorchAdaptiveAvgPool3d = _pool("adaptive_avg", 3)
