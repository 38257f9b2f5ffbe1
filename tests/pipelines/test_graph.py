"""Graph construction (>>, gunion, add_edge), its checks, and running a graph."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError
from jupytorch.pipelines.channels import ChannelTypeError, GraphError
from jupytorch.pipelines.graph import Graph, as_graph, chain, gunion

from ._ops import Add, Layer, ModelDescriptor, Split, Sum, TaskOp, TaskToMd


def test_chain_builds_new_graph_without_touching_operands():
    a, b = Add("a"), Add("b")
    graph = a >> b
    assert graph.ids() == ["a", "b"]
    assert graph.edges.to_dict("records") == [{"src_id": "a", "src_channel": "output", "dst_id": "b", "dst_channel": "input"}]
    assert graph.pipeops["a"] is not a  # copied
    graph.param_set.set_values(a__by=5.0)
    assert a.param_set.values == {}


def test_train_and_predict_run_in_topological_order():
    graph = Add("a") >> Add("b", param_vals={"by": 10.0})
    assert graph.train(1) == [12.0]
    assert graph.is_trained
    graph.param_set.set_values(b__by=100.0)  # state, not the new value, is used in predict
    assert graph.predict(0) == [11.0]


def test_fan_out_and_fan_in_with_lists():
    graph = Add("a") >> [Add("b"), Add("c")] >> Sum()
    assert graph.ids() == ["a", "b", "c", "sum"]
    assert graph.predecessors("sum") == ["b", "c"]
    assert graph.train(0) == [4.0]  # (0+1+1) + (0+1+1)


def test_list_on_the_left_of_a_pipeop():
    graph = [Add("a"), Add("b")] >> Sum()
    assert graph.successors("a") == ["sum"] and len(graph.input) == 2
    assert graph.train(1) == [4.0]


def test_pairwise_join_of_multiple_outputs():
    graph = Split() >> gunion([Add("p"), Add("n")]) >> Add("both", innum=2)
    assert graph.train(5) == [(6.0 + -4.0) + 1.0]
    edges = graph.edges
    assert edges.loc[edges.src_channel == "neg", "dst_id"].item() == "n"


def test_join_error_when_counts_do_not_fit():
    with pytest.raises(GraphError, match="2 free outputs .* 3 free inputs"):
        gunion([Add("a"), Add("b")]) >> gunion([Add("c"), Add("d"), Add("e")])


def test_type_mismatch_fails_at_join_time_with_hint(regr_task):
    TaskToMd() >> Layer() >> Layer("second")  # ModelDescriptor -> ModelDescriptor joins
    with pytest.raises(ChannelTypeError) as info:
        Graph().add_pipeop(TaskOp("select")).add_pipeop(Layer("linear")).add_edge("select", "linear")
    message = str(info.value)
    assert "'select'" in message and "'linear'" in message
    assert "outputs a Task" in message and "expects a ModelDescriptor" in message
    assert "torch_ingress_num" in message


def test_type_mismatch_via_rshift():
    with pytest.raises(ChannelTypeError, match="torch_ingress"):
        TaskOp("select") >> Layer("linear")


def test_duplicate_ids():
    with pytest.raises(GraphError, match=r"PipeOp id\(s\) \['a'\] appear on both sides"):
        Add("a") >> Add("a")
    graph = Graph().add_pipeop(Add("a"))
    with pytest.raises(GraphError, match="already has a PipeOp with id 'a'"):
        graph.add_pipeop(Add("a"))


def test_duplicate_ids_suggest_a_constructor_that_exists():
    from jupytorch import nn, po

    # a second layer of the same kind: nn('linear_2', ...) builds it; po('linear_2') does not exist
    with pytest.raises(GraphError, match=r"e\.g\. nn\('linear_2', \.\.\.\)") as info:
        po("torch_ingress_num") >> nn("linear", out_features=4) >> nn("relu") >> nn("linear", out_features=2)
    assert "po('linear_2')" not in str(info.value)
    nn("linear_2", out_features=2)  # what the message suggests works
    with pytest.raises(GraphError, match=r"nn\('relu_2', \.\.\.\)"):
        Graph().add_pipeop(nn("relu")).add_pipeop(nn("relu"))
    with pytest.raises(GraphError, match=r"po\(<key>, id='scale_2'\), or po\('scale_2'\) when 'scale' is the key"):
        po("scale") >> po("scale")


def test_cycles_are_refused():
    graph = Add("a") >> Add("b") >> Add("c")
    with pytest.raises(GraphError, match="cycle"):
        graph.add_edge("c", "a", dst_channel="input")
    with pytest.raises(GraphError, match="cycle"):
        Graph().add_pipeop(Add("a", innum=2)).add_edge("a", "a")


def test_add_edge_checks_ids_and_channels():
    graph = gunion([Split(), Add("a")])
    with pytest.raises(UnknownKeyError, match="no PipeOp 'spilt'.*Did you mean 'split'"):
        graph.add_edge("spilt", "a")
    with pytest.raises(GraphError, match="has 2 output channels"):
        graph.add_edge("split", "a")
    graph.add_edge("split", "a", src_channel="neg")
    with pytest.raises(GraphError, match="no free input channel"):
        graph.add_edge("split", "a", src_channel="pos")


def test_unconnected_input_of_wrong_type_is_named(regr_task):
    graph = gunion([TaskToMd(), Layer()])  # layer.input is left unconnected
    with pytest.raises(ChannelTypeError, match="'input' of PipeOp 'layer' is not connected.*expects a ModelDescriptor.*torch_ingress_num"):
        graph.train(regr_task)


def test_multiple_inputs_without_single_input():
    graph = gunion([Add("a"), Add("b")])
    assert graph.train([1, 10], single_input=False) == [2.0, 11.0]
    assert graph.train({"a.input": 1, "b": 10}, single_input=False) == [2.0, 11.0]
    with pytest.raises(GraphError, match="'b.input' got no value"):
        graph.train({"a.input": 1}, single_input=False)
    with pytest.raises(GraphError, match="got 1 input\\(s\\) for 2 free input"):
        graph.train([1], single_input=False)


def test_input_output_tables():
    graph = Add("a") >> Split()
    assert graph.input[["name", "train", "op_id"]].to_dict("records") == [{"name": "a.input", "train": "*", "op_id": "a"}]
    assert list(graph.output["name"]) == ["split.pos", "split.neg"]
    assert graph.train(1) == [2.0, -2.0]


def test_param_set_nests_by_id_and_accepts_dotted_aliases():
    graph = Add("a") >> Add("b")
    assert list(graph.param_set.params) == ["a__by", "b__by"]
    graph.param_set.set_values({"b.by": 3.0})
    assert graph.pipeops["b"].param_set.values == {"by": 3.0}
    with pytest.raises(UnknownKeyError, match="a__bx.*Did you mean 'a__by'"):
        graph.param_set.set_values(a__bx=1.0)
    with pytest.raises(InvalidParameterError, match="PipeOp 'a': parameter 'a__by' must be a number"):
        graph.param_set.set_values(a__by="x")


def test_state_and_reset():
    graph = Add("a") >> Add("b")
    graph.train(0)
    assert graph.state == {"a": {"by": 1.0}, "b": {"by": 1.0}}
    graph.reset()
    assert not graph.is_trained and graph.state == {"a": None, "b": None}
    graph.state = {"a": {"by": 2.0}, "b": {"by": 3.0}}
    assert graph.predict(0) == [5.0]


def test_keep_results():
    graph = Add("a") >> Add("b")
    graph.train(0)
    assert graph.results == {}
    graph.keep_results = True
    graph.train(0)
    assert graph.results == {"a": [1.0], "b": [2.0]}


def test_update_ids_and_rename():
    graph = Add("a") >> Add("b")
    graph.update_ids(prefix="p_", postfix="_1")
    assert graph.ids() == ["p_a_1", "p_b_1"]
    assert list(graph.edges["dst_id"]) == ["p_b_1"]
    assert "p_a_1__by" in graph.param_set
    graph.rename("p_b_1", "last")
    assert graph.ids() == ["p_a_1", "last"] and graph.train(0) == [2.0]
    with pytest.raises(GraphError, match="same id"):
        graph.rename("last", "p_a_1")


def test_clone_is_independent_and_picklable():
    graph = Add("a") >> Add("b")
    graph.train(0)
    copy = graph.clone()
    copy.pipeops["a"].param_set.set_values(by=9.0)
    assert graph.pipeops["a"].param_set.values == {}
    assert pickle.loads(pickle.dumps(graph)).predict(0) == [2.0]


def test_ids_topological_with_insertion_ties():
    graph = Graph()
    for op in (Sum(), Add("b"), Add("a")):
        graph.add_pipeop(op)
    graph.add_edge("b", "sum")
    graph.add_edge("a", "sum")
    assert graph.ids() == ["b", "a", "sum"]
    assert graph.ids(sorted=False) == ["sum", "b", "a"]


def test_add_pipeop_does_not_copy_when_asked():
    op = Add("a")
    graph = Graph().add_pipeop(op, clone=False)
    assert graph.pipeops["a"] is op


def test_empty_graph_and_bad_objects():
    with pytest.raises(GraphError, match="empty graph"):
        Graph().train(1)
    with pytest.raises(GraphError, match="Cannot use a int as a PipeOp"):
        as_graph(3)
    with pytest.raises(GraphError, match="no free output"):
        chain(Graph(), Add())


def test_repr_and_html():
    graph = Add("a") >> Add("b<")
    text = repr(graph)
    assert text.startswith("<Graph> 2 PipeOps: a >> b<") and "not trained" in text
    page = graph._repr_html_()
    assert "b&lt;" in page and "<svg" in page
    assert repr(Graph()) == "<Graph> (empty)"


def test_edges_frame_of_empty_graph():
    assert list(Graph().edges.columns) == ["src_id", "src_channel", "dst_id", "dst_channel"]
    assert isinstance(Graph().input, pd.DataFrame)


def test_model_descriptor_flows_through_layers(regr_task):
    graph = TaskToMd() >> Layer("l1") >> Layer("l2")
    md = graph.train(regr_task)[0]
    assert isinstance(md, ModelDescriptor) and md.n == regr_task.n_features + 2
