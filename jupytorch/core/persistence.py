"""Saving and loading learners: a one-line JSON header followed by a payload.

The header says how the payload is stored, so ``load`` can refuse a pickle payload (which can run
code when read) unless the caller says the file is trusted, while formats made of tensors and
plain data (torch learners) load without that flag. Only loaders inside jupytorch are called.
"""

from __future__ import annotations

import importlib
import io
import json
import pickle
from pathlib import Path
from typing import Any

from jupytorch.core.exceptions import JupytorchError

__all__ = ["MAGIC", "write", "load"]

MAGIC = b"JUPYTORCH "


def write(path: str | Path, header: dict[str, Any], payload: bytes) -> Path:
    """Write ``header`` (JSON) and ``payload`` (bytes) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(MAGIC + json.dumps(header).encode() + b"\n")
        handle.write(payload)
    return path


def save_pickle(obj: Any, path: str | Path) -> Path:
    """Save ``obj`` with pickle under a header that marks it as needing ``trusted=True``."""
    header = {"format": "jupytorch/1", "kind": "pickle", "class": f"{type(obj).__module__}.{type(obj).__qualname__}"}
    return write(path, header, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def load(path: str | Path, *, trusted: bool = False) -> Any:
    """Load an object written by :func:`write` (see ``jupytorch.load`` for the user-facing doc)."""
    path = Path(path)
    with path.open("rb") as handle:
        first = handle.readline()
        if not first.startswith(MAGIC):
            raise JupytorchError(f"{str(path)!r} is not a file saved by jupytorch (learner.save / jt.save).")
        header = json.loads(first[len(MAGIC):])
        payload = handle.read()
    kind = header.get("kind")
    if kind == "pickle":
        if not trusted:
            raise JupytorchError(
                f"{str(path)!r} holds a pickled {header.get('class', 'object')}; unpickling can run arbitrary code. "
                "Pass trusted=True if you made this file or trust its source: jt.load(path, trusted=True)."
            )
        return pickle.loads(payload)
    loader = header.get("loader", "")
    module_name, _, attribute = loader.partition(":")
    if kind != "custom" or not module_name.startswith("jupytorch."):
        raise JupytorchError(f"{str(path)!r}: unknown storage kind {kind!r} / loader {loader!r}.")
    function = getattr(importlib.import_module(module_name), attribute)
    return function(io.BytesIO(payload), header, trusted=trusted)
