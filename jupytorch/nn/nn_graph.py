"""Module graphs: ``PipeOpModule`` (a module as a graph node) and ``nn_graph`` (a graph as a module).

Layer PipeOps (``nn("linear")``) do not compute anything themselves: when a graph of them is
trained, each adds a :class:`PipeOpModule` that wraps its ``torch.nn.Module`` to the *module
graph* of the ModelDescriptor. :func:`nn_graph` turns such a graph into one
``torch.nn.Module`` whose forward pass runs the modules in topological order.

The execution plan (which module reads which tensors and writes where) is worked out once, when
the network is built; ``forward`` is a plain loop over the plan with no graph logic left.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean
from jupytorch.nn.shapes import Shape, assert_shape, infer_shapes, shape_to_str
from jupytorch.pipelines.channels import GraphError
from jupytorch.pipelines.graph import Graph, as_graph
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["NNGraph", "PipeOpModule", "identity", "nn_graph"]

_TENSOR = "Tensor"


def identity(x: torch.Tensor) -> torch.Tensor:
    """Return ``x`` (the function behind ingress nodes and ``nn("identity")`` in module graphs)."""
    return x


class PipeOpModule(PipeOp):
    """A ``torch.nn.Module`` or a function as a node of a module graph: tensors in, tensors out.

    Parameters
    ----------
    id : str
    module : torch.nn.Module or callable
        Called with one tensor per input channel; returns a tensor (one output channel) or a
        tuple with one tensor per output channel.
    inname : sequence of str
        Input channel names (default ``("input",)``).
    outname : sequence of str
        Output channel names (default ``("output",)``).
    param_vals : mapping, optional
        Unused (a PipeOpModule has no parameters); accepted for ``po()``.

    Examples
    --------
    >>> import torch
    >>> from jupytorch import po
    >>> op = po("module", module=torch.nn.Linear(3, 2))
    >>> op.train([torch.ones(4, 3)])[0].shape
    torch.Size([4, 2])
    """

    kind = "layer"

    def __init__(self, id: str = "module", module: Callable[..., Any] | None = None,
                 inname: Sequence[str] = ("input",), outname: Sequence[str] = ("output",),
                 param_vals: Mapping[str, Any] | None = None):
        if module is None or not callable(module):
            raise InvalidParameterError(
                f"PipeOpModule {id!r}: module must be a torch.nn.Module or a function, got {type(module).__name__}."
            )
        self.module = module
        super().__init__(id, param_vals=param_vals,
                         input=[(n, _TENSOR, _TENSOR) for n in inname],
                         output=[(n, _TENSOR, _TENSOR) for n in outname],
                         label=type(module).__name__ if isinstance(module, torch.nn.Module) else "function")

    def _run(self, inputs: list[Any]) -> list[Any]:
        out = self.module(*inputs)
        if self.outnum == 1:
            return [out]
        return list(out)

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {}
        return self._run(inputs)

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return self._run(inputs)

    def _summary_lines(self) -> list[str]:
        return [f"* Module: {self.module!r:.200}", *super()._summary_lines()[1:]]


class NNGraph(torch.nn.Module):
    """A ``torch.nn.Module`` that runs a Graph of :class:`PipeOpModule` nodes.

    Build it with :func:`nn_graph`. Its submodules are the wrapped modules, registered under
    their PipeOp ids (``net.modules_by_id["linear"]``), so ``parameters()``, ``to()``,
    ``state_dict()`` and ``train()``/``eval()`` reach all of them.

    ``forward`` takes one tensor per graph input: positionally in the order of
    :attr:`input_names`, as keywords named by input (``net(**{"linear.input": x})``) or as one
    dict. It returns the tensor of the single output, or a tuple (``list_output=True``: a list)
    in the order of :attr:`output_names`.

    Attributes
    ----------
    graph : Graph
        The module graph.
    input_names, output_names : list of str
        ``"<op id>.<channel>"`` of the graph's inputs and of the returned outputs.
    shapes_in : dict
        The shape of each input (``None`` for an unknown size).

    Examples
    --------
    >>> import torch
    >>> import jupytorch as jt
    >>> net = jt.nn_graph(jt.po("module_1", module=torch.nn.Linear(10, 2)), shapes_in={"module_1.input": (None, 10)})
    >>> net(torch.zeros(4, 10)).shape
    torch.Size([4, 2])
    """

    def __init__(self, graph: Any, shapes_in: Mapping[str, Any] | Sequence[Any],
                 output_map: Sequence[str] | None = None, list_output: bool = False):
        super().__init__()
        graph = as_graph(graph, clone=False)
        free_in = [f"{op_id}.{ch.name}" for op_id, ch in graph._free_inputs()]
        self.graph = graph
        self.shapes_in = _named_shapes(shapes_in, free_in)
        self.input_names = list(self.shapes_in)
        free_out = [f"{op_id}.{ch.name}" for op_id, ch in graph._free_outputs()]
        if output_map is None:
            output_map = free_out
        elif isinstance(output_map, str):
            output_map = [output_map]
        for name in output_map:
            if name not in free_out:
                raise GraphError(f"nn_graph(): output {name!r} is not a free output of the graph.{did_you_mean(name, free_out)} "
                                 f"Free outputs: {free_out}.")
        self.output_names = list(output_map)
        self.list_output = bool(list_output)
        self.modules_by_id = torch.nn.ModuleDict()
        self._compile()

    def _compile(self) -> None:
        graph = self.graph
        slots: dict[tuple[str, str], int] = {}
        for i, name in enumerate(self.input_names):
            op_id, _, channel = name.rpartition(".")
            slots[(op_id, channel)] = i
        n_slots = len(self.input_names)
        into: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for e in graph._edges:
            into.setdefault((e.dst_id, e.dst_channel), []).append((e.src_id, e.src_channel))
        steps: list[tuple[Callable[..., Any], tuple[int, ...], tuple[int, ...]]] = []
        for op_id in graph.ids():
            op = graph._pipeops[op_id]
            if not isinstance(op, PipeOpModule):
                raise GraphError(
                    f"nn_graph(): PipeOp {op_id!r} is a {type(op).__name__}; a module graph holds only PipeOpModules "
                    "(po('module', module=...)). Layer PipeOps (nn(...)) build module graphs when trained."
                )
            args: list[int] = []
            for ch in op.input_channels:
                sources = into.get((op_id, ch.name))
                if sources is None:
                    args.append(slots[(op_id, ch.name)])
                else:
                    args.extend(slots[s] for s in sources)
            if op.module is identity and len(args) == 1 and op.outnum == 1:
                slots[(op_id, op.output_channels[0].name)] = args[0]  # nothing to run: an alias
                continue
            outs = []
            for ch in op.output_channels:
                slots[(op_id, ch.name)] = n_slots
                outs.append(n_slots)
                n_slots += 1
            if isinstance(op.module, torch.nn.Module):
                self.modules_by_id[op_id] = op.module
            steps.append((op.module, tuple(args), tuple(outs)))
        self._outputs = tuple(slots[tuple(name.rsplit(".", 1))] for name in self.output_names)  # type: ignore[misc]
        self._n_slots = n_slots
        self._index = {name: i for i, name in enumerate(self.input_names)}
        keep = set(self._outputs)
        last_use: dict[int, int] = {}
        for k, (_, args, _) in enumerate(steps):
            for a in args:
                last_use[a] = k
        frees: list[tuple[int, ...]] = [() for _ in steps]
        for slot, k in last_use.items():
            if slot not in keep:
                frees[k] = (*frees[k], slot)
        self._plan = [(fn, args, outs, frees[k]) for k, (fn, args, outs) in enumerate(steps)]

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the graph; see the class docstring for how inputs are passed."""
        if kwargs or (len(args) == 1 and isinstance(args[0], Mapping)):
            given = kwargs if kwargs else args[0]
            values: list[Any] = [None] * self._n_slots
            try:
                for name, tensor in given.items():
                    values[self._index[name]] = tensor
            except KeyError as error:
                raise GraphError(f"nn_graph: unknown input {error.args[0]!r}; the inputs are {self.input_names}.") from None
            for i, name in enumerate(self.input_names):
                if values[i] is None:
                    raise GraphError(f"nn_graph: input {name!r} was not given; the inputs are {self.input_names}.")
        else:
            if len(args) != len(self.input_names):
                raise GraphError(f"nn_graph: got {len(args)} input tensor(s) for the {len(self.input_names)} inputs "
                                 f"{self.input_names}.")
            values = [*args, *([None] * (self._n_slots - len(args)))]
        for fn, ins, outs, frees in self._plan:
            if len(outs) == 1:
                values[outs[0]] = fn(*[values[i] for i in ins])
            else:
                for slot, value in zip(outs, fn(*[values[i] for i in ins])):
                    values[slot] = value
            for slot in frees:
                values[slot] = None
        if len(self._outputs) == 1 and not self.list_output:
            return values[self._outputs[0]]
        result = [values[i] for i in self._outputs]
        return result if self.list_output else tuple(result)

    def shapes_out(self) -> dict[str, Shape]:
        """The shape of each output for inputs of :attr:`shapes_in` (unknown sizes as ``None``)."""
        shapes = infer_shapes(_Positional(self), list(self.shapes_in.values()), who="nn_graph")
        return dict(zip(self.output_names, shapes))

    def extra_repr(self) -> str:
        ins = ", ".join(f"{k}: {shape_to_str(v)}" for k, v in self.shapes_in.items())
        return f"inputs=[{ins}], outputs={self.output_names}"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"


class _Positional:
    def __init__(self, net: NNGraph):
        self.net = net

    def __call__(self, *tensors: torch.Tensor) -> Any:
        out = self.net(*tensors)
        return list(out) if isinstance(out, (tuple, list)) else out


def _named_shapes(shapes_in: Mapping[str, Any] | Sequence[Any], free_in: list[str]) -> dict[str, Shape]:
    if isinstance(shapes_in, Mapping):
        named = dict(shapes_in)
    else:
        shapes = list(shapes_in)
        if len(free_in) == 1 and shapes and not isinstance(shapes[0], (list, tuple, torch.Size)):
            shapes = [shapes]  # one shape for the one input
        if len(shapes) != len(free_in):
            raise GraphError(f"nn_graph(): got {len(shapes)} input shape(s) for the graph inputs {free_in}; "
                             "pass shapes_in as a dict {'<op>.<channel>': shape}.")
        named = dict(zip(free_in, shapes))
    for name in named:
        if name not in free_in:
            raise GraphError(f"nn_graph(): {name!r} in shapes_in is not an input of the graph.{did_you_mean(name, free_in)} "
                             f"Graph inputs: {free_in}.")
    missing = [n for n in free_in if n not in named]
    if missing:
        raise GraphError(f"nn_graph(): shapes_in gives no shape for the graph input(s) {missing}; every free input "
                         f"needs one. Graph inputs: {free_in}.")
    return {name: assert_shape(named[name], where=f"nn_graph(): shapes_in[{name!r}]") for name in free_in}


def nn_graph(graph: Graph | PipeOp, shapes_in: Mapping[str, Any] | Sequence[Any],
             output_map: Sequence[str] | None = None, list_output: bool = False) -> NNGraph:
    """Turn a graph of module PipeOps into one ``torch.nn.Module``.

    Parameters
    ----------
    graph : Graph or PipeOpModule
        The module graph (``po("module", module=...)`` nodes joined with ``>>``).
    shapes_in : dict or list
        Shape of each free input, keyed by ``"<op id>.<channel>"`` (a list: in the order of
        ``graph.input``). The keys fix the order of positional forward arguments.
    output_map : list of str, optional
        Which free outputs to return, as ``"<op id>.<channel>"``; default all.
    list_output : bool
        Return a list even for one output.

    Returns
    -------
    NNGraph

    Examples
    --------
    >>> import torch, jupytorch as jt
    >>> from jupytorch import po
    >>> net = jt.nn_graph(po("module_1", module=torch.nn.Linear(10, 100)) >> po("module_2", module=torch.nn.ReLU()),
    ...                   shapes_in={"module_1.input": (None, 10)})
    >>> net(torch.randn(3, 10)).shape
    torch.Size([3, 100])
    >>> net.shapes_out()
    {'module_2.output': (None, 100)}
    """
    return NNGraph(graph, shapes_in, output_map=output_map, list_output=list_output)

