"""Target transformations (mlr3pipelines' ``PipeOpTargetTrafo``): train a regression graph on a
transformed target and turn its predictions back.

* ``po("targettrafoscale")`` standardizes the target with the training mean and standard
  deviation; ``po("targetmutate", trafo=..., inverter=...)`` applies any pair of functions.
  Both have two outputs: ``fun`` (nothing in train; in predict, how to invert) and ``output``
  (the task with the transformed target; its internal validation task is transformed too).
* ``po("targetinvert")`` takes ``fun`` and the graph's prediction and returns the prediction in
  the target's units, with the untransformed truth.
* ``ppl("targettrafo", graph)`` wires the three: trafo -> graph -> invert.

For torch learners the same is one parameter, ``scale_target`` (:mod:`jupytorch.nn.target_scale`).

Examples
--------
>>> import jupytorch as jt
>>> from jupytorch import lrn, ppl, tsk
>>> learner = jt.as_learner(ppl("targettrafo", lrn("regr.rpart")))
>>> prediction = learner.train(tsk("mtcars")).predict(tsk("mtcars"))
>>> bool(abs(prediction.response.mean() - tsk("mtcars").truth().mean()) < 1)
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.paramset import ParamLgl, ParamSet, ParamUty
from jupytorch.pipelines.channels import GraphError
from jupytorch.pipelines.graph import Graph, as_graph
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["Affine", "PipeOpTargetInvert", "PipeOpTargetMutate", "PipeOpTargetTrafo", "PipeOpTargetTrafoScale",
           "TargetInverter", "pipeline_targettrafo"]


class TargetInverter:
    """What ``po("targetinvert")`` needs: the inverse function and the truth before the transformation.

    Examples
    --------
    >>> inv = TargetInverter(lambda y: y * 2, truth=None)
    >>> inv.invert(np.array([1.0, 2.0])).tolist()
    [2.0, 4.0]
    """

    def __init__(self, invert: Callable[[np.ndarray], np.ndarray], truth: pd.Series | None,
                 invert_se: Callable[[np.ndarray], np.ndarray] | None = None):
        self.invert = invert
        self.truth = truth
        self.invert_se = invert_se

    def __repr__(self) -> str:
        n = "-" if self.truth is None else len(self.truth)
        return f"<TargetInverter {self.invert!r}, truth of {n} rows>"


class Affine:
    """``x * scale + shift`` as a picklable function with a readable repr.

    Examples
    --------
    >>> Affine(2.0, 1.0)(np.array([1.0])).tolist(), Affine(2.0, 1.0)
    ([3.0], Affine(scale=2.0, shift=1.0))
    """

    def __init__(self, scale: float, shift: float = 0.0):
        self.scale = float(scale)
        self.shift = float(shift)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return x * self.scale + self.shift

    def __repr__(self) -> str:
        return f"Affine(scale={self.scale!r}, shift={self.shift!r})"


class PipeOpTargetTrafo(PipeOp):
    """Base class: transform the target of regression tasks; subclasses define ``_fit``,
    ``_transform`` and ``_inverter``.

    Parameters
    ----------
    id : str
    param_set : ParamSet, optional
    param_vals : mapping, optional
    """

    kind = "target"

    def __init__(self, id: str, param_set: ParamSet | None = None, param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=param_set, param_vals=param_vals, input=[("input", "TaskRegr", "TaskRegr")],
                         output=[("fun", "NULL", "*"), ("output", "TaskRegr", "TaskRegr")])

    def _fit(self, y: np.ndarray) -> dict[str, Any]:
        return {}

    def _transform(self, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _inverter(self) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray] | None]:
        raise NotImplementedError

    def _apply(self, task: Any) -> Any:
        truth = task.truth()
        if truth.isna().all():
            return task   # predicting new data without a target
        y = truth.to_numpy(dtype=np.float64)
        new = task.replace_target(pd.Series(self._transform(y), index=truth.index))
        valid = task.internal_valid_task
        if valid is not None:
            new.internal_valid_task = self._apply(valid)
        return new

    def _train(self, inputs: list[Any]) -> list[Any]:
        task = inputs[0]
        if task.task_type != "regr":
            raise TaskError(f"PipeOp {self.id!r} transforms regression targets; task {task.id!r} is {task.task_type!r}.")
        y = task.truth().to_numpy(dtype=np.float64)
        self.state = self._fit(y[np.isfinite(y)])
        return [None, self._apply(task)]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        task = inputs[0]
        invert, invert_se = self._inverter()
        return [TargetInverter(invert, task.truth(), invert_se), self._apply(task)]


class PipeOpTargetTrafoScale(PipeOpTargetTrafo):
    """``po("targettrafoscale")``: ``(y - mean) / sd`` with the training mean and standard deviation.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    center : bool, default True
    scale : bool, default True

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> fun, task = po("targettrafoscale").train([tsk("mtcars")])
    >>> abs(float(task.truth().mean())) < 1e-9, round(float(task.truth().std(ddof=0)), 6)
    (True, 1.0)
    """

    def __init__(self, id: str = "targettrafoscale", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"center": ParamLgl(default=True, tags={"train"}), "scale": ParamLgl(default=True, tags={"train"})})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _fit(self, y: np.ndarray) -> dict[str, Any]:
        values = self.param_values()
        mean = float(y.mean()) if values["center"] and y.size else 0.0
        sd = float(y.std()) if values["scale"] and y.size else 1.0
        return {"mean": mean, "sd": sd if sd > 0 else 1.0}

    def _transform(self, y: np.ndarray) -> np.ndarray:
        return (y - self.state["mean"]) / self.state["sd"]

    def _inverter(self) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray] | None]:
        return Affine(self.state["sd"], self.state["mean"]), Affine(self.state["sd"])


class PipeOpTargetMutate(PipeOpTargetTrafo):
    """``po("targetmutate", trafo=np.log, inverter=np.exp)``: any transformation and its inverse.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    trafo : callable
        ``trafo(y: ndarray) -> ndarray``, applied in train and predict.
    inverter : callable
        ``inverter(response: ndarray) -> ndarray``, applied to the predictions.

    Examples
    --------
    >>> import numpy as np
    >>> from jupytorch import po, tsk
    >>> op = po("targetmutate", trafo=np.log, inverter=np.exp)
    >>> bool(np.allclose(op.train([tsk("mtcars")])[1].truth(), np.log(tsk("mtcars").truth())))
    True
    """

    def __init__(self, id: str = "targetmutate", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"trafo": ParamUty(tags={"train", "predict", "required"}, custom_check=_check_function),
                       "inverter": ParamUty(tags={"predict", "required"}, custom_check=_check_function)})
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _transform(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(self.param_set.get_values(check_required=True)["trafo"](y), dtype=np.float64)

    def _inverter(self) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray] | None]:
        return self.param_set.get_values(check_required=True)["inverter"], None


def _check_function(value: Any) -> bool | str:
    return callable(value) or "a function of a numpy array"


class PipeOpTargetInvert(PipeOp):
    """``po("targetinvert")``: the prediction of a transformed-target graph in the target's units.

    Inputs: ``fun`` (from a target trafo) and ``prediction``; output: the inverted prediction,
    whose truth is the task's truth before the transformation.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import po
    >>> po("targetinvert").input["name"].tolist()
    ['fun', 'prediction']
    """

    kind = "target"

    def __init__(self, id: str = "targetinvert", param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_vals=param_vals, input=[("fun", "NULL", "*"), ("prediction", "NULL", "PredictionRegr")],
                         output=[("output", "NULL", "PredictionRegr")])

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {}
        return [None]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        from jupytorch.core.prediction import PredictionRegr

        fun, prediction = inputs
        if not isinstance(fun, TargetInverter):
            raise InvalidParameterError(f"PipeOp {self.id!r}: input 'fun' must come from a target trafo's 'fun' output.")
        response = np.asarray(fun.invert(prediction.response.to_numpy(dtype=np.float64)), dtype=np.float64)
        row_ids = prediction.row_ids
        truth = prediction.truth.to_numpy()
        if fun.truth is not None:
            truth = fun.truth.reindex(np.asarray(row_ids)).to_numpy()
        se = prediction.se
        if se is not None:
            se = None if fun.invert_se is None else fun.invert_se(se.to_numpy(dtype=np.float64))
        return [PredictionRegr(row_ids, truth, response, se=se)]


def pipeline_targettrafo(graph: Any, trafo_pipeop: Any = None, id_prefix: str = "") -> Graph:
    """``ppl("targettrafo", graph)``: ``trafo -> graph -> targetinvert``, the trafo's ``fun`` going to the invert.

    Parameters
    ----------
    graph : Graph, PipeOp or Learner
        A regression graph with one free input and one output, a prediction.
    trafo_pipeop : PipeOpTargetTrafo, optional
        Default ``po("targettrafoscale")``.
    id_prefix : str
        Prefix of the trafo and invert ids.

    Examples
    --------
    >>> from jupytorch import lrn, ppl
    >>> ppl("targettrafo", lrn("regr.rpart")).ids()
    ['targettrafoscale', 'regr_rpart', 'targetinvert']
    """
    trafo = trafo_pipeop if trafo_pipeop is not None else PipeOpTargetTrafoScale()
    if not isinstance(trafo, PipeOpTargetTrafo):
        raise GraphError(f"ppl('targettrafo'): trafo_pipeop must be a target trafo such as po('targettrafoscale'), "
                         f"got {type(trafo).__name__}.")
    inner = as_graph(graph, clone=True)
    ins, outs = inner._free_inputs(), inner._free_outputs()
    if len(ins) != 1 or len(outs) != 1:
        raise GraphError(f"ppl('targettrafo'): the graph needs one free input and one free output; it has "
                         f"{len(ins)} and {len(outs)}.")
    trafo = trafo.clone()
    trafo.id = f"{id_prefix}{trafo.id}"
    invert = PipeOpTargetInvert(f"{id_prefix}targetinvert")
    out = Graph()
    out.add_pipeop(trafo, clone=False)
    out._absorb(inner)
    out.add_pipeop(invert, clone=False)
    out.add_edge(trafo.id, ins[0][0], "output", ins[0][1].name)
    out.add_edge(trafo.id, invert.id, "fun", "fun")
    out.add_edge(outs[0][0], invert.id, outs[0][1].name, "prediction")
    return out
