"""``ModelDescriptor``: what flows between network PipeOps while a graph is trained.

``po("torch_ingress_num")`` turns a Task into a ModelDescriptor; each layer PipeOp
(``nn("linear")``) adds its module to the descriptor's *module graph* and moves the pointer to
its output; ``torch_loss`` / ``torch_optimizer`` / ``torch_callbacks`` attach the training
configuration; ``torch_model_*`` builds the network from it (:func:`model_descriptor_to_module`)
and trains. Where paths fan in (``[path_num, path_categ] >> nn("merge_cat")``) the descriptors
are joined with :func:`model_descriptor_union`.

Descriptors are never changed in place: every PipeOp returns a new one, whose module graph is a
new container that shares the module nodes of its input (so fanned-out paths still share the
nodes they have in common, and the union recognises them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.summary import SummaryRepr
from jupytorch.nn.shapes import Shape, shape_to_str
from jupytorch.pipelines.channels import register_channel_hint, register_channel_type
from jupytorch.pipelines.graph import Graph

__all__ = [
    "ModelDescriptor",
    "copy_graph",
    "model_descriptor_to_module",
    "model_descriptor_union",
    "union_tasks",
]

register_channel_type("ModelDescriptor")
register_channel_hint(
    "ModelDescriptor", "Task",
    "The network is still being built there: finish it with po('torch_model_classif') or po('torch_model_regr') "
    "(after po('torch_loss', ...) and po('torch_optimizer', ...) if you want to choose them).",
)
register_channel_hint(
    "ModelDescriptor", "Prediction",
    "End the network with po('torch_model_classif') or po('torch_model_regr').",
)


def copy_graph(graph: Graph) -> Graph:
    """A new Graph container with the same PipeOp objects and edges (the nodes are shared)."""
    out = Graph()
    out._pipeops = dict(graph._pipeops)
    out._edges = list(graph._edges)
    return out


class ModelDescriptor(SummaryRepr):
    """A network under construction: its module graph, inputs, task and training configuration.

    Parameters
    ----------
    graph : Graph
        The module graph (nodes are ``PipeOpModule``).
    ingress : dict of str to TorchIngressToken
        The network inputs: ``"<op id>.<channel>"`` of a module-graph input -> its token.
    task : Task
        The task the network is trained on.
    optimizer : TorchOptimizer, optional
    loss : TorchLoss, optional
    callbacks : dict of str to Callback, optional
    pointer : tuple (op id, channel), optional
        The output of the module graph that the next layer continues from.
    pointer_shape : tuple, optional
        The shape of the tensor at ``pointer`` (``None`` for unknown sizes, first the batch).

    Examples
    --------
    >>> from jupytorch import po, nn, tsk
    >>> md = (po("torch_ingress_num") >> nn("linear", out_features=3)).train(tsk("iris"))[0]
    >>> md.pointer, md.pointer_shape
    (('linear', 'output'), (None, 3))
    """

    def __init__(self, graph: Graph, ingress: Mapping[str, Any], task: Any, optimizer: Any = None, loss: Any = None,
                 callbacks: Mapping[str, Any] | None = None, pointer: tuple[str, str] | None = None,
                 pointer_shape: Shape | None = None):
        self.graph = graph
        self.ingress = dict(ingress)
        self.task = task
        self.optimizer = optimizer
        self.loss = loss
        self.callbacks = dict(callbacks or {})
        self.pointer = None if pointer is None else tuple(pointer)
        self.pointer_shape = None if pointer_shape is None else tuple(pointer_shape)

    def replace(self, **changes: Any) -> ModelDescriptor:
        """A new descriptor with some fields replaced (the others are shared)."""
        fields = {
            "graph": self.graph, "ingress": self.ingress, "task": self.task, "optimizer": self.optimizer,
            "loss": self.loss, "callbacks": self.callbacks, "pointer": self.pointer, "pointer_shape": self.pointer_shape,
        }
        unknown = set(changes) - set(fields)
        if unknown:
            raise InvalidParameterError(f"ModelDescriptor has no field(s) {sorted(unknown)}; fields: {list(fields)}.")
        fields.update(changes)
        return ModelDescriptor(**fields)

    @property
    def n_modules(self) -> int:
        """Number of nodes in the module graph."""
        return len(self.graph)

    _html_class = "jt-md"

    def _summary_lines(self) -> list[str]:
        ingress = ", ".join(f"{name} {shape_to_str(tok.shape)}" for name, tok in self.ingress.items()) or "-"
        pointer = "-" if self.pointer is None else f"{self.pointer[0]}.{self.pointer[1]} {shape_to_str(self.pointer_shape)}"
        return [
            f"* Modules ({self.n_modules}): {', '.join(self.graph.ids()) if len(self.graph) else '-'}",
            f"* Ingress: {ingress}",
            f"* Task: {getattr(self.task, 'id', '?')} ({getattr(self.task, 'task_type', '?')})",
            f"* Loss: {getattr(self.loss, 'id', '-') if self.loss is not None else '-'}",
            f"* Optimizer: {getattr(self.optimizer, 'id', '-') if self.optimizer is not None else '-'}",
            f"* Callbacks: {', '.join(self.callbacks) or '-'}",
            f"* Pointer: {pointer}",
        ]



def _same_descriptor(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b) or getattr(a, "generator", None) is not getattr(b, "generator", None):
        return False
    pa, pb = getattr(a, "param_set", None), getattr(b, "param_set", None)
    return pa is not None and pb is not None and pa.values == pb.values


def model_descriptor_union(md1: ModelDescriptor, md2: ModelDescriptor) -> ModelDescriptor:
    """Join two descriptors where network paths meet.

    The module graphs are united (nodes with the same id must be the same node, as on paths
    that fanned out from one PipeOp); ingress tokens and callbacks are merged by name; loss and
    optimizer must agree where both are set; the tasks are united by feature. The result has no
    pointer: the PipeOp that joins the paths sets it.

    Examples
    --------
    >>> from jupytorch import po, nn, tsk
    >>> fan_out = po("torch_ingress_num") >> [nn("linear_1", out_features=2), nn("linear_2", out_features=2)]
    >>> a, b = fan_out.train(tsk("iris"))
    >>> model_descriptor_union(a, b).graph.ids()
    ['torch_ingress_num', 'linear_1', 'linear_2']
    """
    if md1 is md2:
        return md1.replace(pointer=None, pointer_shape=None)
    graph = copy_graph(md1.graph)
    for op_id, op in md2.graph._pipeops.items():
        mine = graph._pipeops.get(op_id)
        if mine is None:
            graph._pipeops[op_id] = op
        elif mine is not op:
            raise InvalidParameterError(
                f"Cannot join two network paths: both have a module with id {op_id!r}, but they are different modules. "
                "Give the PipeOps on different paths different ids (nn('linear_1'), po('torch_ingress_num_2'))."
            )
    known = set(graph._edges)
    for edge in md2.graph._edges:
        if edge not in known:
            graph._edges.append(edge)
            known.add(edge)
    ingress = dict(md1.ingress)
    for name, token in md2.ingress.items():
        if name in ingress and ingress[name] is not token:
            raise InvalidParameterError(
                f"Cannot join two network paths: both have an ingress {name!r} with different tokens."
            )
        ingress[name] = token
    callbacks = dict(md1.callbacks)
    for cb_id, cb in md2.callbacks.items():
        if cb_id in callbacks and callbacks[cb_id] is not cb:
            raise InvalidParameterError(
                f"Cannot join two network paths: both set a callback {cb_id!r}, with different settings; "
                "attach callbacks after the paths are joined."
            )
        callbacks[cb_id] = cb
    for field in ("optimizer", "loss"):
        a, b = getattr(md1, field), getattr(md2, field)
        if a is not None and b is not None and not _same_descriptor(a, b):
            raise InvalidParameterError(
                f"Cannot join two network paths with different {field}s ({a.id!r} and {b.id!r}); set the {field} "
                "once, after the paths are joined."
            )
    return ModelDescriptor(
        graph, ingress, union_tasks([md1.task, md2.task]),
        optimizer=md1.optimizer if md1.optimizer is not None else md2.optimizer,
        loss=md1.loss if md1.loss is not None else md2.loss,
        callbacks=callbacks,
    )


def union_tasks(tasks: list[Any], who: str = "Joining network paths") -> Any:
    """Unite tasks with the same rows by feature (the same task given twice is returned as is).

    A feature present in several tasks must have the same values in each.
    """
    base = tasks[0]
    if all(t is base for t in tasks[1:]):
        return base
    rows = base.row_ids
    merged: dict[str, pd.Series] = {}
    for i, task in enumerate(tasks):
        if task is not base and (len(task.row_ids) != len(rows) or not np.array_equal(np.sort(task.row_ids), np.sort(rows))):
            raise TaskError(f"{who}: task {task.id!r} of input {i + 1} has other rows than input 1; the paths of a "
                            "network must see the same rows.")
        frame = task.data(cols=task.feature_names)
        frame = frame[~frame.index.duplicated(keep="first")]
        for col in frame.columns:
            if col in merged:
                if not merged[col].equals(frame[col].reindex(merged[col].index)):
                    raise TaskError(
                        f"{who}: feature {col!r} has different values on two paths (input {i + 1} changed it); rename "
                        "it on one path so that both versions can reach the network."
                    )
                continue
            merged[col] = frame[col]
    out = base.replace_features(pd.DataFrame(merged))
    valid = [t.internal_valid_task for t in tasks]
    if all(v is not None for v in valid):
        out.internal_valid_task = union_tasks(valid, who)
    return out


def model_descriptor_to_module(md: ModelDescriptor, output_pointers: list[tuple[str, str]] | None = None,
                               list_output: bool = False) -> Any:
    """Build the network of ``md``: an :class:`~jupytorch.nn.nn_graph.NNGraph` from its module
    graph, with the pointer (or ``output_pointers``) as output and one input per ingress token
    that the output depends on (``net.input_names``; layers on paths that lead nowhere are left out).

    Examples
    --------
    >>> from jupytorch import po, nn, tsk
    >>> md = (po("torch_ingress_num") >> nn("linear", out_features=3)).train(tsk("iris"))[0]
    >>> net = model_descriptor_to_module(md)
    >>> net.input_names, net.output_names
    (['torch_ingress_num.input'], ['linear.output'])
    """
    from jupytorch.nn.nn_graph import NNGraph

    pointers = output_pointers if output_pointers is not None else ([md.pointer] if md.pointer is not None else None)
    if not pointers:
        raise InvalidParameterError("model_descriptor_to_module(): the ModelDescriptor has no pointer (no output); "
                                    "add a layer such as nn('head') first.")
    outputs = [f"{op_id}.{channel}" for op_id, channel in pointers]
    graph = _reachable(md.graph, [p[0] for p in pointers])
    shapes_in = {name: token.shape for name, token in md.ingress.items() if name.rpartition(".")[0] in graph}
    return NNGraph(graph, shapes_in, output_map=outputs, list_output=list_output)


def _reachable(graph: Graph, targets: list[str]) -> Graph:
    """The part of ``graph`` that ``targets`` depend on (layers on dropped paths are left out)."""
    keep: set[str] = set()
    todo = list(targets)
    preds: dict[str, list[str]] = {}
    for e in graph._edges:
        preds.setdefault(e.dst_id, []).append(e.src_id)
    while todo:
        node = todo.pop()
        if node not in keep:
            keep.add(node)
            todo.extend(preds.get(node, ()))
    if len(keep) == len(graph):
        return graph
    out = Graph()
    out._pipeops = {k: v for k, v in graph._pipeops.items() if k in keep}
    out._edges = [e for e in graph._edges if e.src_id in keep and e.dst_id in keep]
    return out
