"""Small tasks and helpers for the nn tests (tiny data: the whole nn suite runs in seconds); the tasks come
from tests/toy_tasks.py, shared with the tuning tests.

Also the helpers of the layer and graph-building tests: :func:`input_descriptors` (bare module-graph
inputs of given shapes for one layer PipeOp) and :func:`fails_to_build`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from toy_tasks import make_classif, make_regr

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.nn.model_descriptor import ModelDescriptor
from jupytorch.nn.nn_graph import PipeOpModule, identity
from jupytorch.nn.shapes import ShapeError
from jupytorch.pipelines.graph import Graph


@pytest.fixture
def task_multi():
    return make_classif()


@pytest.fixture
def task_binary():
    return make_classif(n_classes=2, id="toy_binary")


@pytest.fixture
def task_regr():
    return make_regr()


def mlp(task_type: str = "classif", **values):
    """A small, fast, seeded MLP learner."""
    defaults = {"neurons": (8,), "epochs": 2, "batch_size": 32, "device": "cpu", "seed": 1}
    defaults.update(values)
    callbacks = defaults.pop("callbacks", ())
    loss = defaults.pop("loss", None)
    optimizer = defaults.pop("optimizer", None)
    return jt.lrn(f"{task_type}.mlp", callbacks=callbacks, loss=loss, optimizer=optimizer, **defaults)


@pytest.fixture
def iris():
    return jt.tsk("iris")


@pytest.fixture
def mtcars():
    return jt.tsk("mtcars")


def input_descriptors(shapes: Sequence[tuple], task: Any) -> list[ModelDescriptor]:
    """One ModelDescriptor per shape, each a bare module-graph input ``in<i>.input``."""
    mds = []
    for i, shape in enumerate(shapes):
        graph = Graph()
        graph.add_pipeop(PipeOpModule(f"in{i}", identity), clone=False)
        mds.append(ModelDescriptor(graph, {}, task, pointer=(f"in{i}", "output"), pointer_shape=tuple(shape)))
    return mds


def fails_to_build(op: Any, shapes: Sequence[tuple], task: Any, match: str) -> str:
    """Train layer ``op`` on inputs of ``shapes``: it must fail with a message matching ``match`` and keep no
    state; returns the message.
    """
    with pytest.raises((ShapeError, InvalidParameterError), match=match) as info:
        op.train(input_descriptors(shapes, task))
    assert op.state is None
    return str(info.value)
