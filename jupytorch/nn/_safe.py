"""Plain structures that ``torch.load(..., weights_only=True)`` reads back without running code.

:func:`to_safe` turns callback states, histories and configuration into dicts, lists, numbers,
strings and tensors (a DataFrame becomes ``{"__dataframe__": {column: values}}``, a tuple
``{"__tuple__": [...]}``); :func:`from_safe` reverses it. Anything else raises
:class:`NotSafeError`, and the caller falls back to a format that needs ``trusted=True``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

__all__ = ["NotSafeError", "from_safe", "module_from_safe", "module_to_safe", "to_safe"]


class NotSafeError(TypeError):
    """A value cannot be stored as plain data."""


def to_safe(value: Any, where: str = "value") -> Any:
    """Convert ``value`` to plain data and tensors (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__ndarray_object__": [to_safe(v, where) for v in value.tolist()]}
        return {"__ndarray__": torch.from_numpy(np.ascontiguousarray(value))}
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not isinstance(key, (str, int)):
                raise NotSafeError(f"{where}: dict key {key!r} is not a string or integer")
            out[key] = to_safe(item, f"{where}[{key!r}]")
        return out
    if isinstance(value, tuple):
        return {"__tuple__": [to_safe(v, where) for v in value]}
    if isinstance(value, list):
        return [to_safe(v, where) for v in value]
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return {"__dataframe__": {str(c): [_cell(v) for v in value[c].tolist()] for c in value.columns}}
    raise NotSafeError(f"{where} holds a {type(value).__module__}.{type(value).__qualname__}, which is not plain data")


def _cell(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise NotSafeError(f"a DataFrame cell holds a {type(v).__name__}")


def from_safe(value: Any) -> Any:
    """Rebuild what :func:`to_safe` converted."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key == "__tuple__":
                return tuple(from_safe(v) for v in inner)
            if key == "__dataframe__":
                import pandas as pd

                return pd.DataFrame({k: [math.nan if v is None else v for v in col] if _numeric(col) else col
                                     for k, col in inner.items()})
            if key == "__ndarray__":
                return inner.numpy()
            if key == "__ndarray_object__":
                return np.asarray([from_safe(v) for v in inner], dtype=object)
        return {k: from_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_safe(v) for v in value]
    return value


def _numeric(column: list[Any]) -> bool:
    return any(isinstance(v, float) for v in column) and all(v is None or isinstance(v, (int, float)) for v in column)


# -- network objects ----------------------------------------------------------------------------------
def module_to_safe(module: torch.nn.Module, where: str = "network") -> dict[str, Any]:
    """A network object as plain data: each module's class by import path and its attributes.

    Attributes must be plain data, tensors, parameters or modules (what ``torch.nn`` layers hold);
    a function or another object raises :class:`NotSafeError`.
    """
    from jupytorch.core.imports import object_path
    from jupytorch.nn.nn_graph import NNGraph

    if type(module) is NNGraph:
        return _nn_graph_to_safe(module, where)
    path = object_path(type(module))
    if "<" in path:
        raise NotSafeError(f"{where} is a {path}, a local class")
    return {"__nn_module__": path, "attrs": {key: _attr_to_safe(value, f"{where}.{key}") for key, value in module.__dict__.items()}}


def _nn_graph_to_safe(net: Any, where: str) -> dict[str, Any]:
    """A network built from layer PipeOps: its module graph node by node, rebuilt with ``nn_graph``."""
    from jupytorch.nn.nn_graph import PipeOpModule, identity

    ops = []
    for op_id in net.graph.ids():
        op = net.graph._pipeops[op_id]
        if not isinstance(op, PipeOpModule):
            raise NotSafeError(f"{where}: node {op_id!r} is a {type(op).__name__}")
        if op.module is identity:
            module: Any = "identity"
        elif isinstance(op.module, torch.nn.Module):
            module = module_to_safe(op.module, f"{where}[{op_id!r}]")
        else:
            raise NotSafeError(f"{where}: node {op_id!r} runs a function ({type(op.module).__name__})")
        ops.append({"id": op_id, "module": module, "inname": [c.name for c in op.input_channels],
                    "outname": [c.name for c in op.output_channels]})
    return {"__nn_graph__": ops, "edges": [list(e) for e in net.graph._edges],
            "shapes_in": to_safe(dict(net.shapes_in), where), "output_names": list(net.output_names),
            "list_output": net.list_output}


def _nn_graph_from_safe(config: dict[str, Any], resolve: Any) -> Any:
    from jupytorch.nn.nn_graph import NNGraph, PipeOpModule, identity
    from jupytorch.pipelines.graph import Graph

    graph = Graph()
    for op in config["__nn_graph__"]:
        module = identity if op["module"] == "identity" else module_from_safe(op["module"], resolve)
        if module is None:
            return None
        graph.add_pipeop(PipeOpModule(op["id"], module, op["inname"], op["outname"]), clone=False)
    for src_id, src_channel, dst_id, dst_channel in config["edges"]:
        graph.add_edge(src_id, dst_id, src_channel, dst_channel)
    return NNGraph(graph, from_safe(config["shapes_in"]), config["output_names"], config["list_output"])


def _attr_to_safe(value: Any, where: str) -> Any:
    if isinstance(value, torch.nn.Module):
        return module_to_safe(value, where)
    if isinstance(value, torch.nn.Parameter):
        return {"__parameter__": value.detach().cpu(), "requires_grad": value.requires_grad}
    if isinstance(value, dict):
        if any(not isinstance(k, str) for k in value):
            raise NotSafeError(f"{where} holds hooks or keys that are not strings")
        return {"__odict__": [[k, _attr_to_safe(v, f"{where}[{k!r}]")] for k, v in value.items()],
                "ordered": type(value) is not dict}
    if isinstance(value, (set, frozenset)) and all(isinstance(v, str) for v in value):
        return {"__set__": sorted(value)}
    return to_safe(value, where)


def module_from_safe(config: dict[str, Any], resolve: Any) -> Any:
    """Rebuild :func:`module_to_safe`'s output; ``resolve(path)`` returns the checked class (or None if refused)."""
    if "__nn_graph__" in config:
        return _nn_graph_from_safe(config, resolve)
    cls = resolve(config["__nn_module__"])
    attrs = {key: _attr_from_safe(value, resolve) for key, value in config["attrs"].items()}
    if cls is None:
        return None
    module = cls.__new__(cls)
    module.__setstate__(attrs)  # what unpickling a module does, here with checked classes and plain data only
    return module


def _attr_from_safe(value: Any, resolve: Any) -> Any:
    if isinstance(value, dict):
        if "__nn_module__" in value or "__nn_graph__" in value:
            return module_from_safe(value, resolve)
        if "__parameter__" in value:
            return torch.nn.Parameter(value["__parameter__"], requires_grad=value["requires_grad"])
        if "__odict__" in value:
            from collections import OrderedDict

            items = [(k, _attr_from_safe(v, resolve)) for k, v in value["__odict__"]]
            return OrderedDict(items) if value.get("ordered") else dict(items)
        if "__set__" in value:
            return set(value["__set__"])
    return from_safe(value)
