"""The Examples sections of the training-core modules run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "jupytorch.nn._signature",
    "jupytorch.nn.descriptor",
    "jupytorch.nn.losses",
    "jupytorch.nn.optimizers",
    "jupytorch.nn.ingress",
    "jupytorch.nn.encode",
    "jupytorch.nn.task_dataset",
    "jupytorch.nn.device",
    "jupytorch.nn.modules",
    "jupytorch.nn.params",
    "jupytorch.nn.validate",
    "jupytorch.nn.callbacks.base",
    "jupytorch.nn.callbacks.function",
    "jupytorch.nn.callbacks.history",
    "jupytorch.nn.callbacks.progress",
    "jupytorch.nn.callbacks.checkpoint",
    "jupytorch.nn.callbacks.lr_scheduler",
    "jupytorch.nn.callbacks.unfreeze",
    "jupytorch.nn.callbacks.sugar",
    "jupytorch.nn.learners.mlp",
    "jupytorch.nn.learners.featureless",
    "jupytorch.nn.learners.module",
    "jupytorch.nn.learners.torch_model",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
