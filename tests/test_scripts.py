"""The benchmark and example scripts name only what the package has.

The scripts in ``bench/`` and ``examples/`` are run by hand (a benchmark takes minutes), so a module
that moves would break them silently. This reads every ``jupytorch`` import in them, function-level
ones too, and checks that the module exists and has each imported name.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted([*ROOT.glob("bench/*.py"), *ROOT.glob("examples/*.py")])


def jupytorch_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """``(line, module, name)`` of each jupytorch import in ``path`` (``name`` None for ``import m``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "jupytorch":
            found.extend((node.lineno, node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name, None) for alias in node.names if alias.name.split(".")[0] == "jupytorch")
    return found


def test_the_scripts_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in SCRIPTS}
    assert {"bench/bench_mlp.py", "bench/bench_monitor.py", "examples/demo.py"} <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_every_jupytorch_import_of_a_script_resolves(path):
    missing = []
    for line, module_name, name in jupytorch_imports(path):
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            missing.append(f"line {line}: {module_name} ({error})")
            continue
        if name is not None and name != "*" and not hasattr(module, name):
            try:  # a submodule imported by name: from jupytorch.lazy import datasets
                importlib.import_module(f"{module_name}.{name}")
            except ImportError:
                missing.append(f"line {line}: {module_name} has no {name!r}")
    assert not missing, f"{path.relative_to(ROOT)} imports what the package does not have:\n" + "\n".join(missing)


def test_the_check_sees_function_level_imports(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("def main():\n    from jupytorch.tasks.images import load_mnist\n")
    assert jupytorch_imports(script) == [(2, "jupytorch.tasks.images", "load_mnist")]
