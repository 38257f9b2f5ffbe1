"""``PipeOpTorch``: the base class of network layers in a graph (``nn("linear")``).

During ``train()`` a layer PipeOp receives ModelDescriptor(s), works out its module's size
arguments from the incoming shape (``in_features``, ``in_channels``, ``num_features``...), builds
the module, computes its output shape, adds the module to the descriptor's module graph and
returns a descriptor that points at the new output. A shape that does not fit raises a
:class:`~jupytorch.nn.shapes.ShapeError` there, before any training, naming the PipeOp, the
incoming shape and what the layer needs. During ``predict()`` the Task passes through.

Extending
---------
Override up to four narrow hooks (all get the input shapes, the parameter values and the task;
``_values_from_inputs`` may first complete the values from the incoming descriptors)::

    class PipeOpTorchDouble(PipeOpTorch):
        key = "nn_double"
        shape_preserving = True                      # output shape = input shape

        def __init__(self, id="double", param_vals=None):
            super().__init__(id, param_set=ParamSet(), param_vals=param_vals)

        def _make_module(self, shapes_in, param_vals, task):
            return Double()                          # any torch.nn.Module

``_check_shapes`` raises for unusable input shapes, ``_module_args`` returns the constructor
arguments of ``module_generator``, ``_make_module`` builds the module (default:
``module_generator(**_module_args(...))``), ``_shapes_out`` returns the output shapes
(default: run the module on meta tensors, see :func:`~jupytorch.nn.shapes.infer_shapes`).
Simple wrappers of torch classes are made with :func:`torch_layer`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from functools import reduce
from typing import Any, ClassVar

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import Param, ParamSet
from jupytorch.core.signature import params_from_signature
from jupytorch.nn.model_descriptor import (
    ModelDescriptor,
    copy_graph,
    model_descriptor_union,
    union_tasks,
)
from jupytorch.nn.nn_graph import PipeOpModule
from jupytorch.nn.shapes import (
    Shape,
    ShapeError,
    infer_shapes,
    require_known,
    require_ndim,
    shape_to_str,
)
from jupytorch.pipelines.channels import VARARG
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["MD", "PipeOpTorch", "torch_layer"]

MD = "ModelDescriptor"


class PipeOpTorch(PipeOp):
    """Base class of layer PipeOps: ModelDescriptor(s) in and out in train, Task(s) in predict.

    Parameters
    ----------
    id : str
    param_set : ParamSet, optional
    param_vals : mapping, optional
    inname : sequence of str
        Input channel names; ``("...",)`` takes any number of inputs (merge layers).
    outname : sequence of str
        Output channel names.
    label : str

    Class attributes
    ----------------
    key : str
        The registry key (``"nn_linear"``), used in messages.
    module_generator : callable, optional
        The torch class the default :meth:`_make_module` calls.
    inferred : dict of str to (int, str)
        Constructor arguments read from the first input's shape: name -> (dimension, meaning).
    ndims : tuple of int, optional
        Allowed numbers of input dimensions (batch included), with ``ndims_text`` saying what
        they are (``"(batch, channels, height, width)"``).
    shape_preserving : bool
        The output shape is the input shape (no inference needed).

    Attributes
    ----------
    state : dict
        After training: ``shapes_in`` and ``shapes_out`` (by output channel).

    Examples
    --------
    >>> from jupytorch import po, nn, tsk
    >>> md = (po("torch_ingress_num") >> nn("linear", out_features=3)).train(tsk("iris"))[0]
    >>> md.pointer_shape
    (None, 3)
    """

    kind = "layer"
    key: ClassVar[str] = ""
    module_generator: ClassVar[Callable[..., Any] | None] = None
    inferred: ClassVar[Mapping[str, tuple[int, str]]] = {}
    ndims: ClassVar[tuple[int, ...] | None] = None
    ndims_text: ClassVar[str] = ""
    shape_preserving: ClassVar[bool] = False

    def __init__(self, id: str, param_set: ParamSet | None = None, param_vals: Mapping[str, Any] | None = None,
                 inname: Sequence[str] = ("input",), outname: Sequence[str] = ("output",), label: str = ""):
        super().__init__(id, param_set=param_set, param_vals=param_vals,
                         input=[(n, MD, "Task") for n in inname], output=[(n, MD, "Task") for n in outname],
                         label=label)

    @property
    def who(self) -> str:
        """How messages name this PipeOp: ``PipeOp 'linear' (nn_linear)``."""
        return f"PipeOp {self.id!r}" + (f" ({self.key})" if self.key else "")

    # -- hooks -------------------------------------------------------------------------------------
    def _values_from_inputs(self, param_vals: dict[str, Any], inputs: list[ModelDescriptor]) -> dict[str, Any]:
        """Complete the parameter values from the incoming descriptors (default: unchanged).

        For layers that need more than shapes, e.g. the cardinalities of categorical inputs.
        """
        return param_vals

    def _check_shapes(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> None:
        """Raise a ShapeError when the input shapes cannot be used."""
        if self.ndims is not None:
            require_ndim(shapes_in[0], self.ndims, self.who, self.ndims_text)
        for name, (dim, meaning) in self.inferred.items():
            if len(shapes_in[0]) < (dim + 1 if dim >= 0 else 1 - dim):  # the batch dimension comes first
                raise ShapeError(f"{self.who} reads {name} from dimension {dim} of its input, but the incoming shape "
                                 f"is {shape_to_str(shapes_in[0])}.")
            require_known(shapes_in[0], [dim], self.who, f"{name}: {meaning}" if meaning else name)

    def _module_args(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> dict[str, Any]:
        """Constructor arguments of ``module_generator``: the parameters plus the inferred sizes."""
        args = dict(param_vals)
        for name, (dim, _) in self.inferred.items():
            args[name] = shapes_in[0][dim]
        return args

    def _make_module(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any) -> Any:
        """Build the module (a ``torch.nn.Module`` or a function of tensors)."""
        generator = type(self).module_generator
        if generator is None:
            raise NotImplementedError(f"{type(self).__name__} sets no module_generator and does not override _make_module().")
        args = self._module_args(shapes_in, param_vals, task)
        try:
            return generator(**args)
        except (ValueError, TypeError, RuntimeError, AssertionError) as error:
            shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
            raise InvalidParameterError(
                f"{self.who} cannot build {getattr(generator, '__name__', generator)}({shown}) for the input shape "
                f"{shape_to_str(shapes_in[0])}: {error}"
            ) from error

    def _shapes_out(self, shapes_in: list[Shape], param_vals: dict[str, Any], task: Any, module: Any) -> list[Shape]:
        """The output shapes (default: infer them by running ``module`` on meta tensors)."""
        if self.shape_preserving:
            return [shapes_in[0]] * self.outnum
        return infer_shapes(module, shapes_in, who=self.who)

    # -- public helpers -----------------------------------------------------------------------------
    def shapes_out(self, shapes_in: Shape | Sequence[Shape], task: Any = None) -> list[Shape]:
        """Output shapes for input shapes ``shapes_in`` (one shape, or one per input), without a graph.

        Examples
        --------
        >>> from jupytorch import nn
        >>> nn("conv2d", out_channels=8, kernel_size=3).shapes_out((None, 1, 28, 28))
        [(None, 8, 26, 26)]
        """
        items = list(shapes_in)
        one = not items or not isinstance(items[0], (tuple, list))
        shapes = [tuple(items)] if one else [tuple(s) for s in items]
        values = self.param_values()
        self.param_set.get_values(check_required=True, tune_tokens=False)
        self._check_shapes(shapes, values, task)
        module = self._make_module(shapes, values, task)
        return self._shapes_out(shapes, values, task, module)

    # -- train / predict ----------------------------------------------------------------------------
    def _module_innames(self, n: int) -> list[str]:
        names = [c.name for c in self.input_channels]
        if names == [VARARG]:
            return [f"input{i + 1}" for i in range(n)]
        return names

    def _train(self, inputs: list[Any]) -> list[Any]:
        for i, md in enumerate(inputs):
            if md.pointer is None or md.pointer_shape is None:
                raise InvalidParameterError(
                    f"{self.who}: input {i + 1} is a ModelDescriptor without a pointer (no layer output to continue "
                    "from); put a torch_ingress_* or a layer before it."
                )
        shapes_in = [md.pointer_shape for md in inputs]
        md = inputs[0] if len(inputs) == 1 else reduce(model_descriptor_union, inputs)
        values = self._values_from_inputs(self.param_values(), inputs)
        self._check_shapes(shapes_in, values, md.task)
        module = self._make_module(shapes_in, values, md.task)
        shapes_out = [tuple(s) for s in self._shapes_out(shapes_in, values, md.task, module)]
        graph = copy_graph(md.graph)
        if self.id in graph:
            raise InvalidParameterError(
                f"{self.who}: the network already has a layer with id {self.id!r}; give each layer its own id "
                f"(nn('{self.id.split('_')[0]}_2'))."
            )
        innames = self._module_innames(len(inputs))
        outnames = [c.name for c in self.output_channels]
        op = PipeOpModule(self.id, module, inname=innames, outname=outnames)
        # how to build this module again: po("torch_model_*", seed=...) draws the initial weights
        # of every layer from its seed (see reinitialize_modules), not from the global generator
        op.fresh_module = functools.partial(self._make_module, shapes_in, values, md.task)
        graph.add_pipeop(op, clone=False)
        for src, name in zip(inputs, innames):
            graph.add_edge(src.pointer[0], self.id, src.pointer[1], name)
        self.state = {"shapes_in": shapes_in, "shapes_out": dict(zip(outnames, shapes_out))}
        return [md.replace(graph=graph, pointer=(self.id, ch), pointer_shape=shape)
                for ch, shape in zip(outnames, shapes_out)]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        task = inputs[0] if len(inputs) == 1 else union_tasks(inputs, self.who)
        return [task] * self.outnum

    def edge_label(self, channel: str) -> str | None:
        """The shape leaving ``channel`` after training, e.g. ``"(None, 10)"``."""
        shapes = (self.state or {}).get("shapes_out") if isinstance(self.state, dict) else None
        if not shapes or channel not in shapes:
            return None
        return shape_to_str(shapes[channel])


class _SimpleLayer(PipeOpTorch):
    """A torch class wrapped as a layer (made by :func:`torch_layer`)."""

    default_id: ClassVar[str] = ""
    exclude: ClassVar[tuple[str, ...]] = ()
    specs: ClassVar[Mapping[str, Callable[[], Param]]] = {}

    def __init__(self, id: str | None = None, param_vals: Mapping[str, Any] | None = None):
        generator = type(self).module_generator
        specs = {name: make() for name, make in self.specs.items()}
        ps = params_from_signature(generator, exclude=(*self.inferred, *self.exclude, "device", "dtype"), specs=specs)
        super().__init__(id or self.default_id, param_set=ps, param_vals=param_vals)


def torch_layer(class_name: str, key: str, generator: Callable[..., Any], module: str, *,
                inferred: Mapping[str, tuple[int, str]] | None = None, ndims: Sequence[int] | None = None,
                ndims_text: str = "", shape_preserving: bool = False, exclude: Sequence[str] = (),
                specs: Mapping[str, Callable[[], Param]] | None = None, doc: str = "") -> type[PipeOpTorch]:
    """Make a layer PipeOp class that wraps the torch class ``generator``.

    Its parameters are the arguments of ``generator`` (from the signature, ``specs`` replacing
    some), without ``inferred`` ones, which are read from the input shape.

    Parameters
    ----------
    class_name : str
        Name of the class; assign it to this name in ``module`` so that it pickles.
    key : str
        Registry key without the ``nn_`` prefix (also the default id).
    generator : class
    module : str
        ``__name__`` of the module that holds the class.
    inferred, ndims, ndims_text, shape_preserving
        See :class:`PipeOpTorch`.
    exclude : sequence of str
        Signature arguments that are not parameters.
    specs : dict of str to callable returning a Param
        Parameter definitions that replace the inferred ones.
    doc : str
        The docstring.

    Examples
    --------
    >>> import torch
    >>> Lin = torch_layer("PipeOpTorchMyLinear", "my_linear", torch.nn.Linear, __name__,
    ...                   inferred={"in_features": (-1, "features")})
    >>> Lin(out_features=4).shapes_out((None, 7))
    [(None, 4)]
    """
    name = getattr(generator, "__name__", key)
    attrs = {
        "__module__": module,
        "__qualname__": class_name,
        "__doc__": doc or f"Layer ``nn('{key}')``: :class:`torch.nn.{name}`; its arguments are the parameters.",
        "key": f"nn_{key}",
        "default_id": key,
        "module_generator": generator,
        "inferred": dict(inferred or {}),
        "ndims": None if ndims is None else tuple(ndims),
        "ndims_text": ndims_text,
        "shape_preserving": shape_preserving,
        "exclude": tuple(exclude),
        "specs": dict(specs or {}),
    }
    cls = type(class_name, (_SimpleLayer,), attrs)
    cls.__init__ = _make_init(key)  # type: ignore[method-assign]
    return cls


def _make_init(key: str) -> Callable[..., None]:
    def __init__(self: Any, id: str = key, param_vals: Mapping[str, Any] | None = None, **params: Any) -> None:
        _SimpleLayer.__init__(self, id, param_vals={**(param_vals or {}), **params})

    return __init__
