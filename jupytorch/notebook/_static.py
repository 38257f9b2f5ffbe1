"""The built front ends of the widgets: ``static/<name>.js``, made by ``npm run build`` in ``js/``.

The bundles are build outputs (git-ignored, shipped in the wheel). A widget reads its bundle when it
is created, so importing a widget module works without them and the error says how to build them.
"""

from __future__ import annotations

from pathlib import Path

from jupytorch.core.exceptions import MissingBundleError

__all__ = ["STATIC_DIR", "Bundle", "MissingBundleError"]

STATIC_DIR = Path(__file__).parent / "static"


class Bundle:
    """The text of ``static/<name>.js``, read when anywidget asks for ``str(bundle)``.

    anywidget turns a class-level ``_esm`` into a synced trait with ``str(_esm)`` when a widget
    is created; reading lazily keeps ``import`` cheap and turns a missing build into a clear error.

    Parameters
    ----------
    name : str
        The widget's module name in ``js/`` (``"graph_view"``).

    Examples
    --------
    >>> Bundle("graph_view").path.name
    'graph_view.js'
    """

    def __init__(self, name: str):
        self.name = name
        self.path = STATIC_DIR / f"{name}.js"

    def __str__(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MissingBundleError(
                f"The front end of jupytorch's {self.name!r} widget is missing ({self.path}). "
                "Build the widget bundles with `make` in the repository, or "
                "`cd js && npm ci && npm run build`; a wheel from PyPI ships them built."
            ) from None

    def __repr__(self) -> str:
        return f"Bundle({self.name!r})"
