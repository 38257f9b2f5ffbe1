"""What :class:`~jupytorch.notebook.LazyTensorPreview` shows: a lazy-tensor column, its labels and its raw form.

:func:`preview_source` accepts a Task, a lazy-tensor column (``LazyTensorArray`` or Series), or a
Graph / GraphLearner together with a Task. For a graph, the PipeOps upstream of its lazy-tensor
ingress (``trafo_*``, ``augment_*``, ``preproc_torch``, ...) are cloned and trained on the task, so the
preview shows exactly what the network is fed; the user's graph is not touched. Nothing is
materialized here: a column is a vector of row ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean

__all__ = ["PreviewSource", "preview_source", "raw_column", "step_list"]


@dataclass
class PreviewSource:
    """A lazy-tensor column with its labels (or None), a title and the preprocessing steps it carries."""

    column: Any  # LazyTensorArray
    labels: np.ndarray | None
    title: str
    name: str
    row_ids: np.ndarray
    steps: list[dict[str, str]] = field(default_factory=list)


def _from_task(task: Any, column: str | None, title: str) -> PreviewSource:
    lazy = task.feature_names_of("lazy_tensor")
    if not lazy:
        raise InvalidParameterError(
            f"LazyTensorPreview: task {task.id!r} has no lazy-tensor feature (its features: {task.feature_names[:8]})."
        )
    if column is None:
        column = lazy[0]
    elif column not in lazy:
        raise InvalidParameterError(
            f"LazyTensorPreview: task {task.id!r} has no lazy-tensor feature {column!r}; "
            f"lazy-tensor features: {lazy}.{did_you_mean(column, lazy)}"
        )
    frame = task.data(cols=[*task.target_names[:1], column])
    labels = frame[task.target_names[0]].astype(str).to_numpy() if task.target_names else None
    return PreviewSource(frame[column].array, labels, title or f"{task.id}: {column}", column, frame.index.to_numpy())


def _ingress_feed(graph: Any, task: Any) -> Any:
    """The task that reaches the graph's first lazy-tensor ingress, from clones of the PipeOps upstream of it."""
    from jupytorch.nn.pipeop_ingress import PipeOpTorchIngressLtnsr
    from jupytorch.pipelines.graph import Graph

    ingress = next((i for i in graph.ids() if isinstance(graph.pipeops[i], PipeOpTorchIngressLtnsr)), None)
    if ingress is None:
        raise InvalidParameterError(
            f"LazyTensorPreview: the graph ({', '.join(graph.ids()[:6])}) has no torch_ingress_ltnsr; "
            "preview the task itself, jt.LazyTensorPreview(task)."
        )
    upstream: list[str] = []
    todo = list(graph.predecessors(ingress))
    while todo:
        op_id = todo.pop()
        if op_id not in upstream:
            upstream.append(op_id)
            todo.extend(graph.predecessors(op_id))
    if not upstream:
        return task
    sub = Graph()
    for op_id in graph.ids():
        if op_id in upstream:
            sub.add_pipeop(graph.pipeops[op_id], clone=True)
    feeds = None
    for edge in graph.edges.itertuples(index=False):
        if edge.src_id in upstream and edge.dst_id in upstream:
            sub.add_edge(edge.src_id, edge.dst_id, edge.src_channel, edge.dst_channel)
        elif edge.dst_id == ingress:
            feeds = (edge.src_id, edge.src_channel)
    outputs = sub.train(task.clone())
    names = [(op_id, ch.name) for op_id, ch in sub._free_outputs()]
    return outputs[names.index(feeds)] if feeds in names else outputs[0]


def preview_source(obj: Any, task: Any = None, column: str | None = None, title: str = "") -> PreviewSource:
    """Resolve what to preview (see the module docstring).

    Examples
    --------
    >>> import torch
    >>> import jupytorch as jt
    >>> src = preview_source(jt.as_lazy_tensor(torch.rand(5, 1, 4, 4)))
    >>> len(src.column), src.labels is None, src.title
    (5, True, 'lazy tensor (5 rows)')
    """
    from jupytorch.core.task import Task
    from jupytorch.lazy.dtype import LazyTensorArray
    from jupytorch.pipelines.graph import Graph
    from jupytorch.pipelines.graph_learner import GraphLearner

    if isinstance(obj, (Graph, GraphLearner)):
        if not isinstance(task, Task):
            raise InvalidParameterError(
                "LazyTensorPreview: a graph is previewed on a task: jt.LazyTensorPreview(graph, task=tsk('mnist'))."
            )
        graph = obj.graph if isinstance(obj, GraphLearner) else obj
        fed = _ingress_feed(graph, task)
        return _from_task(fed, column, title)
    if isinstance(obj, Task):
        return _from_task(obj, column, title)
    if isinstance(obj, pd.Series) and isinstance(obj.array, LazyTensorArray):
        name = str(obj.name) if obj.name is not None else "lazy tensor"
        return PreviewSource(obj.array, None, title or f"{name} ({len(obj)} rows)", name, obj.index.to_numpy())
    if isinstance(obj, LazyTensorArray):
        return PreviewSource(obj, None, title or f"lazy tensor ({len(obj)} rows)", "lazy tensor", np.arange(len(obj)))
    raise InvalidParameterError(
        f"LazyTensorPreview: cannot preview a {type(obj).__name__}; give a Task, a lazy-tensor column, "
        "or a Graph / GraphLearner with task=."
    )


def raw_column(column: Any) -> Any:
    """The same rows of ``column`` with no preprocessing steps (the dataset field as stored).

    Examples
    --------
    >>> import torch
    >>> import jupytorch as jt
    >>> from jupytorch.lazy.steps import Reshape
    >>> lt = jt.as_lazy_tensor(torch.rand(4, 1, 2, 2)).with_step(Reshape((-1, 4)), name="trafo_reshape")
    >>> lt[0], raw_column(lt)[0]
    (<tnsr[4]>, <tnsr[1x2x2]>)
    """
    from jupytorch.lazy.descriptor import DataDescriptor, PreprocGraph

    dd = column.descriptor
    graph = PreprocGraph(dd.input_key, dd.dataset_shapes[dd.input_key])  # no steps; the fields were checked already
    base = DataDescriptor(dd.dataset, dd.dataset_shapes, dd.input_key, graph, dataset_hash=dd.dataset_hash)
    return type(column)(column.ids.copy(), base)


def step_list(column: Any) -> list[dict[str, str]]:
    """Names and stages of the preprocessing steps of ``column`` (for the preview's caption)."""
    graph = column.descriptor.graph
    return [{"name": st.name, "stage": st.stage} for st in getattr(graph, "steps", ())]
