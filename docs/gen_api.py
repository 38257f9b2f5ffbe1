"""Write the API reference pages (docs/api/*.md) from the package's public names.

Every name that ``import jupytorch as jt`` offers (``jt.__all__``) gets a section rendered by
mkdocstrings from its numpydoc docstring, on the page of the layer that defines it. Run it after
adding or moving a public name (``make docs`` does); ``tests/test_docs_site.py`` checks that the
pages are up to date.

    python docs/gen_api.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

API_DIR = Path(__file__).resolve().parent / "api"

LAYER_TITLES = {
    "core": "Core: tasks, learners, measures, resampling",
    "learners": "Learners backed by scikit-learn",
    "tasks": "Task catalogue",
    "pipelines": "Pipelines: PipeOps, graphs, selectors",
    "lazy": "Lazy tensors",
    "nn": "Networks: torch learners, layers, losses, optimizers, callbacks",
    "tuning": "Tuning",
    "viz": "Figures",
    "notebook": "Notebook: magics and widgets",
}


def pages() -> dict[str, str]:
    """The text of each API page, keyed by file name."""
    sys.path.insert(0, str(API_DIR.parents[1]))
    from jupytorch import _catalog

    by_layer: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, target in sorted(_catalog.exports().items(), key=lambda item: item[0].lower()):
        module, _, attribute = target.partition(":")
        by_layer[module.split(".")[1]].append((name, f"{module}.{attribute}"))
    out = {}
    for layer in _catalog.LAYERS:
        if layer not in by_layer:
            continue
        lines = [f"# {LAYER_TITLES.get(layer, layer)}", "",
                 f"Public names of `jupytorch` defined in `jupytorch.{layer}` (all of them import from the top level:",
                 "`import jupytorch as jt; jt.<name>`).", ""]
        for name, path in by_layer[layer]:
            lines += [f"## `{name}`", "", f"::: {path}", "    options:", "      show_root_heading: false", ""]
        out[f"{layer}.md"] = "\n".join(lines)
    return out


def write_pages(folder: Path, wanted: dict[str, str]) -> None:
    """Write ``wanted`` (file name -> text) into ``folder`` and remove the other ``*.md`` files there."""
    folder.mkdir(exist_ok=True)
    for stale in folder.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (folder / name).write_text(text, encoding="utf-8")


def main() -> None:
    """Write the pages into docs/api/ and remove pages of layers that no longer export anything."""
    write_pages(API_DIR, pages())


if __name__ == "__main__":
    main()
