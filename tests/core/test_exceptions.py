"""Every error class lives in jupytorch.core.exceptions, and its modules re-export the ones they raise."""

from __future__ import annotations

import importlib

import pytest

import jupytorch
from jupytorch.core import exceptions as exc

# error class -> the base classes that callers catch it by
HIERARCHY = {
    "ShapeError": (exc.JupytorchError, ValueError),
    "LazyShapeError": (exc.ShapeError, exc.InvalidParameterError),
    "GraphError": (exc.JupytorchError, ValueError),
    "ChannelTypeError": (exc.GraphError, TypeError),
    "MissingBundleError": (exc.JupytorchError, FileNotFoundError),
    "DataNotFoundError": (exc.JupytorchError, FileNotFoundError),
    "CellError": (exc.InvalidParameterError,),
}

# module that raises the error -> the names it re-exports from core.exceptions
RAISERS = {
    "jupytorch.nn.shapes": ("ShapeError",),
    "jupytorch.lazy.pipeops.checks": ("LazyShapeError",),
    "jupytorch.pipelines.channels": ("GraphError", "ChannelTypeError"),
    "jupytorch.lazy.tasks": ("DataNotFoundError",),
    "jupytorch.notebook._static": ("MissingBundleError",),
    "jupytorch.notebook.cell": ("CellError",),
}


@pytest.mark.parametrize("name", sorted(HIERARCHY))
def test_error_is_defined_in_core_with_its_bases(name):
    cls = getattr(exc, name)
    assert cls.__module__ == "jupytorch.core.exceptions"
    assert name in exc.__all__
    for base in HIERARCHY[name]:
        assert issubclass(cls, base), f"{name} should be a {base.__name__}"


@pytest.mark.parametrize("module", sorted(RAISERS))
def test_raising_modules_use_the_one_class(module):
    loaded = importlib.import_module(module)
    for name in RAISERS[module]:
        assert getattr(loaded, name) is getattr(exc, name)


def test_every_exception_class_of_the_package_is_in_core():
    import inspect
    import pkgutil

    elsewhere = []
    for info in pkgutil.walk_packages(jupytorch.__path__, prefix="jupytorch."):
        if info.name.startswith("jupytorch.notebook") and info.name not in RAISERS:
            continue  # widget modules need a front end; cell and _static are checked above
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            defined_here = inspect.isclass(obj) and obj.__module__ == info.name != "jupytorch.core.exceptions"
            if defined_here and issubclass(obj, exc.JupytorchError):
                elsewhere.append(f"{info.name}.{name}")
    assert elsewhere == []


def test_cell_error_names_line_and_option():
    error = exc.CellError("bad option", line=2, option="--task")
    assert (error.line, error.option, str(error)) == (2, "--task", "bad option")


def test_top_level_names_resolve_without_torch():
    assert jupytorch.ShapeError is exc.ShapeError and jupytorch.GraphError is exc.GraphError
