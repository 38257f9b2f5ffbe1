"""Parameter sets derived from code: a constructor's signature, or a mapping of current values.

There are two ways to declare parameters (``docs/dev/parameters.md``): an explicit
:class:`~jupytorch.core.paramset.ParamSet` (learners, PipeOps, measures, resamplings), or one
derived here from the object the parameters are passed to, so that they never drift from it:

* :func:`params_from_signature`: torch losses, optimizers, layers, modules and callbacks.
  ``params_from_signature(torch.optim.Adam, exclude=("params",))`` gives a ParamSet with ``lr``,
  ``betas``, ``eps``... Types come from the annotation where it is a plain ``bool``, ``int`` or
  ``float`` (``float | Tensor`` counts as a float), otherwise from the default value; anything
  else is an untyped parameter. Parameters without a default are tagged ``required``.
* :func:`params_from_values`: parameters known only as values, such as a scikit-learn
  estimator's ``get_params(deep=False)`` or a function callback's keyword values. Each value is
  the default of its parameter; types are inferred from it as for a signature's default, or not
  at all (``typed=False``) where the owner validates its own values (scikit-learn does at ``fit``).

Both build each parameter with :func:`infer_param`, so a class and its values give the same ParamSet.
"""

from __future__ import annotations

import inspect
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jupytorch.core.paramset import (
    NO_DEFAULT,
    Param,
    ParamDbl,
    ParamInt,
    ParamLgl,
    ParamSet,
    ParamUty,
)

__all__ = ["accepts", "infer_param", "params_from_signature", "params_from_values", "signature_names"]

_WORDS = re.compile(r"[A-Za-z_][A-Za-z_0-9.]*")
_FLOATISH = {"float", "int", "Tensor", "torch.Tensor", "None", "NoneType", "Optional", "Union"}


def _annotation_words(annotation: Any) -> set[str]:
    if annotation is inspect.Parameter.empty:
        return set()
    if isinstance(annotation, type):
        return {annotation.__name__}
    return set(_WORDS.findall(str(annotation).replace("typing.", "")))


def _is_real(value: Any) -> bool | str:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)) or "a number"


def infer_param(parameter: inspect.Parameter, tags: Iterable[str] = ("train",)) -> Param:
    """Return a typed Param for one signature parameter."""
    default = NO_DEFAULT if parameter.default is inspect.Parameter.empty else parameter.default
    tags = set(tags) | ({"required"} if default is NO_DEFAULT else set())
    words = _annotation_words(parameter.annotation)
    special = (None,) if default is None or {"None", "Optional"} & words else ()
    kwargs: dict[str, Any] = {"tags": tags, "special_vals": special}
    if words == {"bool"} or (not words and isinstance(default, bool)):
        return ParamLgl(default, **kwargs)
    if words and words <= {"int", "None", "Optional"}:
        return ParamInt(default=default, **kwargs)
    if (words and "float" in words and words <= _FLOATISH) or (not words and isinstance(default, float)):
        return ParamDbl(default=default, **kwargs)
    if not words and isinstance(default, int):  # an int default without annotation: any number
        return ParamUty(default, custom_check=_is_real, **kwargs)
    return ParamUty(default, **kwargs)


def params_from_signature(
    fn: Callable[..., Any],
    exclude: Iterable[str] = (),
    specs: Mapping[str, Param] | None = None,
    tags: Iterable[str] = ("train",),
) -> ParamSet:
    """Build a ParamSet from the keyword parameters of ``fn`` (a class means its ``__init__``).

    Parameters
    ----------
    fn : callable or class
    exclude : iterable of str
        Names to leave out (``params`` of an optimizer, ``self``).
    specs : mapping of str to Param, optional
        Explicit definitions that replace the inferred ones.
    tags : iterable of str
        Tags given to every parameter.

    Examples
    --------
    >>> import torch
    >>> ps = params_from_signature(torch.optim.SGD, exclude=("params", "foreach", "fused", "differentiable"))
    >>> sorted(ps.ids())[:3]
    ['dampening', 'lr', 'maximize']
    >>> type(ps["lr"]).__name__
    'ParamDbl'
    """
    specs = dict(specs or {})
    excluded = set(exclude) | {"self"}
    params: dict[str, Param] = {}
    for name, parameter in _parameters(fn).items():
        if name in excluded or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in specs:
            params[name] = specs.pop(name)
        else:
            params[name] = infer_param(parameter, tags)
    params.update(specs)
    return ParamSet(params)


def params_from_values(
    values: Mapping[str, Any],
    typed: bool = True,
    exclude: Iterable[str] = (),
    tags: Iterable[str] = ("train",),
) -> ParamSet:
    """Build a ParamSet with one parameter per entry of ``values``, its value being the default.

    Parameters
    ----------
    values : mapping of str to object
        Parameter names and current values (``estimator.get_params(deep=False)``).
    typed : bool
        Infer each parameter's type from its value (as :func:`params_from_signature` does for a
        default); False: untyped parameters, for owners that check their own values.
    exclude : iterable of str
        Names to leave out.
    tags : iterable of str
        Tags given to every parameter.

    Examples
    --------
    >>> ps = params_from_values({"alpha": 1.0, "fit_intercept": True})
    >>> [type(p).__name__ for p in ps.params.values()], ps.default
    (['ParamDbl', 'ParamLgl'], {'alpha': 1.0, 'fit_intercept': True})
    >>> type(params_from_values({"alpha": 1.0}, typed=False)["alpha"]).__name__
    'ParamUty'
    """
    excluded = set(exclude)
    params: dict[str, Param] = {}
    for name, value in values.items():
        if name in excluded:
            continue
        if typed:
            params[name] = infer_param(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=value), tags)
        else:
            params[name] = ParamUty(value, tags=set(tags))
    return ParamSet(params)


def _parameters(fn: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    target = fn.__init__ if isinstance(fn, type) else fn  # type: ignore[misc]
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return {}
    return dict(signature.parameters)


def signature_names(fn: Callable[..., Any]) -> set[str] | None:
    """The keyword names ``fn`` accepts, or None when it takes ``**kwargs`` (accepts any)."""
    parameters = _parameters(fn)
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return None
    return {name for name, p in parameters.items() if p.kind is not p.VAR_POSITIONAL} - {"self"}


def accepts(fn: Callable[..., Any], name: str) -> bool:
    """Whether ``fn`` accepts the keyword ``name`` (explicitly, not only through ``**kwargs``)."""
    return name in _parameters(fn)
