"""Sugar functions of the pipelines layer: ``po``, ``pos``, ``nn``, ``ppl``."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from typing import Any

from jupytorch.core.exceptions import UnknownKeyError, did_you_mean
from jupytorch.core.registry import registry

__all__ = ["po", "pos", "nn", "ppl"]


def _split_key(key: str) -> tuple[str, str | None]:
    """Resolve the id-suffix convention: ``"select_1"`` -> (``"select"``, ``"select_1"``)."""
    reg = registry("pipeop")
    if key in reg:
        return key, None
    for match in reversed(list(re.finditer("_", key))):
        base = key[: match.start()]
        if base in reg:
            return base, key
    reg.factory(key)  # raises the did-you-mean error for the full key
    raise AssertionError("unreachable")


def _construct(factory: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        signature = inspect.signature(factory)
        params = signature.parameters.values()
        accepts_any = any(p.kind is p.VAR_KEYWORD for p in params)
        names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    except (TypeError, ValueError):
        accepts_any, names = True, set()
    if accepts_any:
        return factory(*args, **kwargs)
    ctor = {k: v for k, v in kwargs.items() if k in names}
    rest = {k: v for k, v in kwargs.items() if k not in names}
    obj = factory(*args, **ctor)
    if rest:
        obj.param_set.set_values(**rest)
    return obj


def po(key: Any, *args: Any, **kwargs: Any) -> Any:
    """Return a PipeOp from the registry; keyword arguments the constructor takes go to it, the
    others set parameter values.

    ``po("select_1")`` is a ``select`` PipeOp with id ``select_1`` (when ``select_1`` is not a key
    itself); ``po("pca", id="pca2")`` sets the id directly. ``po(learner)`` wraps a Learner.

    Examples
    --------
    >>> from jupytorch import po
    >>> po("pca", rank=2).param_set.values
    {'rank': 2}
    >>> po("select_1").id
    'select_1'
    """
    from jupytorch.core.learner import Learner
    from jupytorch.pipelines.pipeop import PipeOp

    if isinstance(key, PipeOp):
        op = key.clone()
        if "id" in kwargs:
            op.id = kwargs.pop("id")
        if kwargs:
            op.param_set.set_values(**kwargs)
        return op
    if isinstance(key, Learner):
        from jupytorch.pipelines.learner_op import PipeOpLearner

        return _construct(PipeOpLearner, (key.clone(), *args), kwargs)
    base, suffix_id = _split_key(key)
    if suffix_id is not None and "id" not in kwargs:
        kwargs["id"] = suffix_id
    return _construct(registry("pipeop").factory(base), args, kwargs)


def pos(keys: Iterable[str] | None = None, **kwargs: Any) -> Any:
    """Return several PipeOps (the same keyword arguments for each), or with no keys a DataFrame
    listing the registered PipeOps.

    Examples
    --------
    >>> from jupytorch import pos
    >>> [op.id for op in pos(["scale", "pca"])]
    ['scale', 'pca']
    """
    reg = registry("pipeop")
    if keys is None:
        import pandas as pd

        return pd.DataFrame([{"key": k, **reg.meta(k)} for k in reg.keys()])
    return [po(key, **dict(kwargs)) for key in keys]


def nn(key: str, *args: Any, **kwargs: Any) -> Any:
    """Return a network-layer PipeOp: ``nn("linear", out_features=10)`` is
    ``po("nn_linear", id="linear", out_features=10)``; ``nn("linear_1")`` has id ``linear_1``.

    Examples
    --------
    >>> from jupytorch import nn
    >>> nn("linear", out_features=10).id
    'linear'
    """
    kwargs.setdefault("id", key)
    try:
        _split_key(f"nn_{key}")
    except UnknownKeyError:
        layers = [k[len("nn_"):] for k in registry("pipeop").keys() if k.startswith("nn_")]
        raise UnknownKeyError(f"Unknown layer nn({key!r}).{did_you_mean(key, layers) or ' Layers: ' + ', '.join(layers)}") from None
    return po(f"nn_{key}", *args, **kwargs)


def ppl(key: str | None = None, *args: Any, **kwargs: Any) -> Any:
    """Build a pre-made Graph from the pipeline registry, e.g.
    ``ppl("branch", {"relu": nn("relu"), "sigmoid": nn("sigmoid")})``; with no key, list them.

    Examples
    --------
    >>> from jupytorch import ppl, po
    >>> ppl("branch", {"pca": po("pca"), "nop": po("nop")}).ids()
    ['branch', 'pca', 'nop', 'unbranch']
    """
    reg = registry("pipeline")
    if key is None:
        import pandas as pd

        return pd.DataFrame([{"key": k, **reg.meta(k)} for k in reg.keys()])
    return reg.get(key, *args, **kwargs)
