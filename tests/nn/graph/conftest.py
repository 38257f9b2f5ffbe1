"""Helpers for the graph-building tests: run one layer PipeOp on given input shapes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import torch

import jupytorch as jt
from jupytorch.nn.model_descriptor import ModelDescriptor
from jupytorch.nn.nn_graph import PipeOpModule, identity, nn_graph
from jupytorch.pipelines.graph import Graph


def input_descriptors(shapes: Sequence[tuple], task: Any) -> list[ModelDescriptor]:
    """One ModelDescriptor per shape, each a bare module-graph input ``in<i>.input``."""
    mds = []
    for i, shape in enumerate(shapes):
        graph = Graph()
        graph.add_pipeop(PipeOpModule(f"in{i}", identity), clone=False)
        mds.append(ModelDescriptor(graph, {}, task, pointer=(f"in{i}", "output"), pointer_shape=tuple(shape)))
    return mds


def run_layer(op: Any, shapes: Sequence[tuple], task: Any, dtype: torch.dtype = torch.float32,
              fill: int = 5, batch: int = 3) -> tuple[tuple, tuple]:
    """Train ``op`` on descriptors of ``shapes``; return (inferred output shape, real output shape).

    The real shape comes from running the built network on tensors whose unknown sizes are
    ``batch`` (first dimension) and ``fill`` (others).
    """
    mds = input_descriptors(shapes, task)
    out = op.train(mds)[0]
    names = {f"in{i}.input": s for i, s in enumerate(shapes)}
    net = nn_graph(out.graph, names, output_map=[f"{out.pointer[0]}.{out.pointer[1]}"])
    tensors = []
    for s in shapes:
        size = [batch] + [fill if d is None else d for d in s[1:]]
        tensors.append(torch.randint(0, 2, size) if dtype == torch.long else torch.randn(size, dtype=dtype))
    with torch.no_grad():
        y = net(*tensors)
    return out.pointer_shape, tuple(y.shape)


@pytest.fixture
def iris():
    return jt.tsk("iris")


@pytest.fixture
def mtcars():
    return jt.tsk("mtcars")
