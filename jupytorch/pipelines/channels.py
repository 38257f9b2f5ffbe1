"""Channels: the typed inputs and outputs of PipeOps, and the rules for joining them.

A channel is ``(name, train, predict)``: the type of the object that flows through it during
``train()`` and during ``predict()``. Types are class names as strings so that lower layers can
speak of classes from higher ones without importing them:

``"Task"``, ``"TaskClassif"``, ``"TaskRegr"``, ``"Prediction"``, ``"PredictionClassif"``,
``"PredictionRegr"``, ``"ModelDescriptor"`` (nn layer), ``"NULL"`` (nothing: a learner's
training output), and ``"*"`` (anything).

An object has type ``T`` when a class in its MRO is named ``T`` (``None`` has type ``"NULL"``).
Two channel types can be joined when either is ``"*"`` or one is an ancestor of the other in
:data:`TYPE_PARENTS` (``"Task"`` joins ``"TaskClassif"`` in both directions, as in mlr3pipelines).
A channel named ``"..."`` is a vararg channel: any number of edges may end in it.

The :data:`NO_OP` marker flows down the paths that a ``po("branch")`` did not select; a PipeOp
whose inputs are all ``NO_OP`` is skipped and passes ``NO_OP`` on.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from jupytorch.core.exceptions import ChannelTypeError, GraphError

__all__ = [
    "Channel",
    "NO_OP",
    "VARARG",
    "ANY",
    "GraphError",
    "ChannelTypeError",
    "TYPE_PARENTS",
    "register_channel_type",
    "register_channel_hint",
    "types_compatible",
    "value_has_type",
    "type_name_of",
    "join_hint",
    "as_channels",
]

VARARG = "..."
ANY = "*"


class Channel(NamedTuple):
    """One input or output of a PipeOp.

    Attributes
    ----------
    name : str
        The channel name; ``"..."`` marks a vararg input that takes any number of edges.
    train : str
        Type of the object in this channel during ``train()``.
    predict : str
        Type of the object in this channel during ``predict()``.

    Examples
    --------
    >>> Channel("input", "ModelDescriptor", "Task")
    Channel(name='input', train='ModelDescriptor', predict='Task')
    """

    name: str
    train: str
    predict: str

    @property
    def is_vararg(self) -> bool:
        """Whether any number of edges may end in this channel."""
        return self.name == VARARG

    def type_in(self, phase: str) -> str:
        """The type during ``phase`` (``"train"`` or ``"predict"``)."""
        return self.train if phase == "train" else self.predict


def as_channels(channels: Any) -> tuple[Channel, ...]:
    """Turn a sequence of Channels or ``(name, train, predict)`` tuples into Channels."""
    out = tuple(c if isinstance(c, Channel) else Channel(*c) for c in channels)
    names = [c.name for c in out]
    if len(set(names)) != len(names):
        raise GraphError(f"Channel names must be unique, got {names}.")
    return out


class _NoOp:
    """The marker that flows down paths a branch did not select."""

    _instance: _NoOp | None = None

    def __new__(cls) -> _NoOp:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_OP"

    def __reduce__(self) -> str:
        return "NO_OP"

    def __bool__(self) -> bool:
        return False


NO_OP = _NoOp()

#: Known type hierarchy: type -> parent type. Extend it with :func:`register_channel_type`.
TYPE_PARENTS: dict[str, str | None] = {
    "Task": None,
    "TaskClassif": "Task",
    "TaskRegr": "Task",
    "Prediction": None,
    "PredictionClassif": "Prediction",
    "PredictionRegr": "Prediction",
    "Learner": None,
    "NULL": None,
}

# (source base type, destination base type) -> sentence that says what would fit between them
_HINTS: dict[tuple[str, str], str] = {
    ("Task", "ModelDescriptor"): (
        "Put po('torch_ingress_num') (or another torch_ingress_*, e.g. torch_ingress_categ or "
        "torch_ingress_ltnsr) between them: it turns the Task into a ModelDescriptor."
    ),
    ("NULL", "Task"): (
        "A learner outputs nothing during train() (its Prediction comes only in predict()), so it must "
        "be the last PipeOp of a graph."
    ),
    ("NULL", "ModelDescriptor"): (
        "A learner outputs nothing during train(), so nothing can follow it; put the learner last."
    ),
    ("Prediction", "Task"): "A Prediction is not a Task; a learner must be the last PipeOp of a graph.",
}


def register_channel_type(name: str, parent: str | None = None) -> None:
    """Declare a channel type and its parent type (``register_channel_type("TaskClassif", "Task")``).

    Types match objects by class name, so registration is only needed to tell the Graph that two
    different names may be joined (a subtype and its parent).

    Examples
    --------
    >>> register_channel_type("ModelDescriptor")
    >>> types_compatible("ModelDescriptor", "*")
    True
    """
    if parent is not None and parent not in TYPE_PARENTS:
        TYPE_PARENTS[parent] = None
    TYPE_PARENTS[name] = parent


def register_channel_hint(src_type: str, dst_type: str, hint: str) -> None:
    """Say what fits between an output of ``src_type`` and an input of ``dst_type``.

    The hint ends the error raised when a graph joins the two, e.g.
    ``register_channel_hint("ModelDescriptor", "Task", "End the network with po('torch_model_regr').")``.
    """
    _HINTS[(_root(src_type), _root(dst_type))] = hint


def _ancestors(name: str) -> list[str]:
    out = [name]
    seen = {name}
    while True:
        parent = TYPE_PARENTS.get(out[-1])
        if parent is None or parent in seen:
            return out
        out.append(parent)
        seen.add(parent)


def _root(name: str) -> str:
    return _ancestors(name)[-1]


def types_compatible(src: str, dst: str) -> bool:
    """Whether an output of type ``src`` may feed an input of type ``dst``.

    Examples
    --------
    >>> types_compatible("Task", "TaskClassif"), types_compatible("Task", "ModelDescriptor")
    (True, False)
    """
    if src == ANY or dst == ANY or src == dst:
        return True
    return dst in _ancestors(src) or src in _ancestors(dst)


def value_has_type(value: Any, type_name: str) -> bool:
    """Whether ``value`` is of channel type ``type_name`` (a class in its MRO has that name)."""
    if type_name == ANY or value is NO_OP:
        return True
    if value is None:
        return type_name == "NULL"
    return any(cls.__name__ == type_name for cls in type(value).__mro__)


def type_name_of(value: Any) -> str:
    """Describe ``value`` for messages: its class name, and its id when it has one."""
    if value is None:
        return "NULL (None)"
    name = type(value).__name__
    ident = getattr(value, "id", None)
    return f"{name} {ident!r}" if isinstance(ident, str) else name


def join_hint(src_type: str, dst_type: str) -> str:
    """A sentence that says what would fit between the two types, or ``""``."""
    return _HINTS.get((_root(src_type), _root(dst_type)), "")
