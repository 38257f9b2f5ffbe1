"""What a trained torch learner keeps: ``TorchModel`` (``learner.model``) and ``TaskSchema``."""

from __future__ import annotations

import copy
import html
from collections.abc import Iterable
from typing import Any

import pandas as pd
import torch

__all__ = ["TaskSchema", "TorchModel"]


class TaskSchema:
    """The parts of a training task a network is built from, without its data.

    Networks are built by ``LearnerTorch._network(task, param_vals)``; when a saved learner is
    loaded there is no task, and the learner passes this stand-in instead. It has the fields
    network builders use: ``id``, ``task_type``, ``feature_names``, ``feature_types``,
    ``n_features``, ``class_names``, ``positive``, ``feature_names_of(types)`` and
    ``lazy_shapes`` (shape of each lazy-tensor feature).
    """

    def __init__(self, id: str, task_type: str, feature_names: list[str], feature_types: dict[str, str],
                 class_names: list[str] | None = None, lazy_shapes: dict[str, tuple] | None = None):
        self.id = id
        self.task_type = task_type
        self.feature_names = list(feature_names)
        self._types = dict(feature_types)
        self.class_names = None if class_names is None else list(class_names)
        self.lazy_shapes = dict(lazy_shapes or {})

    @classmethod
    def from_task(cls, task: Any) -> TaskSchema:
        """Describe ``task`` (lazy-tensor shapes are read from its columns)."""
        if isinstance(task, TaskSchema):
            return task
        types = dict(task.feature_types)
        lazy = {}
        for col, ftype in types.items():
            if ftype == "lazy_tensor":
                from jupytorch.nn.ingress import _lazy_shape

                lazy[col] = _lazy_shape(task, col)
        return cls(task.id, task.task_type, task.feature_names, types, getattr(task, "class_names", None), lazy)

    @property
    def feature_types(self) -> pd.Series:
        """The type of each feature."""
        return pd.Series([self._types[c] for c in self.feature_names], index=self.feature_names, name="type", dtype=object)

    @property
    def n_features(self) -> int:
        """Number of features."""
        return len(self.feature_names)

    @property
    def positive(self) -> str | None:
        """The positive class of a binary task."""
        return self.class_names[0] if self.class_names and len(self.class_names) == 2 else None

    def feature_names_of(self, types: str | Iterable[str]) -> list[str]:
        """Features whose type is in ``types``."""
        wanted = {types} if isinstance(types, str) else set(types)
        return [c for c in self.feature_names if self._types[c] in wanted]

    def to_config(self) -> dict[str, Any]:
        """Plain data for saving."""
        return {"id": self.id, "task_type": self.task_type, "feature_names": self.feature_names,
                "feature_types": self._types, "class_names": self.class_names,
                "lazy_shapes": {k: None if v is None else list(v) for k, v in self.lazy_shapes.items()}}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> TaskSchema:
        """Rebuild from :meth:`to_config`."""
        lazy = {k: None if v is None else tuple(v) for k, v in (config.get("lazy_shapes") or {}).items()}
        return cls(config["id"], config["task_type"], config["feature_names"], config["feature_types"],
                   config.get("class_names"), lazy)

    def __repr__(self) -> str:
        return f"<TaskSchema of {self.task_type} task {self.id!r}: {self.n_features} features>"


class TorchModel:
    """The model of a trained torch learner (``learner.model``).

    Attributes
    ----------
    network : torch.nn.Module
        The trained network (on the training device until the learner is pickled or saved).
    optimizer : dict
        The optimizer's ``state_dict()``.
    loss_fn : callable
        The loss module used in training.
    callbacks : dict of str to object
        ``state_dict()`` of each callback by id; ``callbacks["history"]`` is a DataFrame.
    seed : int or None
        The seed of the training (also used when predicting).
    epochs : int
        Epochs trained (fewer than asked after early stopping or an interrupt; after an interrupt
        the last one may be partial).
    interrupted : bool
        Whether the user stopped training (Ctrl-C or a Stop button); weights and history are
        those of the last finished step.
    ingress_tokens : dict of str to TorchIngressToken
        Bound tokens: how to turn a task into network inputs at predict time.
    task_schema : TaskSchema
    internal_valid_scores : dict or None
        Validation scores (of the best epoch with early stopping, else of the last evaluation).
    best_epoch : int or None
        The epoch early stopping chose.
    """

    def __init__(self, network: torch.nn.Module, optimizer: dict[str, Any], loss_fn: Any, callbacks: dict[str, Any],
                 seed: int | None, epochs: int, interrupted: bool, ingress_tokens: dict[str, Any],
                 task_schema: TaskSchema, internal_valid_scores: dict[str, float] | None = None,
                 best_epoch: int | None = None):
        self.network = network
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.callbacks = callbacks
        self.seed = seed
        self.epochs = epochs
        self.interrupted = interrupted
        self.ingress_tokens = ingress_tokens
        self.task_schema = task_schema
        self.internal_valid_scores = internal_valid_scores
        self.best_epoch = best_epoch

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["network"] = _on_cpu_module(self.network)
        state["optimizer"] = _tensors_to_cpu(self.optimizer)
        if isinstance(self.loss_fn, torch.nn.Module):
            state["loss_fn"] = _on_cpu_module(self.loss_fn)
        state["callbacks"] = _tensors_to_cpu(self.callbacks)
        return state

    def __repr__(self) -> str:
        n_params = sum(p.numel() for p in self.network.parameters())
        flags = " (interrupted)" if self.interrupted else ""
        return (f"<TorchModel: {type(self.network).__name__} with {n_params:,} parameters, {self.epochs} epochs, "
                f"seed {self.seed}{flags}; callbacks: {', '.join(self.callbacks) or '-'}>")

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(repr(self))}</code>"


def _on_cpu_module(module: torch.nn.Module) -> torch.nn.Module:
    devices = {t.device.type for t in list(module.parameters()) + list(module.buffers())}
    if devices <= {"cpu"}:
        return module
    return copy.deepcopy(module).to("cpu")


def _tensors_to_cpu(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _tensors_to_cpu(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tensors_to_cpu(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_tensors_to_cpu(v) for v in value)
    return value
