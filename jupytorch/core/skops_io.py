"""Learners as :mod:`skops.io` files: scikit-learn's secure persistence, with jupytorch's allow-list.

skops writes an object as a JSON schema plus arrays and, when loading, lists every type the
schema names that it does not trust by default (``get_untrusted_types``) before building
anything. jupytorch accepts such a type only when all of these hold (:func:`allowed`):

* the schema names it as a class to be rebuilt from its attributes (skops' ``ObjectNode``), a
  dict subclass, or a class given as a value -- never as a constructor called with arguments from
  the file or a bound method; the only functions accepted beyond skops' own list are jupytorch's
  parameter validators (``check_*``, held as a parameter's ``custom_check``);
* it lives in scikit-learn, numpy, scipy or jupytorch, and the object found at that name is that
  class, defined there (``cls.__module__`` and ``cls.__name__`` match: no re-exports);
* a jupytorch class is one of the kinds a learner is made of (learners, PipeOps, graphs,
  parameters, selectors, measures, torch descriptors and callbacks, and the pieces of their
  states; not, say, a registry, which imports code by name); a class given as a value is a
  scikit-learn estimator, such a class, or a ``torch.nn.Module`` / ``torch.optim`` optimizer or
  LR scheduler class (what loss and optimizer descriptors hold).

Two kinds of objects skops does not cover are added here as their own nodes: pandas objects
(Series, DataFrame, Index, CategoricalDtype, written as arrays and rebuilt with pandas'
constructors) and torch learners inside a GraphLearner, which are stored as the bytes of their own
safe format (:mod:`jupytorch.nn.persistence`) and read back by it.

Examples
--------
>>> import jupytorch as jt
>>> learner = jt.lrn("classif.rpart").train(jt.tsk("iris"))
>>> again = loads(dumps(learner), trusted=False, where="memory")
>>> bool((again.predict(jt.tsk("iris")).response == learner.predict(jt.tsk("iris")).response).all())
True
"""

from __future__ import annotations

import contextvars
import inspect
import io
import re
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import skops.io as sio
from skops.io import _audit, _utils
from skops.io._protocol import PROTOCOL

from jupytorch.core.exceptions import JupytorchError
from jupytorch.core.imports import import_string, in_packages
from jupytorch.core.persistence import LoadError

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner

__all__ = ["NotSkopsable", "allowed", "dumps", "loads"]

#: packages whose classes may be rebuilt from a file's attributes
ROOTS = ("sklearn", "numpy", "scipy", "jupytorch")
#: the few builtin types skops leaves untrusted that plain data needs
BUILTINS = frozenset({"builtins.frozenset", "builtins.set", "builtins.complex"})
#: skops loaders under which an allowed class may appear (attributes set on ``cls.__new__(cls)``, and
#: skops' own loaders for scikit-learn's Cython types)
_LOADERS = frozenset({"ObjectNode", "DictNode", "TypeNode", "SetNode", "ListNode", "TupleNode", "TreeNode", "LossNode"})
#: jupytorch functions a file may name: the validators parameters hold as ``custom_check``
#: (``check_*`` / ``_check_*`` / ``*_check``, which only inspect a value) and these
_FUNCTIONS = frozenset({"jupytorch.pipelines.colapply._callable", "jupytorch.nn.params.epochs_aggregate"})
#: torch classes a file may name as values (the classes a loss, optimizer or scheduler descriptor holds)
_TORCH_VALUE_ROOTS = ("torch.nn", "torch.optim")
_TORCH_VALUE_BASES = ("torch.nn:Module", "torch.optim:Optimizer", "torch.optim.lr_scheduler:LRScheduler")
#: the jupytorch classes a file may rebuild: subclasses of these (learners, PipeOps, graphs, parameters,
#: selectors, measures and the pieces of their states) -- not, say, a Registry, which imports by name
_JUPYTORCH_BASES = (
    "jupytorch.core.learner:Learner", "jupytorch.core.measure:Measure", "jupytorch.core.param:Param",
    "jupytorch.core.paramset:ParamSet", "jupytorch.core.param:_NoDefault", "jupytorch.pipelines.pipeop:PipeOp",
    "jupytorch.pipelines.graph:Graph", "jupytorch.pipelines.graph:Edge", "jupytorch.pipelines.graph:IdDict",
    "jupytorch.pipelines.graph_learner:GraphModel", "jupytorch.pipelines.channels:Channel", "jupytorch.pipelines.channels:_NoOp",
    "jupytorch.pipelines.selectors:Selector", "jupytorch.learners.encoder:FeatureEncoder",
    "jupytorch.learners.kknn:KernelWeights", "jupytorch.nn.descriptor:TorchDescriptor", "jupytorch.nn.callbacks.base:Callback",
)
#: parameter validators written as classes (``check_number_or_pair(...)``)
_JUPYTORCH_CLASSES = frozenset({"jupytorch.lazy.pipeops.checks." + name
                                for name in ("allow_none", "check_number_or_pair", "check_range_pair")})
#: functions that rebuild a torch learner stored inside a skops file (no other loader is imported)
_BLOB_LOADERS = ("jupytorch.nn.persistence:load_learner",)
_trusted: contextvars.ContextVar[bool] = contextvars.ContextVar("jupytorch_skops_trusted", default=False)


class NotSkopsable(TypeError):
    """The object holds something skops cannot write, or a type loading would refuse."""


# -- pandas ---------------------------------------------------------------------------------------------
def _column(values: Any) -> dict[str, Any]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = pd.Categorical(values)
        return {"codes": np.asarray(cat.codes), "categories": _index(cat.categories), "ordered": bool(cat.ordered)}
    return {"values": np.asarray(values.to_numpy()), "dtype": str(values.dtype)}


def _from_column(parts: dict[str, Any]) -> Any:
    if "codes" in parts:
        return pd.Categorical.from_codes(parts["codes"], categories=_from_index(parts["categories"]), ordered=parts["ordered"])
    return pd.array(parts["values"], dtype=pd.api.types.pandas_dtype(parts["dtype"]))


def _index(index: pd.Index) -> dict[str, Any]:
    if isinstance(index, pd.MultiIndex):
        raise NotSkopsable("it holds a pandas MultiIndex")
    if isinstance(index, pd.RangeIndex):
        return {"range": [int(index.start), int(index.stop), int(index.step)], "name": index.name}
    return {"column": _column(index), "name": index.name}


def _from_index(parts: dict[str, Any]) -> pd.Index:
    if "range" in parts:
        return pd.RangeIndex(*parts["range"], name=parts["name"])
    return pd.Index(_from_column(parts["column"]), name=parts["name"])


def _pandas_parts(obj: Any) -> dict[str, Any]:
    if isinstance(obj, pd.Series):
        return {"kind": "series", "column": _column(obj), "index": _index(obj.index), "name": obj.name}
    if isinstance(obj, pd.DataFrame):
        if not obj.columns.is_unique:
            raise NotSkopsable("it holds a DataFrame with duplicate column names")
        return {"kind": "frame", "columns": [_column(obj[c]) for c in obj.columns], "names": _index(obj.columns),
                "index": _index(obj.index)}
    if isinstance(obj, pd.Index):
        return {"kind": "index", **_index(obj)}
    if isinstance(obj, pd.CategoricalDtype):
        return {"kind": "dtype", "categories": None if obj.categories is None else _index(obj.categories), "ordered": obj.ordered}
    raise NotSkopsable(f"it holds a {type(obj).__name__}")


def _from_pandas_parts(parts: dict[str, Any]) -> Any:
    kind = parts["kind"]
    if kind == "series":
        return pd.Series(_from_column(parts["column"]), index=_from_index(parts["index"]), name=parts["name"])
    if kind == "frame":
        names = _from_index(parts["names"])
        frame = pd.DataFrame({i: _from_column(c) for i, c in enumerate(parts["columns"])}, index=_from_index(parts["index"]))
        frame.columns = names
        return frame
    if kind == "index":
        return _from_index(parts)
    if kind == "dtype":
        return pd.CategoricalDtype(None if parts["categories"] is None else _from_index(parts["categories"]), parts["ordered"])
    raise JupytorchError(f"unknown pandas object {kind!r} in a skops file")


def _pandas_get_state(obj: Any, save_context: Any) -> dict[str, Any]:
    return {"__class__": "DataFrame", "__module__": "pandas", "__loader__": "JupytorchPandasNode",
            "content": _utils.get_state(_pandas_parts(obj), save_context)}


class _PandasNode(_audit.Node):
    """A pandas object rebuilt from arrays and plain data by pandas' own constructors."""

    def __init__(self, state: dict[str, Any], load_context: Any, trusted: Any = None) -> None:
        super().__init__(state, load_context, trusted)
        self.trusted = self._get_trusted(trusted, ["pandas.DataFrame"])
        self.content = _audit.get_tree(state["content"], load_context, trusted=trusted)
        self.children = {"content": self.content}

    def _construct(self) -> Any:
        return _from_pandas_parts(self.content.construct())


# -- torch learners inside graphs -------------------------------------------------------------------------
def _learner_get_state(obj: Learner, save_context: Any) -> dict[str, Any]:
    blob = getattr(obj, "_persist_blob", None)
    if blob is None:
        from skops.io._general import object_get_state

        return object_get_state(obj, save_context)
    header, payload = blob()
    if header.get("storage") != "tensors":
        raise NotSkopsable(f"learner {obj.id!r} inside it must be pickled ({header.get('reason')})")
    return {"__class__": "Learner", "__module__": "jupytorch.core.learner", "__loader__": "JupytorchLearnerNode",
            "content": _utils.get_state({"header": header, "payload": payload}, save_context)}


class _LearnerNode(_audit.Node):
    """A learner stored as its own safe format (a torch learner in a GraphLearner)."""

    def __init__(self, state: dict[str, Any], load_context: Any, trusted: Any = None) -> None:
        super().__init__(state, load_context, trusted)
        self.trusted = self._get_trusted(trusted, ["jupytorch.core.learner.Learner"])
        self.content = _audit.get_tree(state["content"], load_context, trusted=trusted)
        self.children = {"content": self.content}

    def _construct(self) -> Any:
        parts = self.content.construct()
        header = parts["header"]
        if header.get("loader") not in _BLOB_LOADERS:
            raise JupytorchError(f"refusing the learner loader {header.get('loader')!r} named in a skops file.")
        return import_string(header["loader"])(io.BytesIO(parts["payload"]), header, trusted=_trusted.get(),
                                               where=f"the learner {header.get('learner_id')!r} inside it")


def _register() -> None:
    from jupytorch.core.learner import Learner

    for cls in (pd.Series, pd.DataFrame, pd.Index, pd.CategoricalDtype):
        _utils._get_state.register(cls)(_pandas_get_state)
    _utils._get_state.register(Learner)(_learner_get_state)
    _audit.NODE_TYPE_MAPPING[("JupytorchPandasNode", PROTOCOL)] = _PandasNode
    _audit.NODE_TYPE_MAPPING[("JupytorchLearnerNode", PROTOCOL)] = _LearnerNode


_register()


# -- the allow-list ---------------------------------------------------------------------------------------
def _schema_types(node: Any, out: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    if isinstance(node, dict):
        if "__loader__" in node and "__module__" in node and "__class__" in node:
            out.add((str(node["__module__"]), str(node["__class__"]), str(node["__loader__"])))
        for value in node.values():
            _schema_types(value, out)
    elif isinstance(node, list):
        for value in node:
            _schema_types(value, out)
    return out


def allowed(module: str, name: str, loader: str = "ObjectNode") -> bool:
    """Whether jupytorch lets a file rebuild type ``module.name`` under skops loader ``loader``.

    Examples
    --------
    >>> allowed("sklearn.tree._tree", "Tree"), allowed("numpy", "memmap", "ConstructorFromReduceNode")
    (True, False)
    >>> allowed("jupytorch.core.persistence", "pickle")    # a module re-exported there, not a class
    False
    """
    if f"{module}.{name}" in BUILTINS:
        return loader in ("ObjectNode", "SetNode", "TypeNode", "ConstructorFromReduceNode")
    if loader == "FunctionNode":
        is_check = re.fullmatch(r"_?check_\w+|_?\w+_check", name) is not None or f"{module}.{name}" in _FUNCTIONS
        return is_check and in_packages(module, ("jupytorch",)) and inspect.isfunction(_defined(module, name))
    if loader == "TypeNode" and in_packages(module, _TORCH_VALUE_ROOTS):
        obj = _defined(module, name, _TORCH_VALUE_ROOTS)
        return isinstance(obj, type) and issubclass(obj, tuple(import_string(p) for p in _TORCH_VALUE_BASES))
    if loader not in _LOADERS or not in_packages(module, ROOTS) or not name.isidentifier():
        return False
    obj = _defined(module, name)
    if not isinstance(obj, type):
        return False
    if in_packages(module, ("jupytorch",)) and f"{module}.{name}" not in _JUPYTORCH_CLASSES:
        # a base class of obj is imported already (obj was), so bases of modules not imported cannot match
        bases = tuple(import_string(p) for p in _JUPYTORCH_BASES if p.partition(":")[0] in sys.modules)
        if not issubclass(obj, bases):
            return False
    if loader == "TypeNode" and not in_packages(module, ("jupytorch",)):
        from sklearn.base import BaseEstimator

        return issubclass(obj, BaseEstimator)
    return True


def _defined(module: str, name: str, roots: tuple[str, ...] = ROOTS) -> Any:
    """The object called ``name`` defined in ``module`` (None when missing or only re-exported there)."""
    if not in_packages(module, roots) or not name.isidentifier():
        return None
    try:
        obj = import_string(f"{module}:{name}")
    except (ImportError, AttributeError):
        return None
    return obj if getattr(obj, "__module__", None) == module and getattr(obj, "__name__", None) == name else None


def _refused(data: bytes) -> tuple[list[str], list[str]]:
    """The untrusted type names of ``data`` and those jupytorch refuses."""
    import json
    import zipfile

    untrusted = sio.get_untrusted_types(data=data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
    refused = sorted({f"{m}.{c} (as {loader})" for m, c, loader in _schema_types(schema, set())
                      if f"{m}.{c}" in untrusted and not allowed(m, c, loader)})
    return untrusted, refused


def dumps(obj: Any) -> bytes:
    """``skops.io.dumps(obj)``, raising :class:`NotSkopsable` when a default load would refuse the result."""
    try:
        data = sio.dumps(obj)
    except NotSkopsable:
        raise
    except Exception as error:  # skops raises TypeError and its own errors for types it cannot write
        raise NotSkopsable(f"skops cannot write it ({type(error).__name__}: {str(error).splitlines()[0][:200]})") from error
    refused = _refused(data)[1]
    if refused:
        raise NotSkopsable(f"it holds types loading accepts only from trusted files: {', '.join(refused)}")
    return data


def loads(data: bytes, *, trusted: bool, where: str) -> Any:
    """Load a skops payload after checking every type it names (see the module docstring)."""
    import zipfile

    try:
        untrusted, refused = _refused(data)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
        raise LoadError(f"{where}: the skops payload is damaged ({type(error).__name__}: {error}).") from error
    if refused and not trusted:
        raise LoadError(
            f"{where} names types that loading does not build from a file: {', '.join(refused)}. Pass trusted=True "
            "only if you trust the file's source: jt.load(path, trusted=True)."
        )
    token = _trusted.set(trusted)
    try:
        return sio.loads(data, trusted=untrusted)
    finally:
        _trusted.reset(token)
