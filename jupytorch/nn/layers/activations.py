"""Activation layers, made from one table: ``nn("relu")``, ``nn("gelu")``, ``nn("softmax", dim=-1)``...

Each wraps the torch class of the same name; its arguments are the parameters. ``glu``,
``reglu`` and ``geglu`` halve the last dimension (which must be even); the others keep the
shape. :class:`ReGLU` and :class:`GeGLU` are the gated units of the FT-Transformer.

Examples
--------
>>> from jupytorch import nn
>>> nn("leaky_relu", negative_slope=0.1).param_set.values
{'negative_slope': 0.1}
>>> nn("reglu").shapes_out((None, 3, 8))
[(None, 3, 4)]
"""

from __future__ import annotations

import torch

from jupytorch.core.paramset import ParamInt
from jupytorch.nn.pipeop_torch import torch_layer

__all__ = ["ACTIVATIONS", "GeGLU", "ReGLU"]


class ReGLU(torch.nn.Module):
    """Gated linear unit with ReLU: the last dimension is split into halves ``a, b``; returns ``a * relu(b)``.

    Examples
    --------
    >>> ReGLU()(torch.tensor([[2.0, 5.0, 3.0, -1.0]])).tolist()
    [[6.0, 0.0]]
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 2:
            raise ValueError(f"ReGLU needs an even last dimension, got {x.shape[-1]}")
        a, b = x.chunk(2, dim=-1)
        return a * torch.nn.functional.relu(b)


class GeGLU(torch.nn.Module):
    """Gated linear unit with GELU: ``a * gelu(b)`` for the two halves of the last dimension."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % 2:
            raise ValueError(f"GeGLU needs an even last dimension, got {x.shape[-1]}")
        a, b = x.chunk(2, dim=-1)
        return a * torch.nn.functional.gelu(b)


#: key -> (torch class, keeps the shape, arguments that are not parameters)
ACTIVATIONS: dict[str, tuple[type, bool, tuple[str, ...]]] = {
    "elu": (torch.nn.ELU, True, ()),
    "hardshrink": (torch.nn.Hardshrink, True, ()),
    "hardsigmoid": (torch.nn.Hardsigmoid, True, ()),
    "hardtanh": (torch.nn.Hardtanh, True, ("min_value", "max_value")),
    "leaky_relu": (torch.nn.LeakyReLU, True, ()),
    "log_sigmoid": (torch.nn.LogSigmoid, True, ()),
    "prelu": (torch.nn.PReLU, False, ()),  # num_parameters must match the channels: checked by inference
    "relu": (torch.nn.ReLU, True, ()),
    "relu6": (torch.nn.ReLU6, True, ()),
    "rrelu": (torch.nn.RReLU, True, ()),
    "selu": (torch.nn.SELU, True, ()),
    "celu": (torch.nn.CELU, True, ()),
    "gelu": (torch.nn.GELU, True, ()),
    "sigmoid": (torch.nn.Sigmoid, True, ()),
    "softplus": (torch.nn.Softplus, True, ()),
    "softshrink": (torch.nn.Softshrink, True, ()),
    "softsign": (torch.nn.Softsign, True, ()),
    "tanh": (torch.nn.Tanh, True, ()),
    "tanhshrink": (torch.nn.Tanhshrink, True, ()),
    "threshold": (torch.nn.Threshold, True, ()),
    "glu": (torch.nn.GLU, False, ()),
    "reglu": (ReGLU, False, ()),
    "geglu": (GeGLU, False, ()),
    "softmax": (torch.nn.Softmax, True, ()),
}

_SPECS = {"softmax": {"dim": lambda: ParamInt(default=-1, tags={"train"})}}


def class_name(key: str) -> str:
    """The PipeOp class name for activation ``key``: ``"relu"`` -> ``"PipeOpTorchReLU"``."""
    return f"PipeOpTorch{ACTIVATIONS[key][0].__name__}"


for _key, (_cls, _keeps, _exclude) in ACTIVATIONS.items():
    _name = class_name(_key)
    globals()[_name] = torch_layer(
        _name, _key, _cls, __name__, shape_preserving=_keeps, exclude=_exclude, specs=_SPECS.get(_key),
        doc=f"Activation ``nn('{_key}')``: :class:`{_cls.__module__}.{_cls.__name__}`; its arguments are the parameters.",
    )
    __all__.append(_name)
del _key, _cls, _keeps, _exclude, _name
