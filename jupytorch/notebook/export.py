"""Run a notebook headlessly and write an HTML copy whose widgets render without a kernel.

``python -m jupytorch.notebook.export NOTEBOOK --out DIR`` (what ``make demo`` runs):

1. executes the notebook with nbclient in a fresh kernel (its folder is the working directory),
   which stores every widget's final state in the notebook's metadata;
2. writes the executed notebook and an HTML copy (nbconvert) into ``DIR``;
3. puts next to it the three scripts that draw the widgets offline: ``require.js``,
   ``embed-amd.js`` (``@jupyter-widgets/html-manager``; ``make`` fetches both into
   ``jupytorch/notebook/static/embed/``) and ``anywidget.js`` (anywidget's AMD build, from the
   installed anywidget).

Plotly figures are rendered with plotly's ``"plotly_mimetype+notebook"`` renderer (set through
``PLOTLY_RENDERER`` for the kernel), so the HTML holds plotly.js once. The page loads nothing from
a CDN: nbconvert's MathJax and mermaid loaders are left out, and so is the MathJax loader plotly
puts in front of each figure (formulas show as their TeX source). The kernel talks to nbclient over local IPC sockets in a temporary folder (TCP
on Windows), so no port is opened. Open ``DIR/<name>.html`` in a browser: the graph inspector,
the training monitors and the figures are there; clicks work inside the page (there is no
kernel behind it).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupytorch.notebook._static import STATIC_DIR

__all__ = ["execute_notebook", "export_html", "notebook_html", "embed_scripts", "EMBED_DIR"]

EMBED_DIR = STATIC_DIR / "embed"
_EMBED_FILES = ("require.js", "embed-amd.js")

# nbconvert's lab template without the blocks that load MathJax and mermaid from a CDN.
_OFFLINE_TEMPLATE = "jupytorch_offline.html.j2"
_OFFLINE_SOURCE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
# plotly's HTML renderers load MathJax from a CDN in front of every figure (its own code checks
# whether MathJax is there, so the figure draws without it)
_REMOTE_MATHJAX = re.compile(r"""<script[^>]*\ssrc=["'](?:https?:)?//[^"']*mathjax[^"']*["'][^>]*>\s*</script>""", re.I)


def _anywidget_amd() -> Path:
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbextensions"):
        path = Path(folder) / "anywidget" / "index.js"
        if path.is_file():
            return path
    raise FileNotFoundError(
        "anywidget's AMD build (share/jupyter/nbextensions/anywidget/index.js) was not found; "
        "reinstall anywidget (pip install --force-reinstall anywidget) in this environment."
    )


def embed_scripts() -> dict[str, Path]:
    """The scripts an exported page loads, by the name it loads them under.

    Raises
    ------
    FileNotFoundError
        Saying how to fetch ``require.js`` and ``embed-amd.js`` when they are missing.
    """
    missing = [name for name in _EMBED_FILES if not (EMBED_DIR / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"{', '.join(missing)} missing in {EMBED_DIR}: run `make embed` in the repository (it fetches "
            "@jupyter-widgets/html-manager and requirejs with npm pack), or copy them there by hand."
        )
    files = {name: EMBED_DIR / name for name in _EMBED_FILES}
    files["anywidget.js"] = _anywidget_amd()
    return files


def execute_notebook(path: str | Path, *, timeout: int = 600, kernel_name: str = "python3") -> Any:
    """Execute ``path`` in a fresh kernel (working directory: its folder); return the notebook node.

    Widget states end up in ``nb.metadata["widgets"]``. Plotly uses the offline-capable
    ``"plotly_mimetype+notebook"`` renderer unless ``PLOTLY_RENDERER`` is already set.
    """
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    previous = os.environ.get("PLOTLY_RENDERER")
    os.environ.setdefault("PLOTLY_RENDERER", "plotly_mimetype+notebook")
    try:
        with tempfile.TemporaryDirectory(prefix="jupytorch-kernel-") as sockets:
            # local IPC sockets: no port opened, and no "running over TCP without encryption" warning
            config = Config()
            if os.name != "nt":
                config.KernelManager.transport = "ipc"
                config.KernelManager.ip = str(Path(sockets) / "kernel")
            client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, store_widget_state=True,
                                    resources={"metadata": {"path": str(path.parent.resolve())}}, config=config)
            client.execute()
    finally:
        if previous is None:
            os.environ.pop("PLOTLY_RENDERER", None)
    return nb


def notebook_html(nb: Any) -> str:
    """The HTML of notebook ``nb``, loading its widget scripts from the page's folder and nothing from a CDN.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Loss $x^2$")])
    >>> html = notebook_html(nb)
    >>> '<script src="require.js">' in html, "mathjax" in html.lower()
    (True, False)
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(require_js_url="require.js", widget_renderer_url="embed-amd.js",
                            extra_loaders=[DictLoader({_OFFLINE_TEMPLATE: _OFFLINE_SOURCE})],
                            template_file=_OFFLINE_TEMPLATE)
    body, _ = exporter.from_notebook_node(nb)
    return _REMOTE_MATHJAX.sub("", body)


def export_html(nb: Any, out_dir: str | Path, name: str) -> Path:
    """Write ``nb`` as ``out_dir/name.ipynb`` and ``out_dir/name.html`` plus the widget scripts.

    Returns
    -------
    Path
        The HTML file.
    """
    import nbformat

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scripts = embed_scripts()
    nbformat.write(nb, out / f"{name}.ipynb")
    html_path = out / f"{name}.html"
    html_path.write_text(notebook_html(nb), encoding="utf-8")
    for target, source in scripts.items():
        shutil.copyfile(source, out / target)
    return html_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jupytorch.notebook.export", description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path, help="the .ipynb to run")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the executed notebook and its HTML")
    parser.add_argument("--timeout", type=int, default=600, help="seconds a cell may run")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"no notebook at {args.notebook}")
    try:
        embed_scripts()  # fail before running anything when the page could not render
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    print(f"Running {args.notebook} ...", flush=True)
    nb = execute_notebook(args.notebook, timeout=args.timeout)
    ran = time.perf_counter() - start
    html_path = export_html(nb, args.out, args.notebook.stem)
    n_widgets = len(nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {}))
    print(f"Ran {len(nb.cells)} cells in {ran:.1f} s; {n_widgets} widget models stored.")
    print(f"Executed notebook: {args.out / (args.notebook.stem + '.ipynb')}")
    print(f"HTML (open in a browser, no kernel needed): {html_path.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
