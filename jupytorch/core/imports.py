"""Naming code by import path: ``"module:QualifiedName"`` strings and the safe resolver for loading.

:func:`import_string` is the one resolver for paths that jupytorch itself writes (registries,
the lazy public names, display and progress hooks). :func:`import_trusted_path` is what loading
uses for paths that come from a *file*: it accepts only ``module:QualifiedName`` where the object
found is defined in that very module (its own ``__module__`` and ``__qualname__``), so no path can
walk through a re-exported module (``torch.serialization:os.system``), and only inside the
packages it is given (torch and jupytorch) unless the caller trusts the file; it also checks the
role's base class, so a loss path can only name an ``nn.Module`` class.

Examples
--------
>>> import_string("json:dumps")([1])
'[1]'
>>> import_trusted_path("collections:OrderedDict", roots=("collections",), base=dict).__name__
'OrderedDict'
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from typing import Any

from jupytorch.core.exceptions import UnsafePathError

__all__ = ["LOADABLE", "MAIN_HINT", "UnsafePathError", "import_string", "import_trusted_path", "in_packages",
           "loadable_function", "object_path"]

#: what to do when a saved object refers to code defined in a notebook or script
MAIN_HINT = ("Classes and functions defined in __main__ (a notebook cell or the script you ran) exist only in that "
             "session: put them in an importable module (a .py file next to the notebook, then import it) and save "
             "again, or define them again before loading.")


def object_path(obj: Any) -> str:
    """``"module:qualname"`` of a class or function (how saved configurations name code).

    Examples
    --------
    >>> from collections import OrderedDict
    >>> object_path(OrderedDict)
    'collections:OrderedDict'
    """
    return f"{obj.__module__}:{obj.__qualname__}"


def in_packages(module: str, roots: Iterable[str]) -> bool:
    """Whether ``module`` is one of ``roots`` or a submodule of one.

    Examples
    --------
    >>> in_packages("torch.nn.modules.activation", ("torch",)), in_packages("torchvision", ("torch",))
    (True, False)
    """
    return any(module == root or module.startswith(root + ".") for root in roots)


def import_string(path: str) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute (for paths jupytorch writes).

    Parameters
    ----------
    path : str
        ``module:attribute``; the attribute may be dotted (``Class.method``).

    Examples
    --------
    >>> import_string("json:loads")("[1, 2]")
    [1, 2]
    """
    module_name, sep, qualname = path.partition(":")
    if not sep or not module_name or not qualname:
        raise ValueError(f"Import path {path!r} must look like 'package.module:Name'.")
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


LOADABLE = "__jupytorch_loadable__"


def loadable_function(function: Any) -> Any:
    """Mark a jupytorch function as a parameter value that saved files may name without ``trusted=True``.

    Only functions written for that purpose get the mark: loading resolves them like a class of
    the allowed roles, and training calls them as the parameter they were saved for.

    Examples
    --------
    >>> @loadable_function
    ... def groups(network):
    ...     return [{"params": list(network.parameters())}]
    >>> getattr(groups, LOADABLE)
    True
    """
    setattr(function, LOADABLE, True)
    return function


def import_trusted_path(path: Any, *, roots: Iterable[str] = ("torch", "jupytorch"), base: type | tuple[type, ...] | None = None,
                        function: bool = False, trusted: bool = False, role: str = "class") -> Any:
    """Resolve a path read from a saved file, refusing anything loading was not meant to import.

    Parameters
    ----------
    path : str
        ``module:QualifiedName``.
    roots : iterable of str
        Packages the object must be defined in (checked on the module name *before* importing
        and on the object's own ``__module__`` after), unless ``trusted``.
    base : type or tuple of types, optional
        The object must be a class and a subclass of ``base`` (checked even when trusted).
    function : bool
        Also accept a plain function (``base`` applies to classes only).
    trusted : bool
        The user trusts the file: any importable module is allowed, the base check remains.
    role : str
        What the path is for (``"loss class"``), used in error messages.

    Raises
    ------
    UnsafePathError
        When the path is malformed, outside ``roots``, a re-export, or of the wrong kind.

    Examples
    --------
    >>> import_trusted_path("os:system", roots=("collections",))
    Traceback (most recent call last):
    ...
    jupytorch.core.exceptions.UnsafePathError: refusing to import os:system as a class: ...
    """
    roots = tuple(roots)
    if not isinstance(path, str) or path.count(":") != 1:
        raise UnsafePathError(f"refusing {path!r} as a {role}: it must be a string 'package.module:QualifiedName'.")
    module_name, qualname = path.split(":")
    parts = qualname.split(".")
    if not module_name or not all(p.isidentifier() for p in parts + module_name.split(".")):
        raise UnsafePathError(f"refusing {path!r} as a {role}: it must be a string 'package.module:QualifiedName'.")
    inside = ", ".join(roots)
    if not trusted and not in_packages(module_name, roots):
        raise UnsafePathError(
            f"refusing to import {path} as a {role}: only code defined in {inside} is imported from a file "
            "without trusted=True."
        )
    try:
        obj = import_string(path)
    except (ImportError, AttributeError) as error:
        hint = f" {MAIN_HINT}" if module_name == "__main__" else ""
        raise UnsafePathError(f"cannot import {path} (the {role}): {error}.{hint}") from error
    if getattr(obj, "__module__", None) != module_name or getattr(obj, "__qualname__", None) != qualname:
        raise UnsafePathError(
            f"refusing to import {path} as a {role}: it is not defined there (found "
            f"{getattr(obj, '__module__', '?')}:{getattr(obj, '__qualname__', type(obj).__name__)}); saved files name "
            "classes and functions where they are defined."
        )
    if function and (inspect.isfunction(obj) or inspect.isbuiltin(obj)):
        return obj
    if inspect.isfunction(obj) and getattr(obj, LOADABLE, False) and in_packages(module_name, ("jupytorch",)):
        return obj  # a jupytorch function marked as a value saved files may name (see loadable_function)
    if not isinstance(obj, type):
        raise UnsafePathError(f"refusing to import {path} as a {role}: it is not a class.")
    if base is not None and not issubclass(obj, base):
        names = ", ".join(f"{b.__module__}.{b.__qualname__}" for b in (base if isinstance(base, tuple) else (base,)))
        raise UnsafePathError(f"refusing to import {path} as a {role}: it is not a subclass of {names}.")
    return obj
