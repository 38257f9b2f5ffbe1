"""Graphs of PipeOps: a DAG whose edges join typed output channels to input channels.

Graphs are built with ``>>`` (see :func:`chain`), :func:`gunion`, or ``add_pipeop``/``add_edge``.
Every edge is type-checked when it is added, so joining a PipeOp that outputs a Task to one that
expects a ModelDescriptor fails at once, with a hint about what fits between them.

``>>`` never changes its operands: it builds a new Graph from copies of them. Between a left side
with ``n`` free outputs and a right side with ``m`` free inputs it joins

- outputs and inputs pairwise when ``n == m``;
- the single output to every input when ``n == 1`` (fan-out: ``a >> [b, c]``);
- every output to the right side's single vararg input ``"..."`` (fan-in: ``[a, b] >> po("featureunion")``).
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import pandas as pd

from jupytorch.core.exceptions import UnknownKeyError, did_you_mean
from jupytorch.core.paramset import ParamSet
from jupytorch.pipelines.channels import (
    Channel,
    ChannelTypeError,
    GraphError,
    join_hint,
    type_name_of,
    types_compatible,
    value_has_type,
)
from jupytorch.pipelines.pipeop import PipeOp, check_pipeop_id

__all__ = ["Graph", "Edge", "IdDict", "as_graph", "as_pipeop", "gunion", "chain"]


class Edge(NamedTuple):
    """An edge from output ``src_channel`` of ``src_id`` to input ``dst_channel`` of ``dst_id``."""

    src_id: str
    src_channel: str
    dst_id: str
    dst_channel: str


class IdDict(dict):
    """A dict keyed by PipeOp id that accepts learner ids with dots (``"regr.rpart"`` finds
    ``"regr_rpart"``) and names the valid ids when a key is unknown.
    """

    def __missing__(self, key: Any) -> Any:
        if isinstance(key, str) and key.replace(".", "_") in self:
            return self[key.replace(".", "_")]
        raise UnknownKeyError(f"No PipeOp {key!r}.{did_you_mean(str(key), self) or ' PipeOps: ' + repr(list(self))}")


def as_pipeop(x: Any, clone: bool = True) -> PipeOp:
    """Turn ``x`` into a PipeOp: a PipeOp (copied if ``clone``), or a Learner (wrapped in po("learner"))."""
    if isinstance(x, PipeOp):
        return x.clone() if clone else x
    from jupytorch.core.learner import Learner

    if isinstance(x, Learner):
        from jupytorch.pipelines.learner_op import PipeOpLearner

        return PipeOpLearner(x.clone() if clone else x)
    raise GraphError(
        f"Cannot use a {type(x).__name__} as a PipeOp; use po('<key>'), a learner (lrn('<key>')) or a Graph."
    )


def _new_id_hint(op: Any) -> str:
    """How to build a PipeOp like ``op`` under another id: ``nn('linear_2', ...)`` for a layer."""
    new = f"{op.id}_2"
    if op.kind == "layer":
        return f"nn('{new}', ...) (the suffix sets the layer's id)"
    return f"po(<key>, id='{new}'), or po('{new}') when {op.id!r} is the key (the suffix sets the id)"


def as_graph(x: Any, clone: bool = True) -> Graph:
    """Turn ``x`` into a Graph: a Graph (copied if ``clone``), a PipeOp, a Learner, or a list of them
    (placed side by side, as :func:`gunion`).

    Examples
    --------
    >>> from jupytorch import po
    >>> as_graph(po("pca")).ids()
    ['pca']
    """
    if isinstance(x, Graph):
        return x.clone() if clone else x
    if isinstance(x, (list, tuple)):
        return gunion(x, clone=clone)
    return Graph().add_pipeop(as_pipeop(x, clone=clone), clone=False)


def gunion(graphs: Iterable[Any], clone: bool = True) -> Graph:
    """Place graphs (or PipeOps, Learners) side by side in one Graph, without joining them.

    Examples
    --------
    >>> from jupytorch import po
    >>> g = gunion([po("pca"), po("scale")])
    >>> g.ids(), len(g.input), len(g.output)
    (['pca', 'scale'], 2, 2)
    """
    out = Graph()
    for item in graphs:
        if item is None:
            continue
        out._absorb(as_graph(item, clone=clone))
    return out


def chain(left: Any, right: Any) -> Graph:
    """Join ``left >> right`` into a new Graph (see the module docstring for the rules).

    Examples
    --------
    >>> from jupytorch import po
    >>> (po("scale") >> po("pca")).ids()
    ['scale', 'pca']
    """
    g_left, g_right = as_graph(left), as_graph(right)
    outs, ins = g_left._free_outputs(), g_right._free_inputs()
    graph = Graph()
    graph._absorb(g_left)
    graph._absorb(g_right)
    n, m = len(outs), len(ins)
    if n == 0 or m == 0:
        side = "left side has no free output" if n == 0 else "right side has no free input"
        raise GraphError(f"Cannot join {_names(g_left)} >> {_names(g_right)}: the {side}.")
    if n == m:
        pairs = list(zip(outs, ins))
    elif n == 1:
        pairs = [(outs[0], i) for i in ins]
    elif m == 1 and ins[0][1].is_vararg:
        pairs = [(o, ins[0]) for o in outs]
    else:
        raise GraphError(
            f"Cannot join {_names(g_left)} >> {_names(g_right)}: the left side has {n} free outputs "
            f"({_chan_names(outs)}) and the right side {m} free inputs ({_chan_names(ins)}). They must be as many, "
            "or the left side must have one output (fan-out), or the right side one vararg input '...' (fan-in). "
            "Join them by hand with graph.add_edge()."
        )
    for (src_id, src_ch), (dst_id, dst_ch) in pairs:
        graph.add_edge(src_id, dst_id, src_ch.name, dst_ch.name)
    return graph


def _names(graph: Graph) -> str:
    ids = graph.ids()
    return ids[0] if len(ids) == 1 else "[" + ", ".join(ids) + "]"


def _chan_names(chans: list[tuple[str, Channel]]) -> str:
    return ", ".join(f"{op_id}.{c.name}" for op_id, c in chans)


class Graph:
    """A directed acyclic graph of PipeOps that trains and predicts as one object.

    Attributes
    ----------
    keep_results : bool
        Keep every PipeOp's outputs of the last ``train``/``predict`` in ``results`` (for debugging).
    results : dict
        PipeOp id -> list of outputs, filled when ``keep_results`` is True.

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> graph = po("scale") >> po("pca", rank=2)
    >>> graph.ids()
    ['scale', 'pca']
    >>> graph.param_set.set_values(pca__rank=3).values["pca__rank"]
    3
    >>> graph.train(tsk("mtcars"))[0].feature_names
    ['PC1', 'PC2', 'PC3']
    """

    def __init__(self) -> None:
        self._pipeops: dict[str, PipeOp] = {}
        self._edges: list[Edge] = []
        self.keep_results = False
        self.results: dict[str, list[Any]] = {}

    # -- structure ---------------------------------------------------------------------------
    @property
    def pipeops(self) -> IdDict:
        """The PipeOps by id (a new dict; the PipeOps themselves are the graph's own)."""
        return IdDict(self._pipeops)

    def __contains__(self, id: object) -> bool:
        return id in self._pipeops

    def __len__(self) -> int:
        return len(self._pipeops)

    def add_pipeop(self, op: Any, clone: bool = True) -> Graph:
        """Add a PipeOp (or a Learner, wrapped in a PipeOpLearner); returns the graph.

        The PipeOp is copied unless ``clone=False``, so one PipeOp can go into several graphs.
        """
        op = as_pipeop(op, clone=clone)
        if op.id in self._pipeops:
            raise GraphError(f"The graph already has a PipeOp with id {op.id!r}; give the new one another id, "
                             f"e.g. {_new_id_hint(op)}.")
        self._pipeops[op.id] = op
        return self

    def _absorb(self, other: Graph) -> None:
        clash = [i for i in other._pipeops if i in self._pipeops]
        if clash:
            raise GraphError(
                f"PipeOp id(s) {clash} appear on both sides; ids in a graph must be unique. Give one of them another "
                f"id, e.g. {_new_id_hint(other._pipeops[clash[0]])}, or call graph.update_ids(postfix='_2')."
            )
        self._pipeops.update(other._pipeops)
        self._edges.extend(other._edges)

    def add_edge(self, src_id: str, dst_id: str, src_channel: str | None = None, dst_channel: str | None = None) -> Graph:
        """Join output ``src_channel`` of ``src_id`` to input ``dst_channel`` of ``dst_id``; returns the graph.

        A channel may be left out when the PipeOp has only one (for the input: the first one that
        is not yet connected). The channel types are checked for train and predict.
        """
        src, dst = self._get(src_id), self._get(dst_id)
        if src_channel is None:
            if src.outnum != 1:
                raise GraphError(
                    f"PipeOp {src_id!r} has {src.outnum} output channels {[c.name for c in src.output_channels]}; "
                    "name one with src_channel=."
                )
            src_channel = src.output_channels[0].name
        out_ch = src.output_channel(src_channel)
        if dst_channel is None:
            free = [c for c in dst.input_channels if c.is_vararg or not self._edges_into(dst_id, c.name)]
            if not free:
                raise GraphError(f"PipeOp {dst_id!r} has no free input channel left; its inputs are all connected.")
            dst_channel = free[0].name
        in_ch = dst.input_channel(dst_channel)
        if not in_ch.is_vararg and self._edges_into(dst_id, in_ch.name):
            raise GraphError(f"Input channel {in_ch.name!r} of PipeOp {dst_id!r} is already connected.")
        if src_id == dst_id or self._reaches(dst_id, src_id):
            raise GraphError(
                f"Adding the edge {src_id!r} -> {dst_id!r} would make a cycle; a graph must be acyclic."
            )
        for phase in ("train", "predict"):
            t_src, t_dst = out_ch.type_in(phase), in_ch.type_in(phase)
            if not types_compatible(t_src, t_dst):
                hint = join_hint(t_src, t_dst)
                raise ChannelTypeError(
                    f"Cannot join PipeOp {src_id!r} to PipeOp {dst_id!r}: during {phase}() {src_id!r} outputs a "
                    f"{t_src} (channel {out_ch.name!r}), but {dst_id!r} expects a {t_dst} (channel {in_ch.name!r})."
                    + (f" {hint}" if hint else "")
                )
        self._edges.append(Edge(src_id, out_ch.name, dst_id, in_ch.name))
        return self

    def _get(self, id: str) -> PipeOp:
        if id not in self._pipeops:
            raise UnknownKeyError(f"The graph has no PipeOp {id!r}.{did_you_mean(id, self._pipeops)} PipeOps: {list(self._pipeops)}.")
        return self._pipeops[id]

    def _edges_into(self, op_id: str, channel: str) -> list[Edge]:
        return [e for e in self._edges if e.dst_id == op_id and e.dst_channel == channel]

    def _reaches(self, start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node in seen:
                continue
            seen.add(node)
            todo.extend(e.dst_id for e in self._edges if e.src_id == node)
        return False

    def ids(self, sorted: bool = True) -> list[str]:
        """PipeOp ids in topological order (ties in insertion order), or in insertion order."""
        if not sorted:
            return list(self._pipeops)
        order = {op_id: i for i, op_id in enumerate(self._pipeops)}
        indegree = {op_id: 0 for op_id in self._pipeops}
        for e in self._edges:
            indegree[e.dst_id] += 1
        ready = [(order[i], i) for i, d in indegree.items() if d == 0]
        heapq.heapify(ready)
        out = []
        while ready:
            _, node = heapq.heappop(ready)
            out.append(node)
            for e in self._edges:
                if e.src_id == node:
                    indegree[e.dst_id] -= 1
                    if indegree[e.dst_id] == 0:
                        heapq.heappush(ready, (order[e.dst_id], e.dst_id))
        if len(out) != len(self._pipeops):  # only reachable if edges were edited by hand
            raise GraphError(f"The graph has a cycle among {[i for i in self._pipeops if i not in out]}.")
        return out

    @property
    def edges(self) -> pd.DataFrame:
        """The edges: one row per edge with src_id, src_channel, dst_id, dst_channel."""
        return pd.DataFrame([tuple(e) for e in self._edges], columns=list(Edge._fields))

    def _free_inputs(self) -> list[tuple[str, Channel]]:
        connected = {(e.dst_id, e.dst_channel) for e in self._edges}
        return [(op_id, c) for op_id, op in self._pipeops.items() for c in op.input_channels if (op_id, c.name) not in connected]

    def _free_outputs(self) -> list[tuple[str, Channel]]:
        connected = {(e.src_id, e.src_channel) for e in self._edges}
        return [(op_id, c) for op_id, op in self._pipeops.items() for c in op.output_channels if (op_id, c.name) not in connected]

    @staticmethod
    def _channel_frame(chans: list[tuple[str, Channel]]) -> pd.DataFrame:
        rows = [(f"{op_id}.{c.name}", c.train, c.predict, op_id, c.name) for op_id, c in chans]
        return pd.DataFrame(rows, columns=["name", "train", "predict", "op_id", "channel"])

    @property
    def input(self) -> pd.DataFrame:
        """The free input channels (the graph's inputs): name (``op.channel``), train, predict, op_id, channel."""
        return self._channel_frame(self._free_inputs())

    @property
    def output(self) -> pd.DataFrame:
        """The free output channels (the graph's outputs), in the same layout as ``input``."""
        return self._channel_frame(self._free_outputs())

    def predecessors(self, op_id: str) -> list[str]:
        """Ids of the PipeOps with an edge into ``op_id``."""
        return list(dict.fromkeys(e.src_id for e in self._edges if e.dst_id == op_id))

    def successors(self, op_id: str) -> list[str]:
        """Ids of the PipeOps that ``op_id`` has an edge into."""
        return list(dict.fromkeys(e.dst_id for e in self._edges if e.src_id == op_id))

    # -- ids -------------------------------------------------------------------------------
    def rename(self, old: str, new: str) -> Graph:
        """Give PipeOp ``old`` the id ``new`` (edges follow); returns the graph."""
        return self._rename({old: new})

    def update_ids(self, prefix: str = "", postfix: str = "") -> Graph:
        """Rename every PipeOp to ``prefix + id + postfix``; returns the graph."""
        return self._rename({i: f"{prefix}{i}{postfix}" for i in self._pipeops})

    def _rename(self, mapping: Mapping[str, str]) -> Graph:
        for old in mapping:
            self._get(old)
        new_ids = [mapping.get(i, i) for i in self._pipeops]
        for new in new_ids:
            check_pipeop_id(new)
        if len(set(new_ids)) != len(new_ids):
            raise GraphError(f"Renaming would give several PipeOps the same id: {new_ids}.")
        ops = {}
        for old, op in self._pipeops.items():
            op.id = mapping.get(old, old)
            ops[op.id] = op
        self._pipeops = ops
        self._edges = [
            Edge(mapping.get(e.src_id, e.src_id), e.src_channel, mapping.get(e.dst_id, e.dst_id), e.dst_channel)
            for e in self._edges
        ]
        return self

    # -- parameters and state ------------------------------------------------------------------
    @property
    def param_set(self) -> ParamSet:
        """All parameters, nested by PipeOp id (``pca__rank``); setting values changes the PipeOps."""
        ps = ParamSet(owner="Graph")
        for op_id, op in self._pipeops.items():
            ps.add_child(op_id, op.param_set)
        return ps

    @property
    def state(self) -> dict[str, Any]:
        """The state of every PipeOp, by id."""
        return {op_id: op.state for op_id, op in self._pipeops.items()}

    @state.setter
    def state(self, value: Mapping[str, Any] | None) -> None:
        value = value or {}
        for op_id, op in self._pipeops.items():
            op.state = value.get(op_id)

    @property
    def is_trained(self) -> bool:
        """Whether every PipeOp is trained."""
        return bool(self._pipeops) and all(op.is_trained for op in self._pipeops.values())

    def reset(self) -> Graph:
        """Forget every PipeOp's state; returns the graph."""
        for op in self._pipeops.values():
            op.reset()
        self.results = {}
        return self

    def clone(self, deep: bool = True) -> Graph:
        """Return a copy of the graph and its PipeOps (with their states)."""
        return copy.deepcopy(self) if deep else copy.copy(self)

    # -- running ---------------------------------------------------------------------------------
    def train(self, input: Any, single_input: bool = True) -> list[Any]:
        """Train every PipeOp in topological order; return the outputs of the free output channels.

        Parameters
        ----------
        input : object
            With ``single_input=True`` (default) this one object (usually a Task) goes to every free
            input channel. Otherwise a list with one entry per free input channel (``graph.input``),
            or a dict keyed by channel name (``"op.channel"``) or op id.
        single_input : bool
        """
        return self._run(input, "train", single_input)

    def predict(self, input: Any, single_input: bool = True) -> list[Any]:
        """Predict with every (trained) PipeOp; arguments as for :meth:`train`."""
        return self._run(input, "predict", single_input)

    def _distribute(self, input: Any, free: list[tuple[str, Channel]], single_input: bool, phase: str) -> list[Any]:
        if single_input:
            return [input] * len(free)
        names = [f"{op_id}.{c.name}" for op_id, c in free]
        if isinstance(input, Mapping):
            values = []
            for (op_id, _), name in zip(free, names):
                if name in input:
                    values.append(input[name])
                elif op_id in input and sum(o == op_id for o, _ in free) == 1:
                    values.append(input[op_id])
                else:
                    raise GraphError(
                        f"Graph {phase}(): the free input {name!r} got no value (it is not connected to another "
                        f"PipeOp). Pass it in the dict, or connect it. Free inputs: {names}."
                    )
            return values
        values = list(input) if isinstance(input, (list, tuple)) else [input]
        if len(values) != len(free):
            raise GraphError(
                f"Graph {phase}(): got {len(values)} input(s) for {len(free)} free input channel(s) {names}; "
                "unconnected inputs need a value each (or use single_input=True to send one object to all)."
            )
        return values

    def _check_free_input(self, op_id: str, channel: Channel, value: Any, phase: str) -> None:
        wanted = channel.type_in(phase)
        if value_has_type(value, wanted):
            return
        got = type(value).__name__ if value is not None else "NULL"
        hint = join_hint(got, wanted)
        raise ChannelTypeError(
            f"Input channel {channel.name!r} of PipeOp {op_id!r} is not connected to another PipeOp, so it gets "
            f"the graph's input ({type_name_of(value)}), but it expects a {wanted} during {phase}()."
            + (f" {hint}" if hint else " Connect it to a PipeOp that produces one.")
        )

    def _run(self, input: Any, phase: str, single_input: bool) -> list[Any]:
        if not self._pipeops:
            raise GraphError(f"Cannot {phase}() an empty graph.")
        free_in = self._free_inputs()
        given = {}
        for (op_id, ch), value in zip(free_in, self._distribute(input, free_in, single_input, phase)):
            self._check_free_input(op_id, ch, value, phase)
            given[(op_id, ch.name)] = value
        free_out = self._free_outputs()
        keep = {(o, c.name) for o, c in free_out}
        uses: dict[tuple[str, str], int] = {}
        for e in self._edges:
            uses[(e.src_id, e.src_channel)] = uses.get((e.src_id, e.src_channel), 0) + 1
        values: dict[tuple[str, str], Any] = {}
        self.results = {}
        for op_id in self.ids():
            op = self._pipeops[op_id]
            args: list[Any] = []
            for ch in op.input_channels:
                into = self._edges_into(op_id, ch.name)
                if not into:
                    args.append(given[(op_id, ch.name)])
                    continue
                for e in into:
                    key = (e.src_id, e.src_channel)
                    args.append(values[key])
                    uses[key] -= 1
                    if uses[key] == 0 and key not in keep and not self.keep_results:
                        del values[key]
            outputs = op.train(args) if phase == "train" else op.predict(args)
            if self.keep_results:
                self.results[op_id] = outputs
            for ch, value in zip(op.output_channels, outputs):
                values[(op_id, ch.name)] = value
        return [values[(o, c.name)] for o, c in free_out]

    # -- operators and display -----------------------------------------------------------------
    def __rshift__(self, other: Any) -> Graph:
        return chain(self, other)

    def __rrshift__(self, other: Any) -> Graph:
        return chain(other, self)

    def plot(self) -> Any:
        """Return a rendering of the graph: text in a console, an SVG drawing in a notebook.

        The notebook layer replaces this with the interactive graph widget; both read
        :func:`jupytorch.pipelines.render.graph_spec`.
        """
        from jupytorch.pipelines.render import GraphPlot

        return GraphPlot(self)

    def _table(self) -> pd.DataFrame:
        rows = []
        for op_id in self.ids():
            op = self._pipeops[op_id]
            rows.append(
                {
                    "id": op_id,
                    "class": type(op).__name__,
                    "state": op._state_text(),
                    "successors": ",".join(self.successors(op_id)),
                    "predecessors": ",".join(self.predecessors(op_id)),
                }
            )
        return pd.DataFrame(rows, columns=["id", "class", "state", "successors", "predecessors"])

    def __repr__(self) -> str:
        if not self._pipeops:
            return "<Graph> (empty)"
        table = self._table().to_string(index=False)
        return f"<Graph> {len(self._pipeops)} PipeOps: {' >> '.join(self.ids()) if self._is_chain() else ', '.join(self.ids())}\n{table}"

    def _is_chain(self) -> bool:
        return all(op.innum <= 1 and op.outnum <= 1 for op in self._pipeops.values()) and len(self._edges) == len(self._pipeops) - 1

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        """In a notebook kernel: the graph inspector widget (``jupytorch.core.display``); else None."""
        from jupytorch.core.display import rich_mimebundle

        return rich_mimebundle(self, include, exclude)

    def _repr_html_(self) -> str:
        from jupytorch.pipelines.render import GraphPlot

        head = f"<b>Graph</b> with {len(self._pipeops)} PipeOps"
        try:
            drawing = GraphPlot(self)._repr_html_()
        except Exception:  # noqa: BLE001 - a printer never raises
            drawing = ""
        return f"<div class='jt-graph'>{head}{drawing}{self._table().to_html(index=False, escape=True, border=0)}</div>"

