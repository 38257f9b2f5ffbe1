"""The lazy layer's registrations: image tasks by name, public names as strings."""

from __future__ import annotations

import importlib

import pytest
from idx_files import N_ROWS

from jupytorch.core.registry import REGISTRIES, Registry, registry
from jupytorch.core.task import TaskClassif
from jupytorch.lazy import _register
from jupytorch.lazy.data_files import set_data_dir


def test_register_adds_image_tasks_as_strings(monkeypatch):
    fresh = Registry("task")
    monkeypatch.setitem(REGISTRIES, "task", fresh)
    _register.register()
    for key in ("mnist", "fashion_mnist", "cifar10", "cifar100", "lazy_iris", "digits", "melanoma"):
        assert key in fresh
        assert fresh.meta(key)["task_type"] == "classif"
        assert isinstance(fresh._entries[key], str)  # nothing imported at registration
    assert fresh._entries["mnist"] == "jupytorch.lazy.tasks:load_mnist"


def test_exports_resolve():
    for name, target in _register.EXPORTS.items():
        module, _, attribute = target.partition(":")
        assert hasattr(importlib.import_module(module), attribute), name


def test_tsk_mnist_through_the_registry(mnist_files, monkeypatch):
    monkeypatch.setenv("JUPYTORCH_DATA", str(mnist_files))
    set_data_dir(None)
    _register.register()
    task = registry("task").get("mnist")
    assert isinstance(task, TaskClassif) and task.nrow == N_ROWS
    assert registry("task").get("lazy_iris").nrow == 150
    with pytest.raises(Exception, match="Did you mean 'mnist'"):
        registry("task").get("mnsit")


def test_metadata_matches_built_in_memory_tasks():
    for key in ("lazy_iris", "digits"):
        loader, nrow, ncol, label = _register.TASKS[key]
        task = importlib.import_module("jupytorch.lazy.tasks").__dict__[loader]()
        assert (task.nrow, task.ncol, task.label) == (nrow, ncol, label)
