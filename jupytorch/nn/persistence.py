"""Saving and loading torch learners (``learner.save(path)``, ``jt.load(path)``).

The file is :mod:`jupytorch.core.persistence`'s header plus a payload. The payload is, when
possible, a ``torch.save`` of plain data and tensors only: the learner's class and construction
arguments by name, its parameter values, the network, optimizer and callback states and the
model's bookkeeping. ``torch.load(..., weights_only=True)`` reads it, so loading runs no pickled
code; classes named in it (``activation=torch.nn.ReLU``) are imported only from ``torch`` and
``jupytorch``. A learner that refers to other code (a user network class in ``classif.module``)
is stored the same way but needs ``trusted=True``, because loading imports that code. A learner
whose configuration cannot be written as plain data (a network object in ``torch_model``,
lambdas in callbacks) is pickled, which also needs ``trusted=True``.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pickle
from pathlib import Path
from typing import Any, BinaryIO

import torch

from jupytorch.core import persistence
from jupytorch.core.exceptions import JupytorchError
from jupytorch.nn._safe import NotSafeError, from_safe, to_safe
from jupytorch.nn.descriptor import class_path

__all__ = ["load_learner", "save_learner"]

LOADER = "jupytorch.nn.persistence:load_learner"
_SAFE_PREFIXES = ("torch.", "jupytorch.")


class _Trusted(Exception):
    """The configuration names code outside torch/jupytorch: loading needs trusted=True."""


# -- values <-> plain data -------------------------------------------------------------------------
def _encode(value: Any, where: str, code: list[str]) -> Any:
    """Parameter values to plain data; classes and functions by import path, measures by key."""
    if isinstance(value, type) or inspect.isfunction(value) or inspect.isbuiltin(value):
        path = class_path(value)
        if "<" in path:
            raise NotSafeError(f"{where} is a lambda or a local function ({path})")
        if not path.startswith(_SAFE_PREFIXES):
            code.append(path)
        return {"__code__": path}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    from jupytorch.core.measure import Measure

    if isinstance(value, Measure):
        return {"__measure__": value.id, "values": _encode(value.param_set.values, where, code)}
    if isinstance(value, dict):
        return {str(k): _encode(v, f"{where}[{k!r}]", code) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, where, code) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if hasattr(value, "to_config") and callable(value.to_config) and type(value).__module__.startswith("jupytorch."):
        config = value.to_config()
        if config is None:
            raise NotSafeError(f"{where} holds a {type(value).__name__} that cannot be described as plain data")
        return {"__config__": class_path(type(value)), "config": config}
    return to_safe(value, where)


def _import(path: str, trusted: bool) -> Any:
    if not path.startswith(_SAFE_PREFIXES) and not trusted:
        raise JupytorchError(f"refusing to import {path!r} without trusted=True")
    module_name, _, qualname = path.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _decode(value: Any, trusted: bool) -> Any:
    if isinstance(value, dict):
        if "__code__" in value and len(value) == 1:
            return _import(value["__code__"], trusted)
        if "__device__" in value and len(value) == 1:
            return torch.device(value["__device__"])
        if "__measure__" in value:
            from jupytorch.core.sugar import msr

            return msr(value["__measure__"], **_decode(value.get("values") or {}, trusted))
        if "__config__" in value:
            return _import(value["__config__"], trusted).from_config(value["config"])
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v, trusted) for v in value["__tuple__"])
        if len(value) == 1 and next(iter(value)).startswith("__"):
            return from_safe(value)
        return {k: _decode(v, trusted) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, trusted) for v in value]
    return value


# -- descriptors and callbacks ------------------------------------------------------------------------
def _descriptor_config(descriptor: Any, code: list[str]) -> dict[str, Any]:
    if descriptor.key is not None:
        return {"key": descriptor.key}
    generator = descriptor.generator
    if not isinstance(generator, type):
        raise NotSafeError(f"{descriptor.kind} {descriptor.id!r} wraps an object or function, not a class")
    path = class_path(generator)
    if not path.startswith(_SAFE_PREFIXES):
        code.append(path)
    return {"class": path, "id": descriptor.id, "task_types": list(getattr(descriptor, "task_types", ()))}


def _loss_from(config: dict[str, Any], trusted: bool) -> Any:
    from jupytorch.nn.losses import TorchLoss, t_loss

    if "key" in config:
        return t_loss(config["key"])
    return TorchLoss(_import(config["class"], trusted), id=config["id"], task_types=config["task_types"])


def _optimizer_from(config: dict[str, Any], trusted: bool) -> Any:
    from jupytorch.nn.optimizers import TorchOptimizer, t_opt

    if "key" in config:
        return t_opt(config["key"])
    return TorchOptimizer(_import(config["class"], trusted), id=config["id"])


def _callback_config(cb: Any, code: list[str]) -> dict[str, Any]:
    from jupytorch.nn.callbacks.function import FunctionCallback
    from jupytorch.nn.callbacks.lr_scheduler import CallbackLRScheduler

    if isinstance(cb, FunctionCallback):
        raise NotSafeError(f"callback {cb.id!r} is made of functions (torch_callback)")
    if isinstance(cb, CallbackLRScheduler):
        return {"scheduler": _encode(cb.scheduler_class, "scheduler", code), "step_on": cb.step_on, "id": cb.id}
    path = class_path(type(cb))
    if not path.startswith(_SAFE_PREFIXES):
        code.append(path)
    return {"class": path, "id": cb.id}


def _callback_from(config: dict[str, Any], trusted: bool) -> Any:
    from jupytorch.nn.callbacks.lr_scheduler import CallbackLRScheduler

    if "scheduler" in config:
        return CallbackLRScheduler(_decode(config["scheduler"], trusted), config["step_on"], id=config["id"])
    cb = _import(config["class"], trusted)()
    cb.id = config["id"]
    return cb


# -- save ---------------------------------------------------------------------------------------------
def _payload(learner: Any) -> tuple[dict[str, Any], list[str]]:
    code: list[str] = []
    init = learner._init_config(code) if hasattr(learner, "_init_config") else None
    if init is None:
        init = {"task_type": learner.task_type}
    init["loss"] = _descriptor_config(learner.loss, code)
    init["optimizer"] = _descriptor_config(learner.optimizer, code)
    init["callbacks"] = [_callback_config(cb, code) for cb in learner.callbacks]
    cls_path = class_path(type(learner))
    if not cls_path.startswith("jupytorch."):
        code.append(cls_path)
    config = {
        "class": cls_path, "init": init, "id": learner.id, "predict_type": learner.predict_type,
        "validate": learner.validate, "param_values": _encode(learner.param_set.values, "parameter values", code),
    }
    data: dict[str, Any] = {"config": config, "state": None}
    state = learner.state
    if state is not None:
        if state.get("fallback") is not None:
            raise NotSafeError("the learner has a trained fallback learner")
        model = state["model"]
        rest = {k: v for k, v in state.items() if k not in ("model", "fallback")}
        data["state"] = {"info": _encode(rest, "learner state", code), "model": None if model is None else _model_payload(model, code)}
    return data, code


def _model_payload(model: Any, code: list[str]) -> dict[str, Any]:
    tokens = {}
    for name, token in model.ingress_tokens.items():
        config = token.to_config()
        if config is None:
            raise NotSafeError(f"ingress token {name!r} has a custom batch getter")
        tokens[name] = config
    return {
        "network": {k: v.detach().cpu() for k, v in model.network.state_dict().items()},
        "optimizer": to_safe(model.optimizer, "optimizer state"),
        "callbacks": to_safe(model.callbacks, "callback states"),
        "seed": model.seed, "epochs": model.epochs, "interrupted": model.interrupted,
        "tokens": tokens, "task_schema": to_safe(model.task_schema.to_config(), "task schema"),
        "internal_valid_scores": to_safe(model.internal_valid_scores, "scores"), "best_epoch": model.best_epoch,
    }


def save_learner(learner: Any, path: str | Path) -> Path:
    """Write ``learner`` to ``path`` (see the module docstring for the format)."""
    header = {"format": "jupytorch/1", "kind": "custom", "loader": LOADER, "class": class_path(type(learner)),
              "learner_id": learner.id}
    try:
        data, code = _payload(learner)
        buffer = io.BytesIO()
        torch.save(data, buffer)
        header.update({"storage": "tensors", "code": sorted(set(code))})
        payload = buffer.getvalue()
    except NotSafeError as reason:
        header.update({"storage": "pickle", "reason": str(reason)})
        try:
            payload = pickle.dumps(learner, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            raise JupytorchError(
                f"Learner {learner.id!r} cannot be saved: {reason}, so it has to be pickled, and pickling failed "
                f"({error}). Use functions and classes defined at module level (not lambdas or local ones)."
            ) from error
    return persistence.write(path, header, payload)


# -- load ---------------------------------------------------------------------------------------------
def load_learner(stream: BinaryIO, header: dict[str, Any], trusted: bool = False) -> Any:
    """Read a learner written by :func:`save_learner` (called by ``jt.load``)."""
    what = f"Learner {header.get('learner_id')!r} ({header.get('class')})"
    if header.get("storage") == "pickle":
        if not trusted:
            raise JupytorchError(
                f"{what} was saved with pickle because {header.get('reason')}; unpickling can run arbitrary code. "
                "Pass trusted=True if you made this file or trust its source: jt.load(path, trusted=True)."
            )
        return pickle.loads(stream.read())
    code = header.get("code") or []
    if code and not trusted:
        raise JupytorchError(
            f"{what} refers to code outside torch and jupytorch ({', '.join(code)}); loading imports and runs it. "
            "Pass trusted=True if you trust that code: jt.load(path, trusted=True)."
        )
    data = torch.load(stream, map_location="cpu", weights_only=True)
    config = data["config"]
    cls = _import(config["class"], trusted)
    init = dict(config["init"])
    init["loss"] = _loss_from(init["loss"], trusted)
    init["optimizer"] = _optimizer_from(init["optimizer"], trusted)
    init["callbacks"] = [_callback_from(c, trusted) for c in init["callbacks"]]
    learner = cls._from_init_config(init, trusted) if hasattr(cls, "_from_init_config") else cls(**init)
    learner.id = config["id"]
    learner.param_set.owner = f"Learner {learner.id!r}"
    learner.param_set.values = _decode(config["param_values"], trusted)
    learner.predict_type = config["predict_type"]
    learner.validate = config["validate"]
    state = data.get("state")
    if state is not None:
        learner.state = _decode(state["info"], trusted)
        learner.state["model"] = None if state["model"] is None else _model_from(learner, state["model"], trusted)
    return learner


def _model_from(learner: Any, payload: dict[str, Any], trusted: bool) -> Any:
    from jupytorch.nn.ingress import TorchIngressToken
    from jupytorch.nn.model import TaskSchema, TorchModel

    schema = TaskSchema.from_config(from_safe(payload["task_schema"]))
    own, loss_values = learner._split_values(learner.param_set.values)[:2]
    tokens = {name: TorchIngressToken.from_config(config) for name, config in payload["tokens"].items()}
    network = learner._build_network(schema, own, tokens)
    network.load_state_dict(payload["network"])
    try:
        loss_fn = learner.loss.generate(loss_values, task=schema)
    except Exception:  # noqa: BLE001 - the loss is not needed to predict
        loss_fn = None
    return TorchModel(
        network=network, optimizer=from_safe(payload["optimizer"]), loss_fn=loss_fn,
        callbacks=from_safe(payload["callbacks"]), seed=payload["seed"], epochs=payload["epochs"],
        interrupted=payload["interrupted"], ingress_tokens=tokens, task_schema=schema,
        internal_valid_scores=from_safe(payload["internal_valid_scores"]), best_epoch=payload["best_epoch"],
    )
