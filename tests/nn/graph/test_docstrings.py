"""The Examples sections of the graph-building modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "jupytorch.nn.shapes",
    "jupytorch.nn.nn_graph",
    "jupytorch.nn.model_descriptor",
    "jupytorch.nn.pipeop_torch",
    "jupytorch.nn.pipeop_ingress",
    "jupytorch.nn.pipeop_config",
    "jupytorch.nn.pipeop_model",
    "jupytorch.nn.layers.dense",
    "jupytorch.nn.layers.conv",
    "jupytorch.nn.layers.norm",
    "jupytorch.nn.layers.activations",
    "jupytorch.nn.layers.reshape",
    "jupytorch.nn.layers.merge",
    "jupytorch.nn.layers.block",
    "jupytorch.nn.layers.tokenizers",
    "jupytorch.nn.layers.transformer",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
