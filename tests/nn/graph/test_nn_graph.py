"""nn_graph: a graph of module PipeOps as one torch.nn.Module."""

from __future__ import annotations

import pickle

import pytest
import torch

import jupytorch as jt
from jupytorch import po
from jupytorch.nn.nn_graph import NNGraph, PipeOpModule
from jupytorch.pipelines.channels import GraphError


def _api_net():
    # as documented
    return jt.nn_graph(po("module_1", module=torch.nn.Linear(10, 100)) >> po("module_2", module=torch.nn.ReLU()),
                       shapes_in={"module_1.input": (None, 10)})


def test_api_line_runs_and_registers_submodules():
    net = _api_net()
    assert isinstance(net, torch.nn.Module)
    y = net(torch.randn(4, 10))
    assert y.shape == (4, 100) and (y >= 0).all()
    assert sum(p.numel() for p in net.parameters()) == 10 * 100 + 100
    assert set(net.state_dict()) == {"modules_by_id.module_1.weight", "modules_by_id.module_1.bias"}
    assert net.shapes_out() == {"module_2.output": (None, 100)}
    net.eval()
    assert not net.modules_by_id["module_1"].training


def test_inputs_by_position_keyword_or_dict():
    net = _api_net()
    x = torch.randn(2, 10)
    expected = net(x)
    assert torch.equal(net(**{"module_1.input": x}), expected)
    assert torch.equal(net({"module_1.input": x}), expected)
    with pytest.raises(GraphError, match="unknown input 'nope'"):
        net(nope=x)
    with pytest.raises(GraphError, match="1 inputs"):
        net(x, x)


def test_gradients_flow_and_state_dict_round_trips():
    net = _api_net()
    net(torch.randn(3, 10)).sum().backward()
    assert net.modules_by_id["module_1"].weight.grad is not None
    other = _api_net()
    other.load_state_dict(net.state_dict())
    x = torch.randn(2, 10)
    assert torch.equal(other(x), net(x))
    clone = pickle.loads(pickle.dumps(net))
    assert torch.equal(clone(x), net(x))


def test_two_inputs_and_several_outputs():
    left = po("module_a", module=torch.nn.Linear(3, 4))
    right = po("module_b", module=torch.nn.Linear(5, 4))
    add = PipeOpModule("add", torch.add, inname=("x", "y"))
    graph = jt.gunion([left, right]) >> add
    graph = graph >> jt.gunion([po("module_c", module=torch.nn.Tanh()), po("module_d", module=torch.nn.Sigmoid())])
    net = jt.nn_graph(graph, {"module_a.input": (None, 3), "module_b.input": (None, 5)})
    assert net.input_names == ["module_a.input", "module_b.input"]
    a, b = torch.randn(2, 3), torch.randn(2, 5)
    c, d = net(a, b)
    s = net.modules_by_id["module_a"](a) + net.modules_by_id["module_b"](b)
    assert torch.allclose(c, torch.tanh(s)) and torch.allclose(d, torch.sigmoid(s))
    only = jt.nn_graph(graph, {"module_a.input": (None, 3), "module_b.input": (None, 5)}, output_map=["module_d.output"],
                       list_output=True)
    out = only(a, b)
    assert isinstance(out, list) and torch.allclose(out[0], d)


def test_module_with_several_outputs():
    split = PipeOpModule("split", lambda x: x.chunk(2, dim=-1), outname=("first", "second"))
    graph = split >> jt.gunion([po("module_1", module=torch.nn.ReLU()), po("module_2", module=torch.nn.Tanh())])
    net = jt.nn_graph(graph, {"split.input": (None, 4)})
    x = torch.randn(3, 4)
    r, t = net(x)
    assert torch.equal(r, torch.relu(x[:, :2])) and torch.equal(t, torch.tanh(x[:, 2:]))


def test_shapes_in_must_name_the_free_inputs():
    graph = po("module_1", module=torch.nn.Linear(10, 2))
    with pytest.raises(GraphError, match="module_1.input"):
        jt.nn_graph(graph, {"module_1.inptu": (None, 10)})
    with pytest.raises(GraphError, match="no shape"):
        jt.nn_graph(graph, {})
    assert jt.nn_graph(graph, [(None, 10)]).input_names == ["module_1.input"]
    with pytest.raises(GraphError, match="not a free output"):
        jt.nn_graph(graph, {"module_1.input": (None, 10)}, output_map=["module_1.out"])


def test_only_module_pipeops():
    with pytest.raises(GraphError, match="PipeOpModule"):
        NNGraph(po("scale"), {"scale.input": (None, 3)})


def test_pipeop_module_trains_on_tensors():
    op = po("module", module=torch.nn.Linear(3, 2))
    out = op.train([torch.ones(4, 3)])[0]
    assert out.shape == (4, 2)
    assert op.predict([torch.ones(1, 3)])[0].shape == (1, 2)
    with pytest.raises(Exception, match="module must be"):
        PipeOpModule("bad", module=3)
