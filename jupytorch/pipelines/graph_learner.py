"""GraphLearner: a Graph that ends in a learner, used as one Learner (``jt.as_learner(graph)``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from jupytorch.core.exceptions import (
    InvalidParameterError,
    LearnerError,
    TaskError,
    did_you_mean,
)
from jupytorch.core.learner import Learner
from jupytorch.core.paramset import ParamSet
from jupytorch.core.prediction import Prediction
from jupytorch.core.task import FEATURE_TYPES, Task
from jupytorch.pipelines.channels import GraphError, types_compatible
from jupytorch.pipelines.graph import Graph, IdDict, as_graph
from jupytorch.pipelines.learner_op import PipeOpLearner

__all__ = ["GraphLearner", "GraphModel", "as_learner"]


class GraphModel(Mapping):
    """The trained model of a GraphLearner: the state of each PipeOp, by id.

    ``learner.model["pca"]`` is the state of the ``pca`` PipeOp; a learner PipeOp's state is the
    trained learner (``learner.model["regr_rpart"].model`` is the fitted tree; ``"regr.rpart"``
    works as an alias).
    """

    def __init__(self, states: Mapping[str, Any]):
        self._states = IdDict(states)

    def __getitem__(self, key: str) -> Any:
        return self._states[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}: {type(v).__name__}" for k, v in self._states.items())
        return f"<GraphModel {{{parts}}}>"


def as_learner(x: Any, clone: bool = True, predict_type: str | None = None) -> Learner:
    """Turn a Graph, a PipeOp or a list of them into a :class:`GraphLearner`; a Learner is returned as is.

    Parameters
    ----------
    x : Graph, PipeOp, list or Learner
    clone : bool
        Copy the graph (default) or use it as is.
    predict_type : str, optional
        Set the learner's ``predict_type`` (``"prob"``), also on a Learner given as is.

    Examples
    --------
    >>> import jupytorch as jt
    >>> from jupytorch import po, lrn
    >>> learner = jt.as_learner(po("pca") >> lrn("regr.rpart"))
    >>> learner.id, "pca__rank" in learner.param_set
    ('pca.regr_rpart', True)
    >>> jt.as_learner(po("pca") >> lrn("classif.rpart"), predict_type="prob").predict_type
    'prob'
    """
    if isinstance(x, Learner):
        if predict_type is not None:
            x.predict_type = predict_type
        return x
    return GraphLearner(x, clone_graph=clone, predict_type=predict_type)


def _handles_missings(graph: Graph, learner_ops: list[PipeOpLearner]) -> bool:
    """Whether missing feature values reach only learners that handle them.

    A PipeOp tagged ``"missings"`` (the imputers) removes missing values; a node is clean when it
    is such a PipeOp or everything that feeds it is clean. The graph handles missing values when
    each learner in it either handles them itself or is fed only by clean nodes. (A graph without
    a learner passes missing values on, which is not handling them.)
    """
    clean: dict[str, bool] = {}
    feeds: dict[str, list[str]] = {op_id: [] for op_id in graph.ids()}
    for edge in graph._edges:
        feeds[edge.dst_id].append(edge.src_id)
    for op_id in graph.ids():
        inputs = feeds[op_id]
        clean[op_id] = "missings" in graph._pipeops[op_id].tags or (bool(inputs) and all(clean[i] for i in inputs))
    return bool(learner_ops) and all(
        "missings" in op.learner.properties or (bool(feeds[op.id]) and all(clean[i] for i in feeds[op.id]))
        for op in learner_ops
    )


class GraphLearner(Learner):
    """A Learner made of a Graph whose single output is a learner's Prediction.

    Its parameters are the graph's (``pca__rank``, ``regr_rpart__maxdepth``); ``predict_type``
    is passed to the learner at the end of the graph; ``model`` maps PipeOp ids to their states.

    Parameters
    ----------
    graph : Graph, PipeOp or list
        The graph (copied unless ``clone_graph=False``).
    id : str, optional
        Default: the PipeOp ids joined by dots.
    task_type : str, optional
        Default: that of the graph's learner(s).
    predict_type : str, optional
    clone_graph : bool

    Examples
    --------
    >>> from jupytorch import po, lrn, tsk
    >>> learner = GraphLearner(po("scale") >> lrn("regr.rpart"))
    >>> _ = learner.train(tsk("mtcars"))
    >>> sorted(learner.model)
    ['regr_rpart', 'scale']
    """

    def __init__(
        self,
        graph: Any,
        id: str | None = None,
        task_type: str | None = None,
        predict_type: str | None = None,
        clone_graph: bool = True,
    ):
        self._graph_ready = False
        graph = as_graph(graph, clone=clone_graph)
        outputs = graph._free_outputs()
        if len(outputs) != 1:
            raise GraphError(
                f"A GraphLearner needs a graph with exactly one free output, this one has {len(outputs)}: "
                f"{[f'{o}.{c.name}' for o, c in outputs]}. End the graph with one learner (or join paths with "
                "po('featureunion') / po('unbranch'))."
            )
        op_id, channel = outputs[0]
        if not types_compatible(channel.predict, "Prediction"):
            if channel.train == "ModelDescriptor":  # a network of layer PipeOps that nothing trains yet
                raise GraphError(
                    f"A GraphLearner's graph must end in a learner: its output {op_id}.{channel.name} carries a "
                    "ModelDescriptor (a network under construction). End it with the PipeOp that trains the network, "
                    "e.g. graph >> po('torch_model_classif', epochs=10, batch_size=32) or po('torch_model_regr', ...)."
                )
            raise GraphError(
                f"A GraphLearner's graph must end in a learner: its output {op_id}.{channel.name} carries a "
                f"{channel.predict} during predict(), not a Prediction. Add a learner, e.g. graph >> lrn('regr.rpart')."
            )
        self.graph = graph
        learners = [op.learner for op in self._learner_ops()]
        if task_type is None:
            types = {lr.task_type for lr in learners}
            if len(types) != 1:
                raise LearnerError(
                    "Cannot tell the task type of the graph: "
                    + ("it holds no learner PipeOp" if not types else f"its learners are for {sorted(types)}")
                    + "; pass task_type='classif' or 'regr'."
                )
            task_type = types.pop()
        base = learners[-1] if learners else None
        properties = set().union(*(lr.properties for lr in learners)) - {"missings"}
        if _handles_missings(graph, self._learner_ops()):
            properties.add("missings")
        super().__init__(
            id or ".".join(graph.ids()),
            task_type,
            predict_types=base.predict_types if base is not None else ("response",),
            feature_types=FEATURE_TYPES,
            properties=properties,
            packages=sorted({p for lr in learners for p in lr.packages}),
            label="",
        )
        self._graph_ready = True
        if predict_type is not None:
            self.predict_type = predict_type

    # -- parameters and fields ------------------------------------------------------------------
    @property
    def param_set(self) -> ParamSet:  # type: ignore[override]
        """The graph's parameters, nested by PipeOp id (``pca__rank``)."""
        ps = self.graph.param_set
        ps.owner = f"GraphLearner {self.id!r}"
        return ps

    @param_set.setter
    def param_set(self, value: ParamSet) -> None:
        if getattr(self, "_graph_ready", False):
            raise InvalidParameterError(
                f"GraphLearner {self.id!r}: its parameters are those of its graph; set values with "
                "learner.param_set.set_values(...) instead of replacing the ParamSet."
            )

    @property
    def predict_type(self) -> str:
        """What ``predict`` returns; set on the learner at the end of the graph."""
        ops = self._learner_ops()
        return ops[-1].learner.predict_type if ops else self._predict_type

    @predict_type.setter
    def predict_type(self, value: str) -> None:
        Learner.predict_type.fset(self, value)  # checked and kept as by every learner
        for op in self._learner_ops() if getattr(self, "_graph_ready", False) else ():
            if value in op.learner.predict_types:
                op.learner.predict_type = value

    def _features_read(self, task: Task) -> list[str]:
        """All features, unless the graph starts at network inputs: then the columns those take.

        Used by the check for missing values before training, when the graph does not handle them.
        """
        graph = self.graph
        fed = {edge.dst_id for edge in graph._edges}
        entries = [graph._pipeops[op_id] for op_id in graph.ids() if op_id not in fed]
        if not entries or any(op.kind != "ingress" for op in entries):
            return task.feature_names
        try:  # categorical inputs code a missing value as a level of their own
            tokens = [op._token(task, op.param_values()) for op in entries]
            read = {name for token in tokens if getattr(token, "kind", None) != "categ" for name in token.features}
        except Exception:  # noqa: BLE001 - training reports a bad ingress setup with its own message
            return task.feature_names
        return [name for name in task.feature_names if name in read]

    def _learner_ops(self) -> list[PipeOpLearner]:
        graph = self.__dict__.get("graph")
        if graph is None:
            return []
        return [graph._pipeops[i] for i in graph.ids() if isinstance(graph._pipeops[i], PipeOpLearner)]

    def base_learner(self, id: str | None = None) -> Learner:
        """Return the learner at the end of the graph (or the one of the learner PipeOp ``id``).

        It is the configured learner used in training and prediction; after training it holds the
        trained model, so ``learner.base_learner().model`` is the fitted model.
        """
        ops = self._learner_ops()
        if id is not None:
            op = self.graph.pipeops[id]
            if not isinstance(op, PipeOpLearner):
                raise InvalidParameterError(f"GraphLearner {self.id!r}: PipeOp {id!r} is not a learner PipeOp.")
            return op.learner
        if not ops:
            raise LearnerError(f"GraphLearner {self.id!r} holds no learner PipeOp.")
        if len(ops) > 1:
            final = self.graph._free_outputs()[0][0]
            if final in self.graph._pipeops and isinstance(self.graph._pipeops[final], PipeOpLearner):
                return self.graph._pipeops[final].learner
            raise LearnerError(
                f"GraphLearner {self.id!r} holds several learners {[op.id for op in ops]}; name one: base_learner(id=...)."
            )
        return ops[0].learner

    def set_validate(self, validate: Any, ids: Sequence[str] | None = None) -> GraphLearner:
        """Set how validation data is made (``0.3``, ``"test"``, ``"predefined"`` or None) and let the
        learner PipeOps ``ids`` (default: those that support validation) use it.

        The GraphLearner splits off the validation rows (or takes the task's ``internal_valid_task``),
        the preprocessing PipeOps transform them like prediction data, and the learners receive them
        as ``task.internal_valid_task`` (their ``validate`` is set to ``"predefined"``).
        """
        ops = self._learner_ops()
        if ids is None:
            chosen = [op for op in ops if "validation" in op.learner.properties]
        else:
            by_id = {op.id: op for op in ops}
            chosen = []
            for op_id in ids:
                op = by_id.get(op_id) or by_id.get(op_id.replace(".", "_"))
                if op is None:
                    raise InvalidParameterError(
                        f"GraphLearner {self.id!r}: no learner PipeOp {op_id!r}.{did_you_mean(op_id, by_id)}"
                    )
                if "validation" not in op.learner.properties:
                    raise InvalidParameterError(f"GraphLearner {self.id!r}: learner PipeOp {op_id!r} does not support validation.")
                chosen.append(op)
        if validate is not None and not chosen:
            raise InvalidParameterError(f"GraphLearner {self.id!r}: none of its learners supports validation.")
        self.validate = validate
        for op in chosen:
            op.learner.validate = None if validate is None else "predefined"
        return self

    @property
    def internal_valid_scores(self) -> dict[str, Any] | None:
        """Validation scores of the learners, as ``<op id>.<measure id>``, or None."""
        return self._collect("internal_valid_scores", ".")

    @property
    def internal_tuned_values(self) -> dict[str, Any] | None:
        """Internally tuned values (early-stopped epochs) of the learners, as parameter ids ``<op id>__<id>``."""
        return self._collect("internal_tuned_values", "__")

    def _collect(self, attribute: str, sep: str) -> dict[str, Any] | None:
        out: dict[str, Any] = {}
        for op in self._learner_ops():
            values = getattr(op.learner_model, attribute, None) if op.is_trained else None
            if values:
                out.update({f"{op.id}{sep}{k}": v for k, v in values.items()})
        return out or None

    # -- training and prediction --------------------------------------------------------------
    def _validation_task(self, task: Task) -> Task:
        validate = self.validate
        if validate is None or task.internal_valid_task is not None:
            return task
        if isinstance(validate, (float, int)) and not isinstance(validate, bool) and 0 < validate < 1:
            rows = task.row_ids
            n_valid = int(round(validate * len(rows)))
            if n_valid < 1 or n_valid >= len(rows):
                raise TaskError(f"GraphLearner {self.id!r}: validate={validate} leaves no rows for training or validation.")
            task = task.clone()
            task.internal_valid_task = np.random.permutation(rows)[:n_valid]
            return task
        if validate in ("test", "predefined"):
            raise TaskError(
                f"GraphLearner {self.id!r}: validate={validate!r} needs a task with internal_valid_task set "
                f"(task {task.id!r} has none); resample() sets it for 'test'."
            )
        raise InvalidParameterError(
            f"GraphLearner {self.id!r}: validate must be a ratio in (0, 1), 'test', 'predefined' or None; got {validate!r}."
        )

    def _train(self, task: Task, param_values: dict[str, Any]) -> GraphModel:
        from jupytorch.core import progress

        task = self._validation_task(task)
        with progress.learner_name(self.id):  # progress views name this learner, not the network inside
            self.graph.train(task)
        return GraphModel(self.graph.state)

    def _predict(self, task: Task, param_values: dict[str, Any]) -> dict[str, Any]:
        self.graph.state = dict(self.state["model"])  # type: ignore[index]
        outputs = self.graph.predict(task)
        return {"prediction": outputs[0]}

    def _as_prediction(self, task: Task, raw: dict[str, Any], state: dict[str, Any]) -> Prediction:
        prediction = raw["prediction"]
        if not isinstance(prediction, Prediction):
            raise LearnerError(
                f"GraphLearner {self.id!r}: the graph returned a {type(prediction).__name__} in predict(), not a Prediction."
            )
        return prediction

    def reset(self) -> GraphLearner:
        """Forget the trained state of the learner and of every PipeOp; returns the learner."""
        super().reset()
        self.graph.reset()
        return self

    # -- display -------------------------------------------------------------------------------
    def _summary_lines(self) -> list[str]:
        lines = super()._summary_lines()
        lines.insert(0, f"* Graph: {' >> '.join(self.graph.ids())}")
        return lines

    def _summary_html_extra(self) -> str:
        return self.graph._repr_html_()

    def plot(self) -> Any:
        """Return a rendering of the graph (see :meth:`Graph.plot`)."""
        return self.graph.plot()
