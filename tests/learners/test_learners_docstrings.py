"""The Examples sections of the learners, tasks and adapter docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "jupytorch.learners.encoder",
    "jupytorch.learners.base",
    "jupytorch.learners.featureless",
    "jupytorch.learners.rpart",
    "jupytorch.learners.ranger",
    "jupytorch.learners.kknn",
    "jupytorch.learners.linear",
    "jupytorch.learners.sklearn",
    "jupytorch.tasks.tabular",
    "jupytorch.core.sklearn_adapter",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
