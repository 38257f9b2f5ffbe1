"""Collects every layer's registrations and public names without importing the layers.

Each layer has a small ``_register.py`` with ``EXPORTS`` (public name -> "module:attribute") and a
``register()`` function that adds its registry entries as strings. Importing those files is cheap.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

LAYERS = ("core", "learners", "tasks", "pipelines", "lazy", "nn", "tuning", "viz", "notebook")


def _modules() -> list[ModuleType]:
    modules = []
    for layer in LAYERS:
        name = f"jupytorch.{layer}._register"
        if importlib.util.find_spec(f"jupytorch.{layer}") is None or importlib.util.find_spec(name) is None:
            continue
        modules.append(importlib.import_module(name))
    return modules


def exports() -> dict[str, str]:
    """Public names of the package, mapped to where they live."""
    out: dict[str, str] = {}
    for module in _modules():
        out.update(getattr(module, "EXPORTS", {}))
    return out


def register_all() -> None:
    """Fill the registries behind tsk/lrn/msr/rsmp/po/t_loss/... with every layer's entries."""
    for module in _modules():
        register = getattr(module, "register", None)
        if register is not None:
            register()
