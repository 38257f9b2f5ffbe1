"""Registries behind the sugar functions ``tsk``, ``lrn``, ``msr``, ``rsmp``, ``po`` and friends.

A registry maps a key (``"regr.rpart"``) to a factory. Factories may be registered as
``"module:attribute"`` strings so that a registry can name objects of higher layers without
importing them: ``import jupytorch`` stays light and ``core`` never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from jupytorch.core.exceptions import UnknownKeyError, did_you_mean
from jupytorch.core.imports import import_string

__all__ = ["Registry", "REGISTRIES", "registry"]


class Registry:
    """A dictionary of named factories with did-you-mean errors.

    Parameters
    ----------
    kind : str
        What the entries are, used in messages (``"task"``, ``"learner"``...).

    Examples
    --------
    >>> reg = Registry("colour")
    >>> reg.add("red", lambda: (255, 0, 0))
    >>> reg.get("red")
    (255, 0, 0)
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, Callable[..., Any] | str] = {}
        self._meta: dict[str, dict[str, Any]] = {}

    def add(self, key: str, factory: Callable[..., Any] | str, **meta: Any) -> None:
        """Register ``factory`` (a callable or a ``"module:attribute"`` string) under ``key``."""
        self._entries[key] = factory
        self._meta[key] = meta

    def remove(self, key: str) -> None:
        """Remove ``key``."""
        self._check(key)
        del self._entries[key]
        del self._meta[key]

    def keys(self) -> list[str]:
        """Return the registered keys, sorted."""
        return sorted(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._entries)

    def meta(self, key: str) -> dict[str, Any]:
        """Return the metadata given when ``key`` was added."""
        self._check(key)
        return dict(self._meta[key])

    def factory(self, key: str) -> Callable[..., Any]:
        """Return the factory of ``key``, importing it if it was registered by name."""
        self._check(key)
        factory = self._entries[key]
        if isinstance(factory, str):
            factory = import_string(factory)
            self._entries[key] = factory
        return factory

    def get(self, key: str, *args: Any, **kwargs: Any) -> Any:
        """Build the object registered under ``key`` with the given arguments."""
        return self.factory(key)(*args, **kwargs)

    def _check(self, key: str) -> None:
        if not isinstance(key, str):
            raise UnknownKeyError(f"A {self.kind} key must be a string, got {key!r}.")
        if key not in self._entries:
            hint = did_you_mean(key, self._entries)
            if not hint:
                shown = ", ".join(repr(k) for k in self.keys()[:12])
                hint = f" Valid keys include {shown}" + (" ..." if len(self) > 12 else ".")
            raise UnknownKeyError(f"Unknown {self.kind} {key!r}.{hint}")

    def __repr__(self) -> str:
        return f"<Registry of {len(self)} {self.kind}s>"


REGISTRIES: dict[str, Registry] = {
    name: Registry(name)
    for name in (
        "task",
        "learner",
        "measure",
        "resampling",
        "pipeop",
        "pipeline",
        "loss",
        "optimizer",
        "callback",
        "tuner",
        "terminator",
        # operators that a higher layer defines for core objects: ">>" (Learner >> PipeOp) by pipelines
        "operator",
    )
}


def registry(kind: str) -> Registry:
    """Return the registry of ``kind`` (``"task"``, ``"learner"``, ``"pipeop"``...)."""
    if kind not in REGISTRIES:
        raise UnknownKeyError(f"Unknown registry {kind!r}.{did_you_mean(kind, REGISTRIES)}")
    return REGISTRIES[kind]
