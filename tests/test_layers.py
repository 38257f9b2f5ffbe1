"""The layer contract, read from the source: each layer imports only the layers below it.

Every ``import`` and ``from ... import`` counts, also those inside functions (a lazy import is still a
dependency), and so does ``importlib.import_module("<literal>")``. Registries name higher layers
as ``"module:attribute"`` strings; those are not imports and are allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jupytorch._catalog import LAYERS

PACKAGE = Path(__file__).resolve().parents[1] / "jupytorch"
HEAVY = {"torch", "torchvision"}  # core stays free of them: `import jupytorch` must be light
FRONT_END = {"IPython", "ipywidgets", "anywidget", "ipykernel"}  # only the notebook layer talks to Jupyter


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _imports_in(path.read_text(encoding="utf-8"), package)


def _imports_in(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, a module of ``package``."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from jupytorch import nn` imports the subpackage jupytorch.nn
            if module == "jupytorch":
                found.extend((node.lineno, f"jupytorch.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "jupytorch" and parts[1] in LAYERS else None


FILES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(_module_name(p)) is not None)


def test_every_layer_is_covered():
    assert {_layer(_module_name(p)) for p in FILES} == set(LAYERS) - {
        layer for layer in LAYERS if not (PACKAGE / layer).is_dir()
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: _module_name(p))
def test_imports_go_only_downward(path):
    layer = _layer(_module_name(path))
    rank = LAYERS.index(layer)
    upward = [
        f"line {line}: {module}"
        for line, module in _imports(path)
        if (target := _layer(module)) is not None and LAYERS.index(target) > rank
    ]
    assert not upward, f"{_module_name(path)} (layer {layer!r}) imports layers above it: {upward}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: _module_name(p))
def test_core_is_torch_free_and_only_notebook_talks_to_jupyter(path):
    layer = _layer(_module_name(path))
    roots = {(line, module.split(".")[0]) for line, module in _imports(path)}
    if layer == "core":
        heavy = sorted(f"line {line}: {root}" for line, root in roots if root in HEAVY)
        assert not heavy, f"{_module_name(path)}: core never imports torch ({heavy})"
    if layer != "notebook":
        jupyter = sorted(f"line {line}: {root}" for line, root in roots if root in FRONT_END)
        assert not jupyter, f"{_module_name(path)}: only jupytorch.notebook imports Jupyter front-end packages ({jupyter})"


def test_the_checker_sees_function_level_relative_and_importlib_imports():
    source = (
        "import importlib\n"
        "def f():\n"
        "    from jupytorch.nn import trainer\n"
        "    from ..pipelines import graph\n"
        "    from .. import viz\n"
        "    import torch\n"
        "    importlib.import_module('jupytorch.notebook.cell')\n"
    )
    found = {module for _, module in _imports_in(source, "jupytorch.core")}
    assert {"jupytorch.nn", "jupytorch.pipelines", "jupytorch.viz", "torch", "jupytorch.notebook.cell"} <= found
