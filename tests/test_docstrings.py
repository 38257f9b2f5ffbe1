"""The Examples sections of every jupytorch module's docstrings run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import jupytorch

# Modules whose import needs a running kernel or a built front end are covered by tests/notebook.
SKIP_PREFIXES = ("jupytorch.notebook",)

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(jupytorch.__path__, prefix="jupytorch.")
    if not info.name.startswith(SKIP_PREFIXES)
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that save files write here
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed"


def test_public_names_have_examples():
    # every class and function exported at the top level documents itself with an example
    without = []
    for name in jupytorch.__all__:
        obj = getattr(jupytorch, name)
        if not callable(obj) or (isinstance(obj, type) and issubclass(obj, BaseException)):
            continue
        doc = obj.__doc__ or ""
        if ">>>" not in doc:
            without.append(name)
    assert not without, f"public names without a docstring example: {without}"
