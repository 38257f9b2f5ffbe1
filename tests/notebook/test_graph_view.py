import json

import pytest
import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.notebook._graph_view import NODE_KINDS, GraphView, normalize_spec

EVIL = "<img src=x onerror=alert(1)>"


def spec(**node_overrides):
    return {
        "nodes": [
            {"id": "ingress", "kind": "ingress", "label": "torch_ingress_num"},
            {"id": "linear", "kind": "layer", "label": "nn_linear", "params": {"out_features": 10},
             "state": "trained", "n_params": 110, **node_overrides},
        ],
        "edges": [{"src": "ingress", "dst": "linear", "label": "(None, 10)"}],
    }


def test_spec_gets_defaults_and_keeps_given_values():
    out = normalize_spec({"nodes": [{"id": "a"}, {"id": "b", "kind": "loss"}], "edges": [{"src": "a", "dst": "b"}]})
    assert out["nodes"][0] == {"id": "a", "kind": "other", "label": "a", "params": {}, "state": None, "n_params": None}
    assert out["nodes"][1]["kind"] == "loss"
    assert out["edges"] == [{"src": "a", "dst": "b", "label": ""}]


def test_param_values_become_json_text_not_html():
    out = normalize_spec(spec(params={
        "activation": torch.nn.ReLU, "p": float("nan"), "lr": torch.tensor(0.5),
        "neurons": (100, 200), "names": {EVIL}, "obj": object(),
    }))
    params = out["nodes"][1]["params"]
    assert params["activation"] == "torch.nn.modules.activation.ReLU"
    assert params["p"] == "nan"
    assert params["lr"] == 0.5
    assert params["neurons"] == [100, 200]
    assert params["names"] == [EVIL]
    assert params["obj"].startswith("<object object at")
    json.dumps(out, allow_nan=False)  # strictly JSON


def test_user_strings_are_kept_verbatim_for_the_front_end_to_escape():
    view = GraphView({"nodes": [{"id": EVIL, "label": EVIL, "params": {EVIL: EVIL}, "state": EVIL}],
                      "edges": []})
    node = view.spec["nodes"][0]
    assert node["id"] == node["label"] == node["state"] == EVIL
    assert node["params"] == {EVIL: EVIL}
    state = view.get_state()
    assert "&lt;" not in json.dumps(state["spec"])  # nothing escaped or turned into markup in Python
    assert not hasattr(view, "_repr_html_")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"nodes": [{"id": "a", "kind": "layers"}]}, "Did you mean 'layer'"),
        ({"nodes": [{"id": ""}]}, "non-empty string"),
        ({"nodes": [{"id": "a"}, {"id": "a"}]}, "more than one node"),
        ({"nodes": [{"id": "a"}], "edges": [{"src": "a", "dst": "b"}]}, "'dst' is 'b'"),
        ({"nodes": [{"id": "a", "n_params": -1}]}, "n_params"),
        ({"nodes": [{"id": "a", "n_params": True}]}, "n_params"),
        ({"nodes": [{"id": "a", "state": 3}]}, "'state' must be a string"),
        ({"nodes": [{"id": "a", "lable": "x"}]}, "Did you mean 'label'"),
        ({"nodes": [], "edge": []}, "unknown key 'edge'"),
    ],
)
def test_bad_specs_name_the_node_and_the_problem(bad, message):
    with pytest.raises(InvalidParameterError, match=message):
        normalize_spec(bad)


def test_traits_and_selection():
    view = GraphView(spec())
    assert view.selected == "" and view.direction == "TB" and view.selected_node is None
    view.select("linear")
    assert view.selected_node["n_params"] == 110
    with pytest.raises(InvalidParameterError, match="no node 'lin'"):
        view.select("lin")
    view.spec = {"nodes": [{"id": "other"}], "edges": []}
    assert view.selected == ""  # the selected node is gone


def test_synced_traits_match_the_typescript_model(model_mirror):
    python, typescript = model_mirror(GraphView, "graph_view", "GraphViewModel")
    assert python == typescript == {"spec", "selected", "direction"}
    state = GraphView(spec(), direction="LR").get_state()
    assert state["direction"] == "LR"
    assert "render" in state["_esm"]  # the built bundle is what the front end loads


def test_kinds_are_the_documented_ones():
    assert NODE_KINDS == ("preprocessing", "ingress", "layer", "loss", "optimizer", "callbacks", "model",
                          "learner", "other")


def test_a_graph_object_is_refused_with_a_pointer_to_graph_spec():
    with pytest.raises(TypeError, match="a Graph, a Learner, a PipeOp or a graph spec dict, got list"):
        GraphView(["not", "a", "spec"])
