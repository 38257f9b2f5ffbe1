"""GraphView: a PipeOp graph drawn as a laid-out DAG in the notebook (front end: ``js/graph_view.ts``).

The widget draws a *graph spec*, plain JSON-able data, so it knows nothing of ``Graph`` or
``Learner``; ``graph_spec(graph)`` (pipelines layer) builds the spec from a graph. The spec is::

    {
      "nodes": [
        {"id": "linear",              # str, unique; the PipeOp id
         "kind": "layer",             # one of NODE_KINDS, decides the colour; default "other"
         "label": "nn_linear",        # str shown on the node; default: the id
         "params": {"out_features": 10},   # hyperparameter name -> JSON-able value; default {}
         "state": "trained",          # str describing the learned state, or None (not trained)
         "n_params": 110},            # int, trainable parameters of a layer, or None
        ...
      ],
      "edges": [
        {"src": "ingress", "dst": "linear",   # node ids
         "label": "(None, 10)"},              # str shown on the edge (the shape that flows); default ""
        ...
      ],
    }

``NODE_KINDS`` = preprocessing, ingress, layer, loss, optimizer, callbacks, model, learner, other.
Parameter values that are not JSON (classes, modules, tensors, NaN) are turned into short text;
nothing is turned into HTML here: the front end puts every string into the page as text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import anywidget
import traitlets

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean
from jupytorch.notebook._static import Bundle

__all__ = ["GraphView", "NODE_KINDS", "normalize_spec"]

NODE_KINDS = ("preprocessing", "ingress", "layer", "loss", "optimizer", "callbacks", "model", "learner", "other")
_NODE_KEYS = ("id", "kind", "label", "params", "state", "n_params")
_EDGE_KEYS = ("src", "dst", "label")
_MAX_TEXT = 300
_MAX_DEPTH = 6


def _as_json(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON data; what JSON cannot hold becomes a short text."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if getattr(value, "shape", None) == () and hasattr(value, "item"):  # numpy / torch scalars
        return _as_json(value.item(), depth)
    if depth < _MAX_DEPTH:
        if isinstance(value, Mapping):
            return {str(k): _as_json(v, depth + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [_as_json(v, depth + 1) for v in value]
        if isinstance(value, (set, frozenset)):
            return sorted((_as_json(v, depth + 1) for v in value), key=repr)
    if isinstance(value, type) or callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}".lstrip(".")
    text = repr(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "\u2026"


def _fail(where: str, message: str) -> InvalidParameterError:
    return InvalidParameterError(f"GraphView spec, {where}: {message}")


def _check_keys(item: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in item:
        if key not in allowed:
            raise _fail(where, f"unknown key {key!r}; valid keys are {', '.join(allowed)}.{did_you_mean(key, allowed)}")


def _normalize_node(node: Any, i: int) -> dict[str, Any]:
    where = f"node {i}"
    if not isinstance(node, Mapping):
        raise _fail(where, f"must be a dict, got {type(node).__name__}.")
    _check_keys(node, _NODE_KEYS, where)
    node_id = node.get("id")
    if not isinstance(node_id, str) or not node_id:
        raise _fail(where, f"'id' must be a non-empty string, got {node_id!r}.")
    where = f"node {node_id!r}"
    kind = node.get("kind", "other")
    if kind not in NODE_KINDS:
        hint = did_you_mean(str(kind), NODE_KINDS)
        raise _fail(where, f"'kind' is {kind!r}; valid kinds are {', '.join(NODE_KINDS)}.{hint}")
    label = node.get("label", node_id)
    if not isinstance(label, str):
        raise _fail(where, f"'label' must be a string, got {label!r}.")
    params = node.get("params") or {}
    if not isinstance(params, Mapping):
        raise _fail(where, f"'params' must be a dict of name -> value, got {type(params).__name__}.")
    state = node.get("state")
    if state is not None and not isinstance(state, str):
        raise _fail(where, f"'state' must be a string or None, got {state!r}.")
    n_params = node.get("n_params")
    if n_params is not None and (isinstance(n_params, bool) or not isinstance(n_params, int) or n_params < 0):
        raise _fail(where, f"'n_params' must be a count (int >= 0) or None, got {n_params!r}.")
    return {"id": node_id, "kind": kind, "label": label, "params": _as_json(dict(params)), "state": state,
            "n_params": n_params}


def _normalize_edge(edge: Any, i: int, ids: set[str]) -> dict[str, Any]:
    where = f"edge {i}"
    if not isinstance(edge, Mapping):
        raise _fail(where, f"must be a dict, got {type(edge).__name__}.")
    _check_keys(edge, _EDGE_KEYS, where)
    for end in ("src", "dst"):
        if edge.get(end) not in ids:
            hint = did_you_mean(str(edge.get(end)), ids)
            raise _fail(where, f"{end!r} is {edge.get(end)!r}, which is not a node id.{hint}")
    label = edge.get("label") or ""
    if not isinstance(label, str):
        raise _fail(where, f"'label' must be a string, got {label!r}.")
    return {"src": edge["src"], "dst": edge["dst"], "label": label}


def normalize_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Check a graph spec and return it with defaults filled in and values made JSON-able.

    Parameters
    ----------
    spec : dict
        ``{"nodes": [...], "edges": [...]}`` as described in this module's docstring.

    Returns
    -------
    dict
        A new spec; strings are kept exactly as given (escaping is the front end's job).

    Raises
    ------
    InvalidParameterError
        Naming the node or edge at fault, the bad value and what would be valid.

    Examples
    --------
    >>> normalize_spec({"nodes": [{"id": "pca", "kind": "preprocessing"}], "edges": []})["nodes"][0]
    {'id': 'pca', 'kind': 'preprocessing', 'label': 'pca', 'params': {}, 'state': None, 'n_params': None}
    """
    if not isinstance(spec, Mapping):
        raise InvalidParameterError(f"A graph spec must be a dict with 'nodes' and 'edges', got {type(spec).__name__}.")
    _check_keys(spec, ("nodes", "edges"), "top level")
    nodes = [_normalize_node(node, i) for i, node in enumerate(spec.get("nodes") or [])]
    ids: set[str] = set()
    for node in nodes:
        if node["id"] in ids:
            raise _fail(f"node {node['id']!r}", "the id is used by more than one node; ids must be unique.")
        ids.add(node["id"])
    edges = [_normalize_edge(edge, i, ids) for i, edge in enumerate(spec.get("edges") or [])]
    return {"nodes": nodes, "edges": edges}


def _as_spec(obj: Any) -> dict[str, Any]:
    """A spec for GraphView from a spec dict, a Graph, a Learner, a PipeOp or a GraphPlot."""
    from jupytorch.core.learner import Learner
    from jupytorch.notebook.reprs import view_spec
    from jupytorch.pipelines.graph import Graph
    from jupytorch.pipelines.pipeop import PipeOp
    from jupytorch.pipelines.render import GraphPlot

    if isinstance(obj, (Mapping, Learner, Graph, PipeOp, GraphPlot)):
        return view_spec(obj)
    raise TypeError(
        f"GraphView draws a Graph, a Learner, a PipeOp or a graph spec dict, got {type(obj).__name__}."
    )


class GraphView(anywidget.AnyWidget):
    """A graph of PipeOps as a laid-out DAG; click a node for its parameters, state and size.

    Parameters
    ----------
    spec : Graph, Learner, PipeOp or dict
        What to draw: a Graph, a GraphLearner or any Learner, a PipeOp, or a graph spec (this
        module's docstring gives the schema; a ``graph_spec(...)`` result is accepted too).
    selected : str, default ""
        Id of the node whose details the side panel shows ("" for none).
    direction : {"TB", "LR"}, default "TB"
        Lay the graph out top to bottom or left to right.

    Examples
    --------
    >>> view = GraphView({"nodes": [{"id": "scale", "kind": "preprocessing"},
    ...                             {"id": "tree", "kind": "learner"}],
    ...                   "edges": [{"src": "scale", "dst": "tree"}]})
    >>> view.select("tree")
    >>> view.selected_node["kind"]
    'learner'
    >>> from jupytorch import po, lrn
    >>> [n["id"] for n in GraphView(po("pca") >> lrn("regr.rpart")).spec["nodes"]]
    ['pca', 'regr_rpart']
    """

    _esm = Bundle("graph_view")

    spec = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    direction = traitlets.Enum(("TB", "LR"), default_value="TB").tag(sync=True)

    def __init__(self, spec: Any, *, selected: str = "", direction: str = "TB", **kwargs: Any):
        super().__init__(spec=_as_spec(spec), selected=selected, direction=direction, **kwargs)

    def show(self, obj: Any) -> None:
        """Draw ``obj`` (a Graph, Learner, PipeOp or spec) instead, e.g. after training it."""
        self.spec = _as_spec(obj)

    @traitlets.validate("spec")
    def _validate_spec(self, proposal: Any) -> dict[str, Any]:
        return normalize_spec(proposal["value"])

    @traitlets.validate("selected")
    def _validate_selected(self, proposal: Any) -> str:
        node_id = proposal["value"]
        ids = [node["id"] for node in self.spec.get("nodes", [])]
        if node_id and node_id not in ids:
            raise InvalidParameterError(f"GraphView: no node {node_id!r} to select.{did_you_mean(node_id, ids)}")
        return node_id

    @traitlets.observe("spec")
    def _forget_missing_selection(self, change: Any) -> None:
        if self.selected and self.selected not in {node["id"] for node in change["new"]["nodes"]}:
            self.selected = ""

    def select(self, node_id: str) -> None:
        """Show the details of ``node_id`` in the side panel ("" closes it)."""
        self.selected = node_id

    @property
    def selected_node(self) -> dict[str, Any] | None:
        """The spec entry of the selected node, or None."""
        return next((node for node in self.spec["nodes"] if node["id"] == self.selected), None)
