"""Ingress tokens: which task columns feed which network input, how, and with what shape.

A :class:`TorchIngressToken` names features (a list, or a function of the task such as a
selector), a *batch getter* that turns those columns into a tensor, and the tensor's shape
(first dimension ``None``: the batch). Tabular getters are called once per task on all rows
(whole columns become one tensor) and batches are cut from that tensor by index; lazy-tensor
getters run per batch, because their rows are loaded and preprocessed on demand.

Shortcuts:

* :func:`ingress_num`: numeric and integer (and, when named, logical) features to ``float32 (B, F)``.
* :func:`ingress_categ`: factor, ordered and logical features to ``int64 (B, F)`` codes. Codes
  are 0-based in the order of the training task's levels (:mod:`jupytorch.core.levels`;
  logical: False 0, True 1); a missing
  value or a level not seen in training gets the reserved index ``len(levels)``, so an
  embedding for feature ``j`` needs ``token.cardinalities[j] = len(levels_j) + 1`` rows.
* :func:`ingress_ltnsr`: one lazy-tensor column, materialized per batch on the training device.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from jupytorch.core.exceptions import TaskError, did_you_mean
from jupytorch.core.levels import UNKNOWN, factor_levels, level_codes
from jupytorch.nn._safe import NotSafeError

__all__ = [
    "BatchgetterCateg",
    "BatchgetterLtnsr",
    "BatchgetterNum",
    "TorchIngressToken",
    "ingress_categ",
    "ingress_ltnsr",
    "ingress_num",
]

Shape = tuple[int | None, ...]
Features = Sequence[str] | Callable[[Any], Sequence[str]] | None


class BatchgetterNum:
    """Columns to one ``float32`` tensor ``(B, F)`` (logical columns become 0/1).

    Examples
    --------
    >>> BatchgetterNum()(pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}))
    tensor([[1.0000, 0.5000],
            [2.0000, 1.5000]])
    """

    kind = "num"

    def __call__(self, data: pd.DataFrame, **kwargs: Any) -> torch.Tensor:
        array = data.to_numpy(dtype=np.float32, na_value=np.nan) if data.shape[1] else np.empty((len(data), 0), np.float32)
        array = np.ascontiguousarray(array)
        if not array.flags.writeable:  # a read-only view of the frame (copy-on-write pandas)
            array = array.copy()
        return torch.from_numpy(array)

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def __repr__(self) -> str:
        return "BatchgetterNum()"


class BatchgetterCateg:
    """Categorical columns to ``int64`` codes ``(B, F)`` against the levels of the training task.

    Parameters
    ----------
    levels : dict of str to list, optional
        The levels of each column; set by :meth:`bind` from a task.

    Examples
    --------
    >>> df = pd.DataFrame({"c": pd.Categorical(["x", "y", None])})
    >>> getter = BatchgetterCateg({"c": ["x", "y"]})
    >>> getter(df).tolist()
    [[0], [1], [2]]
    """

    kind = "categ"

    def __init__(self, levels: dict[str, list[Any]] | None = None):
        self.levels = levels

    def bind(self, task: Any, features: Sequence[str]) -> BatchgetterCateg:
        """Return a getter that knows the levels of ``features`` in ``task``."""
        levels = {}
        for col in features:
            ftype = task.feature_types.get(col)
            if ftype == "logical":
                levels[col] = [False, True]
            elif ftype in ("factor", "ordered"):
                levels[col] = factor_levels(task.data(rows=[], cols=[col])[col])
            else:
                raise TaskError(
                    f"ingress_categ: feature {col!r} of task {task.id!r} has type {ftype!r}; categorical ingress takes "
                    "factor, ordered and logical features (use ingress_num() for numbers)."
                )
        return BatchgetterCateg(levels)

    def __call__(self, data: pd.DataFrame, **kwargs: Any) -> torch.Tensor:
        if self.levels is None:
            raise TaskError("BatchgetterCateg has no levels; bind the ingress token to a task first (token.bind(task)).")
        out = np.empty((len(data), data.shape[1]), dtype=np.int64)
        for j, col in enumerate(data.columns):
            levels = self.levels[col]
            values = data[col]
            if levels == [False, True]:
                codes = pd.array(values, dtype="boolean")
                out[:, j] = np.where(codes.isna(), 2, codes.fillna(False).to_numpy(dtype=np.int64))
            else:
                codes = level_codes(values, levels)
                codes[codes == UNKNOWN] = len(levels)  # missing or not seen in training
                out[:, j] = codes
        return torch.from_numpy(out)

    @property
    def cardinalities(self) -> list[int]:
        """Embedding sizes per column: the number of levels plus the reserved missing/unseen index."""
        return [len(v) + 1 for v in (self.levels or {}).values()]

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind, "levels": {k: [_plain(x) for x in v] for k, v in (self.levels or {}).items()}}

    def __repr__(self) -> str:
        return f"BatchgetterCateg({len(self.levels or {})} columns)"


class BatchgetterLtnsr:
    """One lazy-tensor column, materialized for each batch on the training device.

    Uses :func:`jupytorch.lazy.materialize.materialize` with ``rbind=True`` and the stage
    (``"train"`` runs augmentation steps, ``"predict"`` does not).
    """

    kind = "ltnsr"

    def __call__(self, data: pd.DataFrame, device: Any = "cpu", stage: str = "train", **kwargs: Any) -> torch.Tensor:
        from jupytorch.lazy.materialize import materialize

        column = data.iloc[:, 0]
        out = materialize(column, device=device, rbind=True, stage=stage)
        if not isinstance(out, torch.Tensor):
            raise TaskError(
                f"ingress_ltnsr: the rows of lazy tensor column {column.name!r} differ in shape and cannot be stacked "
                "into a batch; add a resize step (po('trafo_resize', size=...))."
            )
        return out

    def to_config(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def __repr__(self) -> str:
        return "BatchgetterLtnsr()"


_BATCHGETTERS = {"num": BatchgetterNum, "categ": BatchgetterCateg, "ltnsr": BatchgetterLtnsr}


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class TorchIngressToken:
    """How features of a task become one input tensor of a network.

    Parameters
    ----------
    features : list of str, or callable task -> list of str, or None
        The columns; a callable (for example a selector) is resolved when the token is bound.
    batchgetter : callable
        ``batchgetter(data, **kw) -> torch.Tensor`` where ``data`` is a DataFrame of the feature
        columns for the rows of a batch. Keywords ``device`` and ``stage`` are passed to getters
        that accept them (or ``**kwargs``).
    shape : tuple, optional
        Shape of the tensor, batch dimension ``None``; inferred when the token is bound.
    per_batch : bool
        False (tabular data): call the getter once on all rows and cut batches from the result.
        True (lazy tensors): call it for every batch.

    Examples
    --------
    >>> import jupytorch as jt
    >>> task = jt.as_task_regr(pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4], "y": [0.0, 1.0]}), target="y")
    >>> token = ingress_num().bind(task)
    >>> token.features, token.shape
    (['a', 'b'], (None, 2))
    """

    def __init__(self, features: Features, batchgetter: Callable[..., torch.Tensor], shape: Shape | None = None,
                 per_batch: bool = False):
        if not callable(batchgetter):
            raise TypeError(f"TorchIngressToken: batchgetter must be callable, got {type(batchgetter).__name__}.")
        if isinstance(features, str):
            features = [features]
        self.features = list(features) if features is not None and not callable(features) else features
        self.batchgetter = batchgetter
        self.shape = None if shape is None else tuple(shape)
        self.per_batch = bool(per_batch)
        self.default_types: tuple[str, ...] = ()

    # -- binding to a task -----------------------------------------------------------------------
    def select(self, task: Any) -> list[str]:
        """Resolve the feature names in ``task``."""
        if self.features is None:
            names = task.feature_names_of(self.default_types) if self.default_types else list(task.feature_names)
        elif callable(self.features):
            names = list(self.features(task))
        else:
            names = list(self.features)
        known = set(task.feature_names)
        for name in names:
            if name not in known:
                raise TaskError(
                    f"Ingress token: feature {name!r} is not a feature of task {task.id!r}.{did_you_mean(name, known)}"
                )
        return names

    def bind(self, task: Any) -> TorchIngressToken:
        """Return a copy with concrete features, inferred shape and a getter fitted to ``task``."""
        features = self.select(task)
        getter = self.batchgetter
        if hasattr(getter, "bind"):
            getter = getter.bind(task, features)
        shape = self.shape if self.shape is not None else self._infer_shape(task, features)
        token = TorchIngressToken(features, getter, shape, self.per_batch)
        token.default_types = self.default_types
        return token

    def _infer_shape(self, task: Any, features: list[str]) -> Shape | None:
        if isinstance(self.batchgetter, BatchgetterLtnsr):
            return _lazy_shape(task, features[0])
        if isinstance(self.batchgetter, (BatchgetterNum, BatchgetterCateg)):
            return (None, len(features))
        return None

    @property
    def cardinalities(self) -> list[int] | None:
        """For categorical tokens: embedding rows needed per feature (levels + 1 reserved index)."""
        return getattr(self.batchgetter, "cardinalities", None)

    @property
    def kind(self) -> str | None:
        """``"num"``, ``"categ"``, ``"ltnsr"`` for the built-in getters, else None."""
        return getattr(self.batchgetter, "kind", None) if type(self.batchgetter) in _BATCHGETTERS.values() else None

    # -- calling --------------------------------------------------------------------------------
    def get(self, data: pd.DataFrame, device: Any = "cpu", stage: str = "train") -> torch.Tensor:
        """Run the batch getter on ``data`` (the feature columns of some rows)."""
        names = self.__dict__.get("_getter_names", False)
        if names is False:
            from jupytorch.core.signature import signature_names

            names = self._getter_names = signature_names(self.batchgetter)
        kwargs = {k: v for k, v in (("device", device), ("stage", stage)) if names is None or k in names}
        return self.batchgetter(data, **kwargs)

    # -- saving ---------------------------------------------------------------------------------
    def to_config(self) -> dict[str, Any] | None:
        """A JSON-able description for built-in getters with a concrete feature list, else None."""
        if self.kind is None or callable(self.features):
            return None
        features = None if self.features is None else list(self.features)
        return {"features": features, "default_types": list(self.default_types), "shape": _shape_list(self.shape),
                "per_batch": self.per_batch, "getter": self.batchgetter.to_config()}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TorchIngressToken:
        """Rebuild a token written by :meth:`to_config`."""
        getter_config = dict(config["getter"])
        getter_cls = _BATCHGETTERS[getter_config.pop("kind")]
        getter = getter_cls(**getter_config)
        shape = None if config["shape"] is None else tuple(config["shape"])
        token = cls(config["features"], getter, shape, config["per_batch"])
        token.default_types = tuple(config.get("default_types") or ())
        return token

    def __repr__(self) -> str:
        if self.features is None:
            feats = f"<all {'/'.join(self.default_types) or 'features'}>"
        elif callable(self.features):
            feats = f"<{getattr(self.features, '__name__', type(self.features).__name__)}>"
        else:
            feats = ", ".join(self.features[:6]) + (", ..." if len(self.features) > 6 else "")
        shape = "?" if self.shape is None else "x".join("N" if d is None else str(d) for d in self.shape)
        return f"<TorchIngressToken [{feats}] {self.batchgetter!r} shape {shape}>"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(repr(self))}</code>"


def tokens_to_config(tokens: Mapping[str, TorchIngressToken]) -> dict[str, dict[str, Any]]:
    """The :meth:`~TorchIngressToken.to_config` of every token, by input name (for saving).

    Raises :class:`~jupytorch.nn._safe.NotSafeError` for a token that has no such description.

    Examples
    --------
    >>> tokens_from_config(tokens_to_config({"x": ingress_num(["a"])}))["x"].features
    ['a']
    """
    configs = {}
    for name, token in tokens.items():
        config = token.to_config()
        if config is None:
            raise NotSafeError(f"ingress token {name!r} selects features with a function or has a custom getter")
        configs[name] = config
    return configs


def tokens_from_config(configs: Mapping[str, dict[str, Any]]) -> dict[str, TorchIngressToken]:
    """The tokens that :func:`tokens_to_config` described, by input name."""
    return {name: TorchIngressToken.from_config(config) for name, config in configs.items()}


def _shape_list(shape: Shape | None) -> list[int | None] | None:
    return None if shape is None else [None if d is None else int(d) for d in shape]


def _lazy_shape(task: Any, column: str) -> Shape | None:
    shapes = getattr(task, "lazy_shapes", None)
    if shapes is not None:
        return shapes.get(column)
    from jupytorch.lazy.convert import lazy_shape

    values = task.data(rows=task.row_ids[:1], cols=[column])[column]
    shape, predict = lazy_shape(values), lazy_shape(values, stage="predict")
    if shape is not None and predict is not None and shape != predict:
        raise TaskError(
            f"Lazy-tensor column {column!r} of task {task.id!r} has shape {shape} in training batches but {predict} at "
            "predict time: a train-only step (augment_*) changes its shape, so the network could not predict. Give that "
            "step stages='both', or follow it with a step for both stages that restores one shape (po('trafo_resize'))."
        )
    return shape


def ingress_num(features: Features = None, shape: Shape | None = None) -> TorchIngressToken:
    """Numeric features as one ``float32`` tensor ``(B, F)``.

    Parameters
    ----------
    features : list of str or callable, optional
        Default: every numeric and integer feature. Logical features may be named explicitly
        (they become 0/1).
    shape : tuple, optional
        Default ``(None, F)``.

    Examples
    --------
    >>> ingress_num()
    <TorchIngressToken [<all numeric/integer>] BatchgetterNum() shape ?>
    """
    token = TorchIngressToken(features, BatchgetterNum(), shape)
    token.default_types = ("numeric", "integer")
    return token


def ingress_categ(features: Features = None, shape: Shape | None = None) -> TorchIngressToken:
    """Categorical features as ``int64`` codes ``(B, F)``; see the module docstring for the codes.

    Parameters
    ----------
    features : list of str or callable, optional
        Default: every factor, ordered and logical feature.
    shape : tuple, optional
        Default ``(None, F)``.

    Examples
    --------
    >>> import jupytorch as jt
    >>> df = pd.DataFrame({"c": pd.Categorical(["a", "b", "a"]), "y": [1.0, 2.0, 3.0]})
    >>> token = ingress_categ().bind(jt.as_task_regr(df, target="y"))
    >>> token.cardinalities
    [3]
    """
    token = TorchIngressToken(features, BatchgetterCateg(), shape)
    token.default_types = ("factor", "ordered", "logical")
    return token


def ingress_ltnsr(feature_name: str | None = None, shape: Shape | None = None) -> TorchIngressToken:
    """One lazy-tensor feature, materialized batch by batch.

    Parameters
    ----------
    feature_name : str, optional
        The column; default: the task's only lazy-tensor feature.
    shape : tuple, optional
        Shape of a batch (``(None, 1, 28, 28)``); default: the column's known shape.

    Examples
    --------
    >>> ingress_ltnsr("image", shape=(None, 1, 28, 28)).shape
    (None, 1, 28, 28)
    """
    features: Features = [feature_name] if feature_name is not None else _only_lazy_feature
    return TorchIngressToken(features, BatchgetterLtnsr(), shape, per_batch=True)


def _only_lazy_feature(task: Any) -> list[str]:
    names = task.feature_names_of("lazy_tensor")
    if len(names) != 1:
        raise TaskError(
            f"ingress_ltnsr(): task {task.id!r} has {len(names)} lazy-tensor features ({names}); name one with "
            "ingress_ltnsr(feature_name=...)."
        )
    return names
