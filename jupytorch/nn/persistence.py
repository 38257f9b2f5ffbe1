"""Saving and loading torch learners (``learner.save(path)``, ``jt.load(path)``).

The file is :mod:`jupytorch.core.persistence`'s header plus a payload. The payload is, when
possible, a ``torch.save`` of plain data and tensors only: the learner's class and construction
arguments by name, its parameter values, the network, optimizer and callback states and the
model's bookkeeping. ``torch.load(..., weights_only=True)`` reads it, so reading runs no pickled
code.

The classes named in the payload are resolved by role (:func:`jupytorch.core.imports.import_trusted_path`):
a ``module:QualifiedName`` whose object is defined in that module, inside torch or jupytorch, and a
subclass of what the role needs (loss, activation and network: ``torch.nn.Module``; optimizer:
``torch.optim.Optimizer``; callback: jupytorch's ``Callback``; LR scheduler: torch's
``LRScheduler``; measures by registry key). Whether the file needs ``trusted=True`` follows from
what the payload names, never from the header. Loading builds only what the learner holds (its
network for the stored weights, its callback objects); the loss is generated when the learner
trains again.

A learner that refers to other code (a user network class in ``classif.module``) is stored the
same way but needs ``trusted=True``, because loading imports that code. A learner whose
configuration cannot be written as plain data (a network object in ``torch_model``, functions in
callbacks) is pickled, which also needs ``trusted=True``.
"""

from __future__ import annotations

import inspect
import io
import pickle
import re
import warnings
from pathlib import Path
from typing import Any, BinaryIO

import torch

from jupytorch.core import persistence
from jupytorch.core.exceptions import JupytorchError
from jupytorch.core.imports import UnsafePathError, import_trusted_path, object_path
from jupytorch.nn._safe import NotSafeError, from_safe, module_from_safe, module_to_safe, to_safe

__all__ = ["load_learner", "save_learner"]

LOADER = "jupytorch.nn.persistence:load_learner"


# -- values <-> plain data -------------------------------------------------------------------------
def _encode(value: Any, where: str) -> Any:
    """Parameter values to plain data; classes and functions by import path, measures by key."""
    if isinstance(value, type) or inspect.isfunction(value) or inspect.isbuiltin(value):
        path = object_path(value)
        if "<" in path:
            raise NotSafeError(f"{where} is a lambda or a local function ({path})")
        return {"__code__": path}
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    from jupytorch.core.measure import Measure

    if isinstance(value, Measure):
        return {"__measure__": value.id, "values": _encode(value.param_set.values, where)}
    if isinstance(value, dict):
        return {str(k): _encode(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_encode(v, where) for v in value]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    if hasattr(value, "to_config") and callable(value.to_config) and type(value).__module__.startswith("jupytorch."):
        config = value.to_config()
        if config is None:
            raise NotSafeError(f"{where} holds a {type(value).__name__} that cannot be described as plain data")
        return {"__config__": object_path(type(value)), "config": config}
    return to_safe(value, where)


class _Resolver:
    """Resolves the code a payload names, each path by its role; collects what needs trust.

    Every path is checked before the learner, its network or its callbacks are built, so a file
    that names code it may not is refused as a whole, with the list of what it names.
    """

    def __init__(self, trusted: bool):
        self.trusted = trusted
        self.refused: list[str] = []

    def __call__(self, path: Any, role: str, base: Any = None, function: bool = False, roots: tuple[str, ...] = ("torch", "jupytorch"),
                 always_roots: bool = False) -> Any:
        try:
            return import_trusted_path(path, roots=roots, base=base, function=function, role=role,
                                       trusted=self.trusted and not always_roots)
        except UnsafePathError as error:
            self.refused.append(str(error))
            return None


def _roles() -> dict[str, dict[str, Any]]:
    """What each path in a payload may name: the base class and the packages it must be defined in."""
    from jupytorch.nn.callbacks.base import Callback
    from jupytorch.nn.learner_torch import LearnerTorch

    nn_roots, optim_roots = ("torch.nn", "jupytorch"), ("torch.optim", "jupytorch")
    return {
        "learner": {"base": LearnerTorch, "role": "learner class", "roots": ("jupytorch",)},
        "loss": {"base": torch.nn.Module, "role": "loss class", "roots": nn_roots},
        "optimizer": {"base": torch.optim.Optimizer, "role": "optimizer class", "roots": optim_roots},
        "callback": {"base": Callback, "role": "callback class", "roots": ("jupytorch",)},
        "scheduler": {"base": torch.optim.lr_scheduler.LRScheduler, "role": "LR scheduler class", "roots": optim_roots},
        "value": {"base": torch.nn.Module, "role": "parameter value (an nn.Module class such as torch.nn.ReLU)",
                  "roots": nn_roots},
        "module": {"base": torch.nn.Module, "role": "module_generator (an nn.Module class)", "roots": nn_roots},
        "network": {"base": torch.nn.Module, "role": "network module class", "roots": nn_roots},
    }


def _decode(value: Any, resolve: _Resolver, role: str = "value") -> Any:
    if isinstance(value, dict):
        if "__code__" in value and len(value) == 1:
            spec = _roles()[role]
            base = None if resolve.trusted else spec["base"]
            return resolve(value["__code__"], spec["role"], base=base, function=resolve.trusted, roots=spec["roots"])
        if "__device__" in value and len(value) == 1:
            return torch.device(value["__device__"])
        if "__measure__" in value:
            from jupytorch.core.sugar import msr

            return msr(value["__measure__"], **_decode(value.get("values") or {}, resolve))
        if "__config__" in value:
            cls = resolve(value["__config__"], "plain-data class", roots=("jupytorch",), always_roots=True)
            if cls is None:
                return None
            if not callable(getattr(cls, "from_config", None)):
                resolve.refused.append(f"refusing {value['__config__']}: it has no from_config")
                return None
            return cls.from_config(value["config"])
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v, resolve, role) for v in value["__tuple__"])
        if len(value) == 1 and next(iter(value)).startswith("__"):
            return from_safe(value)
        return {k: _decode(v, resolve, role) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, resolve, role) for v in value]
    return value


# -- descriptors and callbacks ------------------------------------------------------------------------
def _descriptor_config(descriptor: Any) -> dict[str, Any]:
    if descriptor.key is not None:
        return {"key": descriptor.key}
    generator = descriptor.generator
    if not isinstance(generator, type):
        raise NotSafeError(f"{descriptor.kind} {descriptor.id!r} wraps an object or function, not a class")
    return {"class": object_path(generator), "id": descriptor.id, "task_types": list(getattr(descriptor, "task_types", ()))}


def _loss_from(config: dict[str, Any], resolve: _Resolver) -> Any:
    from jupytorch.nn.losses import TorchLoss, t_loss

    if "key" in config:
        return t_loss(config["key"])
    cls = resolve(config["class"], **_roles()["loss"])
    return None if cls is None else TorchLoss(cls, id=config["id"], task_types=config["task_types"])


def _optimizer_from(config: dict[str, Any], resolve: _Resolver) -> Any:
    from jupytorch.nn.optimizers import TorchOptimizer, t_opt

    if "key" in config:
        return t_opt(config["key"])
    cls = resolve(config["class"], **_roles()["optimizer"])
    return None if cls is None else TorchOptimizer(cls, id=config["id"])


def _callback_config(cb: Any) -> dict[str, Any]:
    from jupytorch.nn.callbacks.function import FunctionCallback
    from jupytorch.nn.callbacks.lr_scheduler import CallbackLRScheduler

    if isinstance(cb, FunctionCallback):
        raise NotSafeError(f"callback {cb.id!r} is made of functions (torch_callback)")
    if isinstance(cb, CallbackLRScheduler):
        return {"scheduler": object_path(cb.scheduler_class), "step_on": cb.step_on, "id": cb.id}
    return {"class": object_path(type(cb)), "id": cb.id}


def _callback_classes(config: dict[str, Any], resolve: _Resolver) -> Any:
    if "scheduler" in config:
        scheduler = config["scheduler"]
        if isinstance(scheduler, dict):  # files written before 0.1 stored {"__code__": path}
            scheduler = scheduler.get("__code__")
        return resolve(scheduler, **_roles()["scheduler"])
    return resolve(config["class"], **_roles()["callback"])


def _callback_from(config: dict[str, Any], cls: type) -> Any:
    from jupytorch.nn.callbacks.lr_scheduler import CallbackLRScheduler

    if "scheduler" in config:
        return CallbackLRScheduler(cls, config["step_on"], id=config["id"])
    cb = cls()
    cb.id = config["id"]
    return cb


# -- save ---------------------------------------------------------------------------------------------
def _payload(learner: Any) -> dict[str, Any]:
    init = learner._init_config() if hasattr(learner, "_init_config") else None
    if init is None:
        init = {"task_type": learner.task_type}
    init["loss"] = _descriptor_config(learner.loss)
    init["optimizer"] = _descriptor_config(learner.optimizer)
    init["callbacks"] = [_callback_config(cb) for cb in learner.callbacks]
    config = {
        "class": object_path(type(learner)), "init": init, "id": learner.id, "predict_type": learner.predict_type,
        "validate": learner.validate, "param_values": _encode(learner.param_set.values, "parameter values"),
    }
    data: dict[str, Any] = {"config": config, "state": None}
    state = learner.state
    if state is not None:
        if state.get("fallback") is not None:
            raise NotSafeError("the learner has a trained fallback learner")
        model = state["model"]
        rest = {k: v for k, v in state.items() if k not in ("model", "fallback")}
        data["state"] = {"info": _encode(rest, "learner state"), "model": None if model is None else _model_payload(model)}
    return data


def _model_payload(model: Any) -> dict[str, Any]:
    from jupytorch.nn.ingress import tokens_to_config

    tokens = tokens_to_config(model.ingress_tokens)
    try:  # the trained network itself, when it is made of modules with plain-data attributes
        network: dict[str, Any] = {"network_structure": module_to_safe(model.network, "the trained network")}
    except NotSafeError:  # else its weights, and loading builds the network from the learner's configuration
        network = {"network": {k: v.detach().cpu() for k, v in model.network.state_dict().items()}}
    return {
        **network,
        "optimizer": to_safe(model.optimizer, "optimizer state"),
        "callbacks": to_safe(model.callbacks, "callback states"),
        "seed": model.seed, "epochs": model.epochs, "interrupted": model.interrupted,
        "tokens": tokens, "task_schema": to_safe(model.task_schema.to_config(), "task schema"),
        "internal_valid_scores": to_safe(model.internal_valid_scores, "scores"), "best_epoch": model.best_epoch,
    }


def learner_bytes(learner: Any) -> tuple[dict[str, Any], bytes]:
    """The header fields and payload of ``learner`` (also used for torch learners inside GraphLearners)."""
    header: dict[str, Any] = {"loader": LOADER, "class": object_path(type(learner)), "learner_id": learner.id}
    try:
        data = _payload(learner)
        buffer = io.BytesIO()
        torch.save(data, buffer)
        header["storage"] = "tensors"
        return header, buffer.getvalue()
    except NotSafeError as reason:
        header.update({"storage": "pickle", "reason": str(reason)})
        try:
            return header, pickle.dumps(learner, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            raise JupytorchError(
                f"Learner {learner.id!r} cannot be saved: {reason}, so it has to be pickled, and pickling failed "
                f"({error}). Use functions and classes defined at module level (not lambdas or local ones)."
            ) from error


def save_learner(learner: Any, path: str | Path) -> Path:
    """Write ``learner`` to ``path`` (see the module docstring for the format)."""
    header, payload = learner_bytes(learner)
    return persistence.write(path, {"kind": "custom", **header}, payload)


# -- load ---------------------------------------------------------------------------------------------
def load_learner(stream: BinaryIO, header: dict[str, Any], trusted: bool = False, where: str = "the file") -> Any:
    """Read a learner written by :func:`save_learner` (called by ``jt.load``)."""
    what = f"{where}: learner {header.get('learner_id')!r}"
    payload = stream.read()
    if header.get("storage") == "pickle":
        return persistence.unpickle(payload, trusted, f"{what} was saved with pickle because {header.get('reason')}")
    if header.get("storage") != "tensors":
        raise JupytorchError(f"{what}: unknown storage {header.get('storage')!r} (expected 'tensors' or 'pickle').")
    data = _torch_load(payload, what)
    try:
        return _learner_from(data, trusted, what)
    except (KeyError, TypeError, ValueError) as error:
        raise JupytorchError(f"{what}: the payload is not a learner written by learner.save ({type(error).__name__}: "
                             f"{error}); the file was altered or comes from elsewhere.") from error


def _torch_load(payload: bytes, what: str) -> Any:
    """``torch.load(weights_only=True)``, its refusals and damage reported without torch's advice to unpickle."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch's note on the pickle protocol of a foreign payload
            data = torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        found = re.search(r"GLOBAL ([\w.]+)", str(error))
        detail = f"it refers to {found.group(1)}" if found else "torch's restricted unpickler refused it"
        raise persistence.LoadError(
            f"{what}: the payload holds objects other than tensors and plain data ({detail}), which learner.save never "
            "writes; the file was altered or comes from elsewhere, and jupytorch does not unpickle it."
        ) from None
    except (RuntimeError, EOFError, ValueError) as error:
        raise persistence.LoadError(f"{what}: the tensor payload is damaged ({str(error).splitlines()[0]}).") from None
    if not isinstance(data, dict) or "config" not in data:
        raise persistence.LoadError(f"{what}: the payload is not a learner written by learner.save.")
    return data


def _learner_from(data: dict[str, Any], trusted: bool, what: str) -> Any:
    resolve = _Resolver(trusted)
    config = data["config"]
    init = dict(config["init"])
    # every path the payload names is resolved (and checked) before anything is built
    cls = resolve(config["class"], **_roles()["learner"])
    callback_classes = [_callback_classes(c, resolve) for c in init["callbacks"]]
    loss = _loss_from(init["loss"], resolve)
    optimizer = _optimizer_from(init["optimizer"], resolve)
    param_values = _decode(config["param_values"], resolve)
    state = data.get("state")
    info = None if state is None else _decode(state["info"], resolve)
    if "network" in init:
        init["network"] = module_from_safe(init["network"], lambda path: resolve(path, **_roles()["network"]))
    generator = None
    if "module_generator" in init:
        generator = resolve(init["module_generator"], **_roles()["module"], function=trusted)
    trained = None if state is None or state["model"] is None or "network_structure" not in state["model"] else \
        module_from_safe(state["model"]["network_structure"], lambda path: resolve(path, **_roles()["network"]))
    if resolve.refused:
        hint = ("Pass trusted=True only if you trust the file's source: jt.load(path, trusted=True)."
                if not trusted else "Even a trusted file must name classes of the right kind.")
        raise persistence.LoadError(f"{what} names code that loading does not import: " + "; ".join(resolve.refused) + ". " + hint)
    init["loss"], init["optimizer"] = loss, optimizer
    init["callbacks"] = [_callback_from(c, k) for c, k in zip(init["callbacks"], callback_classes)]
    if generator is not None:
        init["module_generator"] = generator
    learner = cls._from_init_config(init) if hasattr(cls, "_from_init_config") else cls(**init)
    learner.id = config["id"]
    learner.param_set.owner = f"Learner {learner.id!r}"
    learner.param_set.values = param_values
    learner.predict_type = config["predict_type"]
    learner.validate = config["validate"]
    if state is not None:
        learner.state = info
        learner.state["model"] = None if state["model"] is None else _model_from(learner, state["model"], trained)
    return learner


def _model_from(learner: Any, payload: dict[str, Any], network: Any = None) -> Any:
    from jupytorch.nn.ingress import tokens_from_config
    from jupytorch.nn.model import TaskSchema, TorchModel

    schema = TaskSchema.from_config(from_safe(payload["task_schema"]))
    tokens = tokens_from_config(payload["tokens"])
    if network is None:  # only the weights were stored: build the network as training did
        own = learner._split_values(learner.param_set.get_values(with_defaults=True))[0]
        network = learner._build_network(schema, own, tokens)
        network.load_state_dict(payload["network"])
    # the loss is not built here: predicting does not need it, and training generates it again
    return TorchModel(
        network=network, optimizer=from_safe(payload["optimizer"]), loss_fn=None,
        callbacks=from_safe(payload["callbacks"]), seed=payload["seed"], epochs=payload["epochs"],
        interrupted=payload["interrupted"], ingress_tokens=tokens, task_schema=schema,
        internal_valid_scores=from_safe(payload["internal_valid_scores"]), best_epoch=payload["best_epoch"],
    )
