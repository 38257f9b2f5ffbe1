"""Learners, Graphs and PipeOps as the graph inspector: the spec, the display hook, the fallbacks."""

import pytest

import jupytorch as jt
from jupytorch import lrn, msr, nn, po, t_loss, t_opt
from jupytorch.core import display
from jupytorch.notebook import reprs
from jupytorch.notebook._graph_view import GraphView
from jupytorch.notebook.reprs import mimebundle, view_spec

WIDGET = "application/vnd.jupyter.widget-view+json"


def torch_graph(epochs=1):
    return (po("torch_ingress_num") >> nn("linear", out_features=8) >> nn("relu") >> nn("head")
            >> po("torch_loss", t_loss("cross_entropy")) >> po("torch_optimizer", t_opt("adam", lr=0.01))
            >> po("torch_model_classif", epochs=epochs, batch_size=32, measures_train=[msr("classif.acc")]))


def test_a_graph_becomes_nodes_by_kind_and_edges():
    spec = view_spec(po("scale") >> po("pca", rank=2) >> lrn("regr.rpart"))
    assert [(n["id"], n["kind"], n["state"]) for n in spec["nodes"]] == [
        ("scale", "preprocessing", None), ("pca", "preprocessing", None), ("regr_rpart", "learner", None)]
    assert spec["nodes"][1]["params"] == {"rank": 2}
    assert [(e["src"], e["dst"]) for e in spec["edges"]] == [("scale", "pca"), ("pca", "regr_rpart")]
    GraphView(spec)  # a valid GraphView spec


def test_a_trained_network_shows_shapes_and_parameter_counts_per_layer():
    learner = jt.as_learner(torch_graph())
    untrained = view_spec(learner)
    assert all(n["n_params"] is None for n in untrained["nodes"])
    learner.train(jt.tsk("iris"))
    spec = view_spec(learner)
    nodes = {n["id"]: n for n in spec["nodes"]}
    assert nodes["linear"]["n_params"] == 4 * 8 + 8
    assert nodes["relu"]["n_params"] == 0
    assert nodes["head"]["n_params"] == 8 * 3 + 3
    assert nodes["torch_model_classif"]["n_params"] == 40 + 27
    assert all(n["state"] == "trained" for n in spec["nodes"])
    assert {(e["src"], e["label"]) for e in spec["edges"]} >= {("torch_ingress_num", "(None, 4)"), ("linear", "(None, 8)")}
    # objects in parameters are shown by their id, not a long repr
    assert nodes["torch_model_classif"]["params"]["measures_train"] == ["Measure(classif.acc)"]


def test_a_plain_learner_is_one_node_with_its_parameters_and_size():
    import torch

    mlp = lrn("classif.mlp", epochs=1, batch_size=16, activation=torch.nn.ReLU)
    spec = view_spec(mlp)
    assert spec["edges"] == [] and spec["nodes"][0]["state"] is None
    assert spec["nodes"][0]["params"]["activation"] == "torch.nn.modules.activation.ReLU"
    mlp.train(jt.tsk("iris"))
    node = view_spec(mlp)["nodes"][0]
    assert (node["id"], node["kind"], node["state"]) == ("classif.mlp", "model", "trained")
    assert node["n_params"] == sum(p.numel() for p in mlp.model.network.parameters())
    assert view_spec(lrn("regr.rpart"))["nodes"][0]["kind"] == "learner"


def test_pipeops_graph_plots_and_graph_spec_dicts_are_accepted():
    assert [n["id"] for n in view_spec(po("pca"))["nodes"]] == ["pca"]
    graph = po("scale") >> lrn("regr.rpart")
    from_plot = view_spec(graph.plot())
    from_dict = view_spec(jt.graph_spec(graph))
    assert from_plot == from_dict
    assert [n["id"] for n in from_dict["nodes"]] == ["scale", "regr_rpart"]
    own = {"nodes": [{"id": "a"}], "edges": []}
    assert view_spec(own) == own


def test_graph_view_takes_graphs_and_learners_directly():
    view = GraphView(jt.as_learner(po("scale") >> lrn("classif.rpart")))
    assert [n["id"] for n in view.spec["nodes"]] == ["scale", "classif_rpart"]
    view.select("scale")
    view.show(po("pca"))
    assert view.selected == "" and [n["id"] for n in view.spec["nodes"]] == ["pca"]


def test_the_display_hook_gives_nothing_outside_a_kernel():
    assert mimebundle(po("scale")) is None
    assert (po("scale") >> lrn("regr.rpart"))._repr_mimebundle_() is None
    assert lrn("regr.rpart")._repr_mimebundle_() is None


@pytest.fixture
def kernel(monkeypatch):
    """Pretend to run in a kernel (the hook and the widget work without a front end)."""
    import ipykernel  # noqa: F401 - core asks the hook only when ipykernel is loaded

    monkeypatch.setattr(reprs, "in_kernel", lambda: True)


def test_in_a_kernel_the_bundle_is_the_widget_with_html_and_text_fallbacks(kernel):
    graph = po("scale") >> lrn("regr.rpart")
    bundle = graph._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert set(bundle) == {WIDGET, "text/html", "text/plain"}
    assert bundle["text/plain"] == repr(graph) and "<svg" in bundle["text/html"]
    assert isinstance(bundle[WIDGET]["model_id"], str)
    only = mimebundle(graph, include=["text/plain"])
    assert set(only[0] if isinstance(only, tuple) else only) == {"text/plain"}
    without = mimebundle(graph, exclude=[WIDGET])
    assert WIDGET not in (without[0] if isinstance(without, tuple) else without)


def test_every_kind_of_object_has_the_widget_in_a_kernel(kernel):
    for obj in (lrn("classif.rpart"), jt.as_learner(po("pca") >> lrn("classif.rpart")), po("pca"), (po("pca") >> po("scale")).plot()):
        bundle = obj._repr_mimebundle_()
        assert WIDGET in (bundle[0] if isinstance(bundle, tuple) else bundle), type(obj).__name__


def test_a_failing_hook_falls_back_to_the_plain_reprs(kernel, monkeypatch):
    def broken(obj, include, exclude):
        raise RuntimeError("no widgets today")

    monkeypatch.setattr(display, "_hook", broken)
    assert po("scale")._repr_mimebundle_() is None  # IPython then uses _repr_html_ and __repr__


def test_the_hook_is_set_by_name_when_jupytorch_is_imported():
    assert display._hook in ("jupytorch.notebook.reprs:mimebundle", mimebundle)
    with pytest.raises(ValueError, match="'module:attribute' string or a callable"):
        display.set_display_hook("not a target")


def test_lazy_tensor_columns_show_as_a_preview_in_a_kernel(kernel):
    import pandas as pd
    import torch
    from IPython.core.interactiveshell import InteractiveShell

    from jupytorch.notebook.magics import load_ipython_extension
    from jupytorch.notebook.reprs import lazy_series_mimebundle

    column = jt.as_lazy_tensor(torch.rand(30, 1, 4, 4))
    bundle = column._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    assert WIDGET in bundle and bundle["text/plain"].startswith("<LazyTensorArray>")
    series = pd.Series(column, name="image")
    assert WIDGET in lazy_series_mimebundle(series)
    assert lazy_series_mimebundle(pd.Series([1, 2])) is None  # other Series stay pandas'
    # %load_ext jupytorch registers the Series formatter
    shell = InteractiveShell.instance()
    try:
        load_ipython_extension(shell)
        data, _ = shell.display_formatter.format(series)
        assert WIDGET in data
        data, _ = shell.display_formatter.format(pd.Series([1.5]))
        assert WIDGET not in data and "1.5" in data["text/plain"]
    finally:
        shell.display_formatter.mimebundle_formatter.pop(pd.Series, None)
        InteractiveShell.clear_instance()
