"""Saving and loading learners: a one-line JSON header followed by a payload.

The header says how the payload is stored (``kind``) and how long it is, so ``load`` can say
what is wrong with a damaged file. Only three kinds exist, each read by a fixed loader inside
jupytorch, and the header never decides what is trusted:

* ``"skops"`` -- learners made of scikit-learn estimators and jupytorch objects (and
  GraphLearners), written with :mod:`skops.io` and checked type by type before anything is
  built (:mod:`jupytorch.core.skops_io`); loads without ``trusted=True``.
* ``"custom"`` -- torch learners: tensors and plain data read with ``torch.load(weights_only=True)``
  (:mod:`jupytorch.nn.persistence`); loads without ``trusted=True`` unless the payload names code
  outside torch and jupytorch.
* ``"pickle"`` -- everything else (user classes, functions); unpickling can run code, so it
  needs ``trusted=True``.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupytorch.core.exceptions import LoadError
from jupytorch.core.imports import MAIN_HINT, import_string

if TYPE_CHECKING:
    from jupytorch.core.learner import Learner

__all__ = ["MAGIC", "FORMAT", "LoadError", "write", "load", "save_learner"]

MAGIC = b"JUPYTORCH "
FORMAT = "jupytorch/1"
_VERSION = 1
#: the only functions a header may name as loader (kind "custom"); files name them, never choose others
_LOADERS = ("jupytorch.nn.persistence:load_learner",)


def write(path: str | Path, header: dict[str, Any], payload: bytes) -> Path:
    """Write ``header`` (JSON) and ``payload`` (bytes) to ``path``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = write(os.path.join(tempfile.mkdtemp(), "x.jt"), {"kind": "pickle"}, b"...")
    >>> path.read_bytes()[:10]
    b'JUPYTORCH '
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"format": FORMAT, **header, "size": len(payload)}
    with path.open("wb") as handle:
        handle.write(MAGIC + json.dumps(header).encode() + b"\n")
        handle.write(payload)
    return path


def save_pickle(obj: Any, path: str | Path) -> Path:
    """Save ``obj`` with pickle under a header that marks it as needing ``trusted=True``."""
    header = {"kind": "pickle", "class": f"{type(obj).__module__}.{type(obj).__qualname__}"}
    return write(path, header, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def save_learner(learner: Learner, path: str | Path) -> Path:
    """Save a learner with skops when its objects allow, else with pickle (which needs ``trusted=True`` to load).

    Examples
    --------
    >>> import tempfile, os, jupytorch as jt
    >>> path = save_learner(jt.lrn("regr.rpart").train(jt.tsk("mtcars")), os.path.join(tempfile.mkdtemp(), "t.jt"))
    >>> jt.load(path).id
    'regr.rpart'
    """
    from jupytorch.core import skops_io

    try:
        payload = skops_io.dumps(learner)
    except skops_io.NotSkopsable as reason:
        header = {"kind": "pickle", "class": f"{type(learner).__module__}.{type(learner).__qualname__}",
                  "learner_id": getattr(learner, "id", None), "reason": str(reason)}
        return write(path, header, pickle.dumps(learner, protocol=pickle.HIGHEST_PROTOCOL))
    header = {"kind": "skops", "class": f"{type(learner).__module__}.{type(learner).__qualname__}",
              "learner_id": getattr(learner, "id", None)}
    return write(path, header, payload)


def load(path: str | Path, *, trusted: bool = False) -> Any:
    """Load an object written by :func:`write` (see ``jupytorch.load`` for the user-facing doc)."""
    path = Path(path)
    where = repr(str(path))
    header, payload = _read(path, where)
    kind = header.get("kind")
    if kind == "pickle":
        reason = header.get("reason")
        what = f"{where} holds a pickled {header.get('class', 'object')}" + (f" (saved with pickle because {reason})" if reason else "")
        return unpickle(payload, trusted, what)
    if kind == "skops":
        from jupytorch.core import skops_io

        return skops_io.loads(payload, trusted=trusted, where=where)
    loader = header.get("loader", "")
    if kind != "custom" or loader not in _LOADERS:
        raise LoadError(f"{where}: unknown storage kind {kind!r} / loader {loader!r}; this jupytorch reads the kinds "
                        "'skops', 'custom' (torch learners) and 'pickle'.")
    import io

    return import_string(loader)(io.BytesIO(payload), header, trusted=trusted, where=where)


def _read(path: Path, where: str) -> tuple[dict[str, Any], bytes]:
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            payload = handle.read()
    except FileNotFoundError:
        raise LoadError(f"{where} does not exist.") from None
    if not first.startswith(MAGIC):
        raise LoadError(f"{where} is not a file saved by jupytorch (learner.save): it does not start with {MAGIC!r}.")
    try:
        header = json.loads(first[len(MAGIC):])
        if not isinstance(header, dict):
            raise ValueError(f"the header is a {type(header).__name__}, not a JSON object")
    except ValueError as error:
        raise LoadError(f"{where} has a corrupt header (its first line is not the JSON object learner.save writes: "
                        f"{error}); the file was damaged or edited.") from None
    version = _format_version(header.get("format"), where)
    if version > _VERSION:
        raise LoadError(f"{where} was written in format {header.get('format')!r} by a newer jupytorch; this version "
                        f"reads up to {FORMAT!r}. Upgrade jupytorch to load it.")
    size = header.get("size")
    if isinstance(size, int) and len(payload) != size:
        state = "truncated" if len(payload) < size else "longer than written"
        raise LoadError(f"{where} is {state}: its payload has {len(payload)} bytes, the header says {size} "
                        "(an interrupted copy or download?). Save the learner again or copy the file again.")
    return header, payload


def _format_version(value: Any, where: str) -> int:
    match = re.fullmatch(r"jupytorch/(\d+)", value) if isinstance(value, str) else None
    if match is None:
        raise LoadError(f"{where}: unknown format {value!r} in the header (expected {FORMAT!r}).")
    return int(match.group(1))


def unpickle(payload: bytes, trusted: bool, what: str) -> Any:
    """Unpickle ``payload`` if the user trusts it; a class that cannot be found says where it must be.

    Examples
    --------
    >>> unpickle(b"...", trusted=False, what="'x.jt' holds a pickled object")
    Traceback (most recent call last):
    ...
    jupytorch.core.exceptions.LoadError: 'x.jt' holds a pickled object; unpickling can run arbitrary code. ...
    """
    if not trusted:
        raise LoadError(
            f"{what}; unpickling can run arbitrary code. "
            "Pass trusted=True if you made this file or trust its source: jt.load(path, trusted=True)."
        )
    try:
        return pickle.loads(payload)
    except AttributeError as error:
        raise LoadError(f"{what}, and a class or function it refers to cannot be found ({error}). {MAIN_HINT}") from error
    except (EOFError, pickle.UnpicklingError) as error:
        raise LoadError(f"{what}, and its payload is damaged ({type(error).__name__}: {error}).") from error

