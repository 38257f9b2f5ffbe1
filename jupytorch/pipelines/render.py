"""Graph views without widgets: ``graph_spec`` (the data the graph widget draws) and ``GraphPlot``
(what ``graph.plot()`` returns: text in a console, an SVG drawing in a notebook).
"""

from __future__ import annotations

import html
import math
from typing import Any

__all__ = ["graph_spec", "GraphPlot", "KIND_COLOURS"]

#: Fill colour of a node by its PipeOp kind (shared with the widget's defaults).
KIND_COLOURS = {
    "preprocessing": "#dbeafe",
    "learner": "#fde68a",
    "model": "#fde68a",
    "ingress": "#d1fae5",
    "layer": "#ede9fe",
    "loss": "#fee2e2",
    "optimizer": "#fce7f3",
    "callbacks": "#e0e7ff",
    "meta": "#e5e7eb",
    "generic": "#f3f4f6",
}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return [_jsonable(v) for v in value]
    text = value.__name__ if isinstance(value, type) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_graph(obj: Any) -> Any:
    from jupytorch.pipelines.graph import Graph, as_graph

    graph = getattr(obj, "graph", obj)
    return graph if isinstance(graph, Graph) else as_graph(graph, clone=False)


def graph_spec(obj: Any) -> dict[str, Any]:
    """Describe a Graph (or GraphLearner, PipeOp) as plain JSON-ready data for graph views.

    Returns
    -------
    dict
        ``nodes``: one dict per PipeOp in topological order with ``id``, ``kind``, ``label``,
        ``class``, ``params`` (values set, JSON-safe), ``n_params``, ``state`` (``"trained"``,
        ``"untrained"`` or ``"skipped"``), ``inputs`` and ``outputs`` (channel names);
        ``edges``: ``src``, ``dst``, ``src_channel``, ``dst_channel`` and ``label`` (e.g. a shape
        string from ``PipeOp.edge_label``, or None); ``inputs``/``outputs``: the free channels.

    Examples
    --------
    >>> from jupytorch import po
    >>> spec = graph_spec(po("scale") >> po("pca", rank=2))
    >>> [n["id"] for n in spec["nodes"]], spec["edges"][0]["src"], spec["nodes"][1]["params"]
    (['scale', 'pca'], 'scale', {'rank': 2})
    """
    from jupytorch.pipelines.channels import NO_OP

    graph = _as_graph(obj)
    nodes = []
    for op_id in graph.ids():
        op = graph._pipeops[op_id]
        state = "skipped" if op.state is NO_OP else ("trained" if op.is_trained else "untrained")
        nodes.append(
            {
                "id": op_id,
                "kind": getattr(op, "kind", "generic"),
                "label": op.label,
                "class": type(op).__name__,
                "params": {k: _jsonable(v) for k, v in op.param_set.values.items()},
                "n_params": len(op.param_set.params),
                "state": state,
                "inputs": [c.name for c in op.input_channels],
                "outputs": [c.name for c in op.output_channels],
            }
        )
    edges = []
    for e in graph._edges:
        try:
            label = graph._pipeops[e.src_id].edge_label(e.src_channel)
        except Exception:  # noqa: BLE001 - a label is decoration; never fail the view
            label = None
        edges.append({"src": e.src_id, "dst": e.dst_id, "src_channel": e.src_channel,
                      "dst_channel": e.dst_channel, "label": None if label is None else str(label)})
    return {
        "nodes": nodes,
        "edges": edges,
        "inputs": [f"{o}.{c.name}" for o, c in graph._free_inputs()],
        "outputs": [f"{o}.{c.name}" for o, c in graph._free_outputs()],
    }


def _layers(spec: dict[str, Any]) -> dict[str, int]:
    depth = {n["id"]: 0 for n in spec["nodes"]}
    for node in spec["nodes"]:  # topological order: parents are final before children
        for e in spec["edges"]:
            if e["src"] == node["id"]:
                depth[e["dst"]] = max(depth[e["dst"]], depth[node["id"]] + 1)
    return depth


class GraphPlot:
    """A static drawing of a graph: ``repr`` gives text, ``_repr_html_`` an SVG (left to right)."""

    def __init__(self, graph: Any):
        self.spec = graph_spec(graph)

    def __repr__(self) -> str:
        lines = ["<GraphPlot>"]
        succ: dict[str, list[str]] = {}
        for e in self.spec["edges"]:
            text = e["dst"] + (f" [{e['label']}]" if e["label"] else "")
            succ.setdefault(e["src"], []).append(text)
        for node in self.spec["nodes"]:
            after = succ.get(node["id"])
            arrow = f" --> {', '.join(after)}" if after else " --> <output>"
            lines.append(f"  {node['id']} ({node['kind']}, {node['state']}){arrow}")
        return "\n".join(lines)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """In a notebook kernel: the graph inspector widget (``jupytorch.core.display``); else None."""
        from jupytorch.core.display import rich_mimebundle

        return rich_mimebundle(self, include, exclude)

    def _repr_html_(self) -> str:
        spec = self.spec
        depth = _layers(spec)
        columns: dict[int, list[str]] = {}
        for node in spec["nodes"]:
            columns.setdefault(depth[node["id"]], []).append(node["id"])
        width = {n["id"]: 16 + 7 * len(n["id"]) for n in spec["nodes"]}
        col_w = {d: max(width[i] for i in ids) for d, ids in columns.items()}
        x_of, x = {}, 10
        for d in sorted(columns):
            x_of[d] = x
            x += col_w[d] + 60
        row_h, box_h = 48, 28
        tallest = max(len(ids) for ids in columns.values()) if columns else 1
        pos = {}
        for d, ids in columns.items():
            offset = (tallest - len(ids)) * row_h / 2
            for k, op_id in enumerate(ids):
                pos[op_id] = (x_of[d], 10 + offset + k * row_h)
        kinds = {n["id"]: n for n in spec["nodes"]}
        parts = []
        for e in spec["edges"]:
            (x1, y1), (x2, y2) = pos[e["src"]], pos[e["dst"]]
            x1 += width[e["src"]]
            y1 += box_h / 2
            y2 += box_h / 2
            mid = (x1 + x2) / 2
            parts.append(
                f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
                'fill="none" stroke="#6b7280" marker-end="url(#jt-arrow)"/>'
            )
            if e["label"]:
                parts.append(
                    f'<text x="{mid:.0f}" y="{(y1 + y2) / 2 - 4:.0f}" font-size="10" text-anchor="middle" '
                    f'fill="#374151">{html.escape(e["label"])}</text>'
                )
        for op_id, (bx, by) in pos.items():
            node = kinds[op_id]
            fill = KIND_COLOURS.get(node["kind"], KIND_COLOURS["generic"])
            dash = ' stroke-dasharray="4 2"' if node["state"] != "trained" else ""
            title = html.escape(f"{node['class']}: {node['label']}")
            parts.append(
                f'<g><title>{title}</title><rect x="{bx}" y="{by:.0f}" width="{width[op_id]}" height="{box_h}" rx="6" '
                f'fill="{fill}" stroke="#374151"{dash}/><text x="{bx + width[op_id] / 2:.0f}" y="{by + 18:.0f}" '
                f'font-size="12" font-family="monospace" text-anchor="middle">{html.escape(op_id)}</text></g>'
            )
        total_w = x - 50
        total_h = 20 + tallest * row_h
        marker = (
            '<defs><marker id="jt-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
            'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280"/></marker></defs>'
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h:.0f}" '
            f'class="jt-graph-plot">{marker}{"".join(parts)}</svg>'
        )
