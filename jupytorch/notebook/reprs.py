"""Learners, Graphs and PipeOps shown as the graph inspector (:class:`GraphView`) in notebooks.

:func:`view_spec` turns a Graph, GraphLearner, Learner, PipeOp (or what
``jupytorch.pipelines.render.graph_spec`` returns) into the spec GraphView draws: one node per
PipeOp coloured by kind, edges labelled with the shapes that flow, and, once a network is trained,
each layer's count of trainable parameters. :func:`mimebundle` is the display hook that
``Learner``, ``Graph`` and ``PipeOp`` reach through ``jupytorch.core.display`` (by name, set in
``notebook/_register.py``): inside a kernel it returns the widget's bundle together with the
object's HTML and text reprs (front ends without widgets show those); elsewhere None. Lazy-tensor
columns (``LazyTensorArray``, and Series of them once ``%load_ext jupytorch`` ran) show as a
:class:`LazyTensorPreview` the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from jupytorch.notebook._ui_poll import in_kernel

__all__ = ["lazy_series_mimebundle", "mimebundle", "view_spec"]

log = logging.getLogger(__name__)

_KINDS = ("preprocessing", "ingress", "layer", "loss", "optimizer", "callbacks", "model", "learner", "other")


def _count(module: Any) -> int:
    return int(sum(p.numel() for p in module.parameters() if p.requires_grad))


def _network(learner: Any) -> Any:
    """The trained torch network of ``learner``, or None (duck-typed: no torch import here)."""
    if learner is None or getattr(learner, "state", None) is None:  # untrained (``model`` would raise)
        return None
    network = getattr(learner.model, "network", None)
    return network if network is not None and hasattr(network, "parameters") else None


def _param_counts(graph: Any) -> dict[str, int]:
    """Trainable parameters by PipeOp id: the layers of trained networks and the PipeOps holding them."""
    from jupytorch.core.learner import Learner

    counts: dict[str, int] = {}
    ids = set(graph.ids())
    for op_id in graph.ids():
        state = graph.pipeops[op_id].state
        network = _network(state) if isinstance(state, Learner) else None
        if network is None:
            continue
        counts[op_id] = _count(network)
        layers = getattr(network, "modules_by_id", None)  # NNGraph: a ModuleDict by PipeOp id
        if layers is not None and hasattr(layers, "items"):
            for layer_id, module in layers.items():
                if layer_id in ids and layer_id not in counts:
                    counts[layer_id] = _count(module)
    return counts


def _param_value(value: Any, depth: int = 0) -> Any:
    """A parameter value as the panel shows it: objects with an id (measures, losses, optimizers,
    callbacks) by their id, classes by their qualified name; the rest is left to GraphView.
    """
    if isinstance(value, (list, tuple)) and depth < 3:
        return [_param_value(v, depth + 1) for v in value]
    if isinstance(value, Mapping) and depth < 3:
        return {str(k): _param_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    ident = getattr(value, "id", None)
    if isinstance(ident, str) and not isinstance(value, (str, bytes)):
        return f"{type(value).__name__}({ident})"
    return value


def _kind(kind: Any) -> str:
    return kind if kind in _KINDS else "other"


def _is_render_spec(spec: Mapping[str, Any]) -> bool:
    """Whether ``spec`` came from ``graph_spec`` (extra keys GraphView does not take)."""
    if "inputs" in spec or "outputs" in spec:
        return True
    nodes = spec.get("nodes") or []
    return any(isinstance(n, Mapping) and ("class" in n or "inputs" in n) for n in nodes)


def _from_render_spec(spec: Mapping[str, Any], counts: Mapping[str, int], graph: Any = None) -> dict[str, Any]:
    nodes = []
    for node in spec.get("nodes", []):
        state = node.get("state")
        params = dict(node.get("params") or {})
        if graph is not None and node["id"] in graph.pipeops:  # the values themselves, not graph_spec's text
            params = {k: _param_value(v) for k, v in graph.pipeops[node["id"]].param_set.values.items()}
        nodes.append({
            "id": node["id"],
            "kind": _kind(node.get("kind")),
            "label": node["id"],
            "params": params,
            "state": None if state in (None, "untrained") else str(state),
            "n_params": counts.get(node["id"]),
        })
    edges = [{"src": e["src"], "dst": e["dst"], "label": e.get("label") or ""} for e in spec.get("edges", [])]
    return {"nodes": nodes, "edges": edges}


def _learner_spec(learner: Any) -> dict[str, Any]:
    network = _network(learner)
    trained = learner.state is not None
    kind = "model" if any(c.__name__ == "LearnerTorch" for c in type(learner).__mro__) else "learner"
    node = {
        "id": str(learner.id),
        "kind": kind,
        "label": str(learner.id),
        "params": {k: _param_value(v) for k, v in learner.param_set.values.items()},
        "state": "trained" if trained else None,
        "n_params": _count(network) if network is not None else None,
    }
    return {"nodes": [node], "edges": []}


def view_spec(obj: Any) -> dict[str, Any]:
    """Return the GraphView spec of a Graph, GraphLearner, Learner or PipeOp.

    Parameters
    ----------
    obj : Graph, Learner, PipeOp, GraphPlot or dict
        A dict is taken as a spec already (a ``graph_spec`` result is converted).

    Returns
    -------
    dict
        ``{"nodes": [...], "edges": [...]}`` as described in ``jupytorch.notebook._graph_view``.

    Examples
    --------
    >>> from jupytorch import po, lrn
    >>> spec = view_spec(po("scale") >> lrn("regr.rpart"))
    >>> [(n["id"], n["kind"]) for n in spec["nodes"]]
    [('scale', 'preprocessing'), ('regr_rpart', 'learner')]
    """
    if isinstance(obj, Mapping):
        return _from_render_spec(obj, {}) if _is_render_spec(obj) else dict(obj)
    from jupytorch.core.learner import Learner
    from jupytorch.pipelines.render import GraphPlot, graph_spec

    if isinstance(obj, GraphPlot):
        return _from_render_spec(obj.spec, {})
    if isinstance(obj, Learner) and getattr(obj, "graph", None) is None:
        return _learner_spec(obj)
    graph = getattr(obj, "graph", obj)
    if not hasattr(graph, "pipeops"):  # a PipeOp: graph_spec wraps it in a one-node graph
        graph = None
    counts = _param_counts(graph) if graph is not None else {}
    if graph is None and isinstance(getattr(obj, "state", None), Learner):
        network = _network(obj.state)
        counts = {obj.id: _count(network)} if network is not None else {}
    spec = graph_spec(obj)
    if graph is None:
        params = {k: _param_value(v) for k, v in obj.param_set.values.items()}
        spec = dict(spec, nodes=[dict(n, params=params) for n in spec["nodes"]])
    return _from_render_spec(spec, counts, graph)


def _is_lazy_column(obj: Any) -> bool:
    """A LazyTensorArray, or a Series holding one (duck-typed: no torch import for other objects)."""
    array = getattr(obj, "array", obj)
    return type(array).__name__ == "LazyTensorArray" and getattr(array, "descriptor", None) is not None


def lazy_series_mimebundle(obj: Any, include: Any = None, exclude: Any = None) -> Any:
    """IPython's mimebundle formatter for pandas Series (registered by ``%load_ext jupytorch``):
    a lazy-tensor column shows as a :class:`LazyTensorPreview`; any other Series is left to pandas (None).
    """
    if not _is_lazy_column(obj):
        return None
    try:
        return mimebundle(obj, include, exclude)
    except Exception:  # noqa: BLE001 - a display must not fail; pandas' repr is shown instead
        log.debug("jupytorch: preview of a lazy-tensor Series failed", exc_info=True)
        return None


def mimebundle(obj: Any, include: Any = None, exclude: Any = None) -> dict[str, Any] | tuple[dict, dict] | None:
    """The display hook: the graph inspector's bundle inside a kernel, else None.

    The bundle also carries ``obj``'s ``text/html`` and ``text/plain`` reprs, which front ends
    without the widget manager (and exports without widget state) show instead.
    """
    if not in_kernel():
        return None
    if _is_lazy_column(obj):
        from jupytorch.notebook._lazy_preview import LazyTensorPreview

        view: Any = LazyTensorPreview(obj, page_size=12)
    else:
        from jupytorch.notebook._graph_view import GraphView

        view = GraphView(view_spec(obj))
    widget = view._repr_mimebundle_() or {}
    bundle, metadata = (dict(widget[0]), dict(widget[1] or {})) if isinstance(widget, tuple) else (dict(widget), {})
    bundle["text/plain"] = repr(obj)
    html = getattr(obj, "_repr_html_", None)
    if callable(html):
        try:
            bundle["text/html"] = html()
        except Exception:  # noqa: BLE001 - the widget still shows
            log.debug("jupytorch: _repr_html_ of %s failed", type(obj).__name__, exc_info=True)
    if include:
        bundle = {k: v for k, v in bundle.items() if k in include}
    if exclude:
        bundle = {k: v for k, v in bundle.items() if k not in exclude}
    return (bundle, metadata) if metadata else bundle
