"""Ingress PipeOps: where a Task enters a network graph.

``po("torch_ingress_num")``, ``po("torch_ingress_categ")`` and ``po("torch_ingress_ltnsr")``
take a Task in ``train()`` and return a :class:`~jupytorch.nn.model_descriptor.ModelDescriptor`
whose module graph has one input, fed by an ingress token for the chosen features, with the
pointer at that input and its shape (``(None, n_features)`` for tabular data). In ``predict()``
the Task passes through (the network reads it later, through the tokens).

Examples
--------
>>> from jupytorch import po, tsk
>>> md = po("torch_ingress_num").train([tsk("iris")])[0]
>>> md.pointer_shape, list(md.ingress)
((None, 4), ['torch_ingress_num.input'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.paramset import ParamLgl, ParamSet, ParamUty
from jupytorch.nn.ingress import (
    TorchIngressToken,
    ingress_categ,
    ingress_ltnsr,
    ingress_num,
)
from jupytorch.nn.model_descriptor import ModelDescriptor
from jupytorch.nn.nn_graph import PipeOpModule, identity
from jupytorch.nn.shapes import Shape, ShapeError, assert_shape, shape_to_str
from jupytorch.pipelines.graph import Graph
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["PipeOpTorchIngress", "PipeOpTorchIngressCateg", "PipeOpTorchIngressLtnsr", "PipeOpTorchIngressNum"]


class PipeOpTorchIngress(PipeOp):
    """Base class of ingress PipeOps: Task -> ModelDescriptor in train, Task -> Task in predict.

    Subclasses implement :meth:`_token` (the bound ingress token for the task).

    Attributes
    ----------
    state : dict
        After training: ``features`` (the columns that feed the network) and ``shape``.

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> po("torch_ingress_num").train([tsk("iris")])[0].pointer_shape
    (None, 4)
    """

    kind = "ingress"
    key = ""

    def __init__(self, id: str, param_set: ParamSet | None = None, param_vals: Mapping[str, Any] | None = None):
        super().__init__(id, param_set=param_set, param_vals=param_vals,
                         input=[("input", "Task", "Task")], output=[("output", "ModelDescriptor", "Task")])

    def _token(self, task: Any, param_vals: dict[str, Any]) -> TorchIngressToken:
        raise NotImplementedError

    def _select(self, task: Any, types: tuple[str, ...], select: bool, what: str) -> list[str]:
        features = task.feature_names_of(types)
        if not select:
            other = [f for f in task.feature_names if f not in features]
            if other:
                raise TaskError(
                    f"PipeOp {self.id!r} ({self.key}) with select=False takes only {what} features, but task {task.id!r} "
                    f"also has {other[:5]}{' ...' if len(other) > 5 else ''}; drop them first or set select=True."
                )
        if not features:
            raise TaskError(
                f"PipeOp {self.id!r} ({self.key}): task {task.id!r} has no {what} features (types {list(types)}); its "
                f"features are {dict(task.feature_types)}."
            )
        return features

    def _train(self, inputs: list[Any]) -> list[Any]:
        task = inputs[0]
        token = self._token(task, self.param_values())
        if token.shape is None:
            raise ShapeError(f"PipeOp {self.id!r} ({self.key}) cannot tell the shape of its input from task "
                             f"{task.id!r}; set the shape parameter.")
        graph = Graph()
        graph.add_pipeop(PipeOpModule(self.id, identity), clone=False)
        md = ModelDescriptor(graph, {f"{self.id}.input": token}, task, pointer=(self.id, "output"),
                             pointer_shape=token.shape)
        self.state = {"features": list(token.features), "shape": token.shape}
        return [md]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return inputs

    def edge_label(self, channel: str) -> str | None:
        """The shape of the network input after training, e.g. ``"(None, 4)"``."""
        state = self.state if isinstance(self.state, dict) else {}
        return shape_to_str(state["shape"]) if "shape" in state else None


class _PipeOpTorchIngressTyped(PipeOpTorchIngress):
    """An ingress of the task's features of the types :attr:`types` (:attr:`what` in messages), made
    into a token by :attr:`ingress`; its parameter ``select`` says whether other features are left out.
    """

    types: ClassVar[tuple[str, ...]] = ()
    what = ""
    ingress: ClassVar[Callable[[list[str]], TorchIngressToken]]

    def __init__(self, id: str | None = None, param_vals: Mapping[str, Any] | None = None):
        select = ParamLgl(default=True, tags={"train"},
                          description="take the features of the supported types (False: fail on other features)")
        super().__init__(id or self.key, ParamSet({"select": select}), param_vals)

    def _token(self, task: Any, param_vals: dict[str, Any]) -> TorchIngressToken:
        return self.ingress(self._select(task, self.types, param_vals["select"], self.what)).bind(task)


class PipeOpTorchIngressNum(_PipeOpTorchIngressTyped):
    """``po("torch_ingress_num")``: the numeric and integer features as one ``float32 (B, F)`` input.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    select : bool, default True
        Take the numeric and integer features and leave the others; False fails when the task
        has features of other types.

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> po("torch_ingress_num").train([tsk("mtcars")])[0].pointer_shape
    (None, 10)
    """

    key = "torch_ingress_num"
    types = ("numeric", "integer")
    what = "numeric or integer"
    ingress = staticmethod(ingress_num)


class PipeOpTorchIngressCateg(_PipeOpTorchIngressTyped):
    """``po("torch_ingress_categ")``: factor, ordered and logical features as ``int64 (B, F)`` codes.

    Codes are 0-based in the order of the training levels; missing and unseen levels get the
    extra index ``len(levels)`` (see :func:`~jupytorch.nn.ingress.ingress_categ`), so
    ``nn("tokenizer_categ")`` reads the cardinalities (levels + 1) from the token.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    select : bool, default True
        Take the categorical features and leave the others.

    Examples
    --------
    >>> from jupytorch import po, tsk
    >>> po("torch_ingress_categ").train([tsk("california_housing")])[0].pointer_shape
    (None, 1)
    """

    key = "torch_ingress_categ"
    types = ("factor", "ordered", "logical")
    what = "categorical"
    ingress = staticmethod(ingress_categ)


def _check_shape_param(value: Any) -> bool | str:
    if value is None or value == "infer":
        return True
    try:
        assert_shape(value)
    except InvalidParameterError:
        return "None, 'infer' or a shape with the batch first, e.g. (None, 1, 28, 28)"
    return True


class PipeOpTorchIngressLtnsr(PipeOpTorchIngress):
    """``po("torch_ingress_ltnsr")``: the task's lazy-tensor feature as the network input.

    The task must have exactly one lazy-tensor feature (select it with ``po("select")``).

    Parameters
    ----------
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    shape : tuple, None or "infer", default None
        The batch shape, e.g. ``(None, 1, 28, 28)``. ``None``/``"infer"``: read it from the
        column (all rows must have one known shape). A given shape must agree with the column's
        known one.
    """

    key = "torch_ingress_ltnsr"

    def __init__(self, id: str = "torch_ingress_ltnsr", param_vals: Mapping[str, Any] | None = None):
        ps = ParamSet({"shape": ParamUty(None, tags={"train"}, custom_check=_check_shape_param)})
        super().__init__(id, ps, param_vals)

    def _token(self, task: Any, param_vals: dict[str, Any]) -> TorchIngressToken:
        lazy = task.feature_names_of("lazy_tensor")
        if len(lazy) != 1:
            raise TaskError(
                f"PipeOp {self.id!r} ({self.key}) needs exactly one lazy-tensor feature, but task {task.id!r} has "
                f"{len(lazy)} ({lazy}); select one with po('select', selector=jt.selector_name([...])) first."
            )
        given = param_vals["shape"]
        given = None if given in (None, "infer") else assert_shape(given, where=f"PipeOp {self.id!r}: shape")
        inferred = ingress_ltnsr(lazy[0]).bind(task).shape
        if given is None:
            if inferred is None:
                raise ShapeError(
                    f"PipeOp {self.id!r} ({self.key}): the rows of lazy-tensor column {lazy[0]!r} have no common shape; "
                    "resize them (po('trafo_resize', size=...)) or set shape=(None, ...)."
                )
            return ingress_ltnsr(lazy[0], shape=inferred).bind(task)
        if inferred is not None and not _compatible(given, inferred):
            raise ShapeError(
                f"PipeOp {self.id!r} ({self.key}): shape={shape_to_str(given)} does not fit lazy-tensor column "
                f"{lazy[0]!r}, whose batches have shape {shape_to_str(inferred)}."
            )
        return ingress_ltnsr(lazy[0], shape=given).bind(task)


def _compatible(a: Shape, b: Shape) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))
