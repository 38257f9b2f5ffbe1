"""``nn("block", graph, n_blocks=...)``: repeat a sub-graph of layers.

The block's parameters are ``n_blocks``, ``trafo`` and those of the inner layers, nested by their
ids: in a graph, ``block__linear_1__out_features``. Every repetition gets its own modules (no
weight sharing); in the module graph their ids are ``<block id>_<i>_<layer id>``.

Examples
--------
>>> from jupytorch import nn, po, tsk
>>> residual = [nn("linear_1", out_features=4), nn("linear_2", out_features=4) >> nn("relu")] >> nn("merge_sum")
>>> block = nn("block", residual, n_blocks=3)
>>> md = (po("torch_ingress_num") >> block).train(tsk("iris"))[0]
>>> md.pointer, md.pointer_shape
(('block_3_merge_sum', 'output'), (None, 4))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamInt, ParamSet, ParamUty
from jupytorch.nn.model_descriptor import ModelDescriptor
from jupytorch.nn.pipeop_torch import PipeOpTorch
from jupytorch.pipelines.channels import GraphError
from jupytorch.pipelines.graph import as_graph

__all__ = ["PipeOpTorchBlock"]


def _routes_anything(op: Any) -> bool:
    """Whether ``op`` only routes objects of any type (po("branch"), po("unbranch"), po("nop")), so that
    ``ppl("branch", {...})`` can choose between layers inside a block.
    """
    channels = (*op.input_channels, *op.output_channels)
    return op.kind == "meta" and all(c.train == c.predict == "*" for c in channels)


def _check_trafo(value: Any) -> bool | str:
    return value is None or callable(value) or "a function (i, param_values, param_set) -> param_values, or None"


class PipeOpTorchBlock(PipeOpTorch):
    """Repeat a graph of layer PipeOps ``n_blocks`` times, one after the other.

    Parameters
    ----------
    block : Graph or PipeOp
        Layer PipeOps with one free output; every free input gets the incoming descriptor.
    id : str
    param_vals : mapping, optional

    Parameters (``param_set``)
    --------------------------
    n_blocks : int, required
        How often to repeat the block (0: pass the input on).
    trafo : callable, optional
        ``trafo(i, param_values, param_set) -> param_values`` changes the inner parameter values
        of repetition ``i`` (1-based), e.g. to widen later blocks.
    <layer id>__<parameter>
        The inner layers' parameters.
    """

    key = "nn_block"

    def __init__(self, block: Any, id: str = "block", param_vals: Mapping[str, Any] | None = None):
        graph = as_graph(block, clone=True)
        outputs = graph._free_outputs()
        if len(outputs) != 1:
            raise GraphError(f"PipeOp {id!r} (nn_block): the block must have exactly one free output, it has "
                             f"{[f'{o}.{c.name}' for o, c in outputs]}.")
        for op_id, op in graph._pipeops.items():
            if not (isinstance(op, PipeOpTorch) or _routes_anything(op)):
                raise GraphError(f"PipeOp {id!r} (nn_block): a block holds layer PipeOps (nn(...)), and branch / "
                                 f"unbranch / nop to choose between them; {op_id!r} is a {type(op).__name__}.")
        ps = ParamSet({
            "n_blocks": ParamInt(0, None, tags={"train", "required"}),
            "trafo": ParamUty(None, tags={"train"}, custom_check=_check_trafo),
        })
        for op_id, op in graph._pipeops.items():
            if op_id in ("n_blocks", "trafo"):
                raise InvalidParameterError(f"PipeOp {id!r} (nn_block): an inner layer may not be called {op_id!r}.")
            ps.add_child(op_id, op.param_set)
        self.block = graph
        super().__init__(id, param_set=ps, param_vals=param_vals)

    def _train(self, inputs: list[Any]) -> list[Any]:
        md: ModelDescriptor = inputs[0]
        values = self.param_values()
        shape_in = md.pointer_shape
        for i in range(1, values["n_blocks"] + 1):
            graph = self.block.clone()
            if values["trafo"] is not None:
                inner = graph.param_set
                new = values["trafo"](i, inner.values, inner)
                if not isinstance(new, Mapping):
                    raise InvalidParameterError(f"PipeOp {self.id!r}: trafo must return the parameter values as a "
                                                f"dict, got {type(new).__name__}.")
                inner.values = dict(new)
            graph.update_ids(prefix=f"{self.id}_{i}_")
            try:
                md = graph.train(md)[0]
            except Exception as error:
                error.add_note(f"This happened in repetition {i} of block {self.id!r}.")
                raise
        self.state = {"shapes_in": [shape_in], "shapes_out": {"output": md.pointer_shape}}
        return [md]
