"""graph_spec / graph.plot() and the sugar functions po, pos, nn, ppl."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch import lrn, po, pos, ppl
from jupytorch.core.exceptions import UnknownKeyError
from jupytorch.core.registry import registry
from jupytorch.pipelines.graph import Graph
from jupytorch.pipelines.render import GraphPlot, graph_spec
from jupytorch.pipelines.sugar import nn

from ._ops import Layer, TaskToMd


def test_graph_spec_is_json_ready(regr_task):
    graph = po("scale") >> po("pca", rank=2) >> lrn("regr.rpart")
    spec = graph_spec(graph)
    json.dumps(spec)
    assert [n["id"] for n in spec["nodes"]] == ["scale", "pca", "regr_rpart"]
    assert [n["kind"] for n in spec["nodes"]] == ["preprocessing", "preprocessing", "learner"]
    assert spec["nodes"][1]["params"] == {"rank": 2} and spec["nodes"][1]["n_params"] == 4
    assert spec["nodes"][0]["state"] == "untrained"
    assert spec["edges"][0] == {"src": "scale", "dst": "pca", "src_channel": "output", "dst_channel": "input", "label": None}
    assert spec["inputs"] == ["scale.input"] and spec["outputs"] == ["regr_rpart.output"]
    learner = jt.as_learner(graph).train(regr_task)
    assert {n["state"] for n in graph_spec(learner)["nodes"]} == {"trained"}


def test_graph_spec_carries_edge_shape_labels(regr_task):
    graph = TaskToMd() >> Layer("l1") >> Layer("l2")
    assert [e["label"] for e in graph_spec(graph)["edges"]] == [None, None]
    graph.train(regr_task)
    assert [e["label"] for e in graph_spec(graph)["edges"]] == [None, "(None, 5)"]
    assert "(None, 5)" in repr(graph.plot()) and "(None, 5)" in graph.plot()._repr_html_()


def test_plot_text_and_svg():
    plot = (po("scale") >> [po("pca"), po("nop")] >> po("featureunion")).plot()
    assert isinstance(plot, GraphPlot)
    text = repr(plot)
    assert "scale (preprocessing, untrained) --> pca, nop" in text
    svg = plot._repr_html_()
    assert svg.startswith("<svg") and svg.count("<rect") == 4 and svg.count("marker-end") == 4


def test_plot_escapes_labels():
    graph = Graph().add_pipeop(po("nop", id="a_b"))
    graph.pipeops["a_b"].label = "<script>"
    assert "<script>" not in graph.plot()._repr_html_()


def test_po_suffix_convention_and_ids():
    assert po("select_1").id == "select_1" and type(po("select_1")).__name__ == "PipeOpSelect"
    assert po("pca", id="pca2").id == "pca2"
    assert po("pca_extra", id="mine").id == "mine"
    with pytest.raises(UnknownKeyError, match="Unknown pipeop 'pcaa'.*Did you mean 'pca'"):
        po("pcaa")
    with pytest.raises(UnknownKeyError, match="Unknown pipeop 'nn_lineer'"):
        po("nn_lineer")


def test_po_constructor_args_and_params():
    op = po("featureunion", innum=2, assert_targets_equal=False)
    assert op.innum == 2 and op.param_set.values == {"assert_targets_equal": False}
    op = po("learner", lrn("regr.rpart"), maxdepth=3)
    assert op.id == "regr_rpart" and op.param_set.values == {"maxdepth": 3}
    wrapped = po(lrn("classif.rpart"))
    assert wrapped.id == "classif_rpart"
    copy = po(op, id="tree", maxdepth=4)
    assert copy.id == "tree" and op.param_set.values == {"maxdepth": 3}


def test_nn_prefixes_key_and_sets_id():
    registry("pipeop").add("nn_testlayer", Layer)
    try:
        assert type(nn("testlayer")).__name__ == "Layer" and nn("testlayer").id == "testlayer"
        assert nn("testlayer_1").id == "testlayer_1"
        assert nn("testlayer", id="other").id == "other"
    finally:
        registry("pipeop").remove("nn_testlayer")


def test_pos_and_ppl_listings():
    assert [op.id for op in pos(["scale", "pca"])] == ["scale", "pca"]
    listing = pos()
    assert isinstance(listing, pd.DataFrame) and {"scale", "branch", "sklearn"} <= set(listing["key"])
    assert "branch" in set(ppl()["key"])
    with pytest.raises(UnknownKeyError, match="Unknown pipeline"):
        ppl("brnch")


def test_exports_reach_the_top_level():
    for name in ("po", "pos", "nn", "ppl", "as_learner", "gunion", "Graph", "PipeOp", "GraphLearner",
                 "selector_all", "selector_none", "selector_name", "selector_type", "selector_grep",
                 "selector_invert", "graph_spec", "NO_OP"):
        assert getattr(jt, name) is not None, name


def test_top_level_nn_builds_layer_pipeops():
    # ``jupytorch.nn`` is also the subpackage; calling it is the sugar function nn().
    op = jt.nn("linear_1", out_features=4)
    assert op.id == "linear_1"
    assert type(op) is type(nn("linear", out_features=4))
    assert op.param_set.values["out_features"] == 4


def test_unknown_layer_suggests_the_nn_spelling():
    with pytest.raises(jt.core.exceptions.UnknownKeyError, match=r"nn\('lineer'\).*Did you mean 'linear'"):
        jt.nn("lineer")
