"""Rich notebook display of learners and graphs, with the notebook layer reached by name only.

``Learner``, ``Graph`` and ``PipeOp`` define ``_repr_mimebundle_`` as a call to
:func:`rich_mimebundle`. That asks the *display hook*, a ``"module:attribute"`` string set by the
notebook layer when jupytorch is imported (``jupytorch/notebook/_register.py``), for a bundle
(the graph inspector widget inside a kernel). Core never imports the notebook layer: without a
hook, outside a kernel, or when the hook fails, the answer is None and IPython falls back to
``_repr_html_`` and ``__repr__``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = ["set_display_hook", "rich_mimebundle"]

_log = logging.getLogger(__name__)
_hook: Any = None  # "module:attr" or callable(obj, include, exclude) -> dict | None


def set_display_hook(hook: Any) -> None:
    """Set what :func:`rich_mimebundle` calls: ``hook(obj, include, exclude) -> dict or None``.

    Parameters
    ----------
    hook : str, callable or None
        A ``"module:attribute"`` string (imported on first display), a callable, or None.

    Examples
    --------
    >>> set_display_hook("jupytorch.notebook.reprs:mimebundle")
    """
    global _hook
    if hook is not None and not (callable(hook) or (isinstance(hook, str) and ":" in hook)):
        raise ValueError(f"set_display_hook: give a 'module:attribute' string or a callable, got {hook!r}.")
    _hook = hook


def rich_mimebundle(obj: Any, include: Any = None, exclude: Any = None) -> dict[str, Any] | tuple[dict, dict] | None:
    """Return the rich display bundle of ``obj`` (a dict, or a (data, metadata) pair), or None.

    None lets IPython use the plain reprs (``_repr_html_``, ``__repr__``).

    Never raises: a display must not fail. Outside a Jupyter kernel (``ipykernel`` not loaded)
    the hook is not even imported.

    Examples
    --------
    >>> rich_mimebundle(object()) is None      # no kernel here
    True
    """
    global _hook
    if _hook is None or "ipykernel" not in sys.modules:
        return None
    try:
        if isinstance(_hook, str):
            from jupytorch.core.imports import import_string

            _hook = import_string(_hook)
        return _hook(obj, include, exclude)
    except Exception:  # noqa: BLE001 - fall back to the HTML and text reprs
        _log.debug("jupytorch: rich display of %s failed; showing the HTML repr.", type(obj).__name__, exc_info=True)
        return None
