"""Write the pages of the example notebooks (docs/examples/*.md) from examples/*.ipynb.

Each notebook becomes one page of the site: its Markdown cells as they are and its code cells as
``python`` blocks (nbconvert's ``MarkdownExporter``), without outputs. The committed notebooks
carry no outputs, and rendering executed ones would need the widgets' and plotly's JavaScript,
while the site works offline. Run it after changing a notebook (``make docs`` does);
``tests/test_docs_site.py`` checks that the pages are up to date and that every notebook has one.
The pages' code blocks are not run by ``tests/test_docs.py``: the notebooks themselves are run by
``tests/examples``.

    python docs/gen_examples.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PAGES_DIR = ROOT / "docs" / "examples"

NOTE = """!!! note "A notebook"
    This page is the notebook `examples/{name}` of the repository, shown without its outputs.
    Run it in Jupyter to see them: `make lab` opens JupyterLab on `examples/`."""


def pages() -> dict[str, str]:
    """The text of each notebook's page, keyed by file name (``<notebook stem>.md``)."""
    from nbconvert import MarkdownExporter

    exporter = MarkdownExporter(exclude_output=True)
    out = {}
    for path in sorted(EXAMPLES.glob("*.ipynb")):
        body, _ = exporter.from_filename(str(path))
        title, _, rest = body.strip().partition("\n")
        if not title.startswith("# "):
            raise ValueError(f"examples/{path.name}: the first cell must be Markdown that starts with '# <title>', "
                             f"got {title[:60]!r}")
        lines = [line.rstrip() for line in rest.strip().splitlines()]
        out[f"{path.stem}.md"] = "\n".join([title, "", NOTE.format(name=path.name), "", *lines, ""])
    return out


def main() -> None:
    """Write the pages into docs/examples/ and remove the pages of notebooks that are gone."""
    from gen_api import write_pages  # its sibling in docs/ (on sys.path when run as a script)

    write_pages(PAGES_DIR, pages())


if __name__ == "__main__":
    main()
