"""The base of lazy-tensor preprocessing PipeOps, and the factory that builds them from a table.

A :class:`PipeOpTaskPreprocTorch` changes no data. In ``train()`` it builds one step (a
picklable callable on a whole batch ``(B, ...)``), keeps it in ``state``, and appends it to the
preprocessing graph of each affected lazy-tensor column, tagged with the ``stages`` parameter:

- ``"both"`` (``trafo_*``): the step runs whenever a batch is materialized; ``predict()``
  appends the same step to the new task's columns.
- ``"train"`` (``augment_*``): the step runs only when a batch is materialized for training
  (``materialize(..., stage="train")``, which the torch learners use for training batches);
  ``predict()`` passes the task on unchanged, and validation data (the task's
  ``internal_valid_task``) is never augmented.
- ``"predict"``: the mirror image.

The output shape of each column is computed in ``train()`` by the op's shape rule, for the train
and for the predict path, so a step that cannot take a column's shape fails at once, naming the
PipeOp, the column's shape and what the op needs.

Most ops are rows of a table (:class:`OpSpec`): key, parameters, a step builder and a shape
rule; :func:`make_op_class` turns a row into a registered class such as ``PipeOpTrafoResize``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from jupytorch.core.paramset import NO_DEFAULT, Param, ParamFct, ParamSet
from jupytorch.core.task import Task
from jupytorch.lazy.graph import STAGES, Shape
from jupytorch.lazy.pipeops.checks import ShapeContext
from jupytorch.pipelines.preproc import PipeOpTaskPreproc

__all__ = ["OpSpec", "PipeOpTaskPreprocTorch", "class_name", "make_op_class", "stages_param"]

#: a shape rule: (context, incoming shape, parameter values) -> outgoing shape
ShapeRule = Callable[[ShapeContext, Shape, dict[str, Any]], Shape | None]


def stages_param(default: str) -> ParamFct:
    """The ``stages`` parameter: when the step runs (``both``, ``train`` or ``predict``)."""
    return ParamFct(list(STAGES), default=default, tags=("train", "required"),
                    description="When the step runs: both (train and predict), train only (augmentation) or predict only.")


class PipeOpTaskPreprocTorch(PipeOpTaskPreproc):
    """Base class of PipeOps that append a preprocessing step to lazy-tensor columns.

    Subclasses implement :meth:`_make_step` (parameter values -> a batch callable, or None for
    no step) and :meth:`_shape_out` (the shape rule). Affected columns are chosen by
    ``affect_columns``, among the task's lazy-tensor features.

    Parameters
    ----------
    id : str
    param_set : ParamSet, optional
        The op's own parameters; ``stages`` and ``affect_columns`` are added.
    param_vals : mapping, optional
    stages : {"both", "train", "predict"}, optional
        Initial value of ``stages`` (default: the class's ``default_stages``).
    label : str, optional

    Attributes
    ----------
    state : dict
        After training: ``affected_cols``, ``step`` (the callable appended), ``stage`` and ``values``
        (the parameter values the step and the shape rule use).

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> op = po("trafo_reshape", shape=(-1, 2, 2))
    >>> isinstance(op, PipeOpTaskPreprocTorch)
    True
    >>> op.train([tsk("lazy_iris")])[0].head(1)["x"].iloc[0]
    <tnsr[2x2]>
    """

    kind = "preprocessing"
    feature_types: ClassVar[tuple[str, ...]] = ("lazy_tensor",)
    key: ClassVar[str] = ""
    default_stages: ClassVar[str] = "both"
    #: whether the step takes one row at a time (a slow loop; for functions that cannot batch)
    rowwise: bool = False

    def __init__(self, id: str, param_set: ParamSet | None = None, param_vals: Mapping[str, Any] | None = None,
                 stages: str | None = None, label: str = ""):
        param_set = param_set if param_set is not None else ParamSet()
        param_set.add("stages", stages_param(self.default_stages))
        super().__init__(id, param_set=param_set, label=label.replace("``", ""))
        self.param_set.set_values(stages=stages or self.default_stages)
        if param_vals:
            self.param_set.set_values(**dict(param_vals))

    # -- hooks -------------------------------------------------------------------------------------
    def _make_step(self, param_vals: dict[str, Any]) -> Callable[[Any], Any] | None:
        """Hook: the batch callable for these parameter values (None: nothing to append)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _make_step().")

    def _shape_out(self, ctx: ShapeContext, shape: Shape, param_vals: dict[str, Any]) -> Shape | None:
        """Hook: the output shape for the known input ``shape``; raise ``ctx.fail(...)`` when it does not fit."""
        return shape

    # -- PipeOpTaskPreproc hooks ---------------------------------------------------------------------
    def step_values(self) -> dict[str, Any]:
        """The parameter values the step is built from (without ``stages`` and ``affect_columns``)."""
        values = self.param_values()
        return {k: v for k, v in values.items() if k not in ("stages", "affect_columns")}

    def _train_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        values = self.step_values()
        stage = self.param_values()["stages"]
        step = self._make_step(values)
        self.state.update(step=step, stage=stage, values=values)
        return self._append(df, step, stage, values)

    def _predict_dt(self, df: pd.DataFrame, task: Task) -> pd.DataFrame:
        stage = self.state["stage"]
        if stage == "train":
            return df
        return self._append(df, self.state["step"], stage, self.state["values"])

    def _append(self, df: pd.DataFrame, step: Any, stage: str, values: dict[str, Any]) -> pd.DataFrame:
        if step is None:
            return df
        out = {}
        for col in df.columns:
            shape_fn = _ShapeFn(self, col, values, df[col].array.tensor_shape)
            out[col] = df[col].array.with_step(step, shape_fn, stage=stage, name=self.id, rowwise=self.rowwise)
        return pd.DataFrame(out, index=df.index)

    def shapes_out(self, shape_in: Shape | None, column: str = "x") -> Shape | None:
        """The shape a column of shape ``shape_in`` gets from this op with its current parameters.

        Examples
        --------
        >>> from jupytorch import po
        >>> po("trafo_resize", size=(32, 32)).shapes_out((None, 1, 28, 28))
        (None, 1, 32, 32)
        """
        return _ShapeFn(self, column, self.step_values(), shape_in)(shape_in)


class _ShapeFn:
    """The shape function handed to ``with_step`` for one column (called for the train and predict input)."""

    def __init__(self, op: PipeOpTaskPreprocTorch, column: str, values: dict[str, Any], train_shape: Any = None):
        self.op, self.column, self.values, self.train_shape = op, column, values, train_shape

    def __call__(self, shape_in: Shape | None) -> Shape | None:
        if shape_in is None:  # rows differ in rank: nothing to check or compute
            return None
        predict_path = self.train_shape is not None and shape_in != self.train_shape
        ctx = ShapeContext(self.op.id, self.op.key, self.column, shape_in, predict_path)
        return self.op._shape_out(ctx, shape_in, self.values)


@dataclass
class OpSpec:
    """One row of an op table: everything :func:`make_op_class` needs to build a PipeOp class.

    Attributes
    ----------
    key : str
        Registry key, e.g. ``"trafo_resize"``; its prefix sets the default ``stages``
        (``trafo_`` -> both, ``augment_`` -> train).
    summary : str
        One line for the docstring and listings.
    params : dict of str to Param
        The op's parameters (copied for each instance).
    make_step : callable
        ``make_step(param_vals) -> batch callable`` (or None for no step).
    shape : callable
        The shape rule ``shape(ctx, shape_in, param_vals) -> shape_out``.
    example : str
        Docstring example lines (doctest).
    batched : str
        How the step treats a batch, for the docs (e.g. "one call", "per-row draws, vectorised").
    """

    key: str
    summary: str
    params: dict[str, Param]
    make_step: Callable[[dict[str, Any]], Any]
    shape: ShapeRule
    example: str = ""
    batched: str = "one call on the whole batch"
    extra: dict[str, Any] = field(default_factory=dict)


def class_name(key: str) -> str:
    """``"trafo_resize"`` -> ``"PipeOpTrafoResize"`` (the registry targets use the same rule)."""
    return "PipeOp" + "".join(part.capitalize() for part in key.split("_"))


def _docstring(spec: OpSpec, stages: str) -> str:
    lines = [f"``po({spec.key!r})``: {spec.summary}.", ""]
    when = "in train and predict" if stages == "both" else "only to training batches"
    lines += [f"Applied {when} by default (``stages={stages!r}``); {spec.batched}.", "",
              "Parameters", "----------", "id : str", f"    Default ``{spec.key!r}``.", "param_vals : mapping, optional", "",
              "Parameters (``param_set``)", "--------------------------"]
    for pid, param in spec.params.items():
        default = "" if param.default is NO_DEFAULT else f", default {param.default!r}"
        required = " (required)" if param.required else ""
        lines += [f"{pid} : {param.describe()}{default}{required}", f"    {param.description}"]
    lines += ["stages : {'both', 'train', 'predict'}", "affect_columns : selector", "    Which lazy-tensor columns (default: all)."]
    if spec.example:
        lines += ["", "Examples", "--------", *spec.example.strip("\n").splitlines()]
    return "\n".join(lines)


def make_op_class(spec: OpSpec, module: str) -> type[PipeOpTaskPreprocTorch]:
    """Build the PipeOp class for one table row; put it into ``module``'s namespace to make it picklable."""
    stages = "train" if spec.key.startswith("augment_") else "both"

    def __init__(self: PipeOpTaskPreprocTorch, id: str = spec.key, param_vals: Mapping[str, Any] | None = None) -> None:
        PipeOpTaskPreprocTorch.__init__(self, id, ParamSet(copy.deepcopy(spec.params)), param_vals, label=spec.summary)

    def _make_step(self: PipeOpTaskPreprocTorch, param_vals: dict[str, Any]) -> Any:
        return spec.make_step(param_vals)

    def _shape_out(self: PipeOpTaskPreprocTorch, ctx: ShapeContext, shape: Shape, param_vals: dict[str, Any]) -> Any:
        return spec.shape(ctx, shape, param_vals)

    name = class_name(spec.key)
    namespace = {
        "__init__": __init__, "_make_step": _make_step, "_shape_out": _shape_out, "__doc__": _docstring(spec, stages),
        "__module__": module, "__qualname__": name, "key": spec.key, "default_stages": stages, "spec": spec,
    }
    return type(name, (PipeOpTaskPreprocTorch,), namespace)
