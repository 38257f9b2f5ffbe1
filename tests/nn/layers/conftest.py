"""Helpers for the tests of the layer modules (one test module per module of jupytorch/nn/layers).

Each test module lists its layers' shape cases, ``(case id, layer factory, input shapes, expected
output shape)``, runs them with :func:`shape_cases` / :func:`check_shape_case` and checks with
:func:`layer_keys` that every layer of its module has a case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
import torch

from jupytorch import tsk
from jupytorch.core.registry import registry
from jupytorch.nn.nn_graph import nn_graph

from ..conftest import input_descriptors


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


def built_module(op: Any, shapes: Sequence[tuple], task: Any = None) -> torch.nn.Module:
    """The torch module that layer ``op`` builds for inputs of ``shapes`` (task: iris unless given)."""
    md = op.train(input_descriptors(shapes, tsk("iris") if task is None else task))[0]
    return md.graph.pipeops[op.id].module


def shape_cases(cases: Sequence[tuple]) -> Any:
    """Parametrize a test by the rows ``(case id, layer factory, input shapes, expected output shape)``."""
    return pytest.mark.parametrize(("factory", "shapes", "expected"), [c[1:] for c in cases], ids=[c[0] for c in cases])


def check_shape_case(factory: Callable[[], Any], shapes: Sequence[tuple], expected: tuple, task: Any) -> None:
    """The inferred output shape is ``expected``, and the real module gives that shape too."""
    inferred, real = run_layer(factory(), shapes, task)
    assert inferred == expected
    assert len(real) == len(expected)
    for got, want in zip(real[1:], expected[1:]):
        if want is not None:
            assert got == want
    assert real[0] == 3  # the batch


def layer_keys(module: str) -> set[str]:
    """The registered layers (``nn("<key>")``) whose PipeOp class is defined in ``jupytorch.nn.layers.<module>``."""
    reg = registry("pipeop")
    return {key[len("nn_"):] for key in reg
            if key.startswith("nn_") and reg.factory(key).__module__ == f"jupytorch.nn.layers.{module}"}


def check_causal(module: torch.nn.Module, tokens: int = 5, d: int = 6) -> None:
    """Outputs of the first tokens do not change when only later tokens do (evaluation mode)."""
    module.eval()
    x = torch.randn(2, tokens, d)
    y = x.clone()
    y[:, 3:] = torch.randn(2, tokens - 3, d)      # change only the tokens after the third
    with torch.no_grad():
        assert torch.allclose(module(x)[:, :3], module(y)[:, :3], atol=1e-6)
        assert not torch.allclose(module(x)[:, 3:], module(y)[:, 3:])
