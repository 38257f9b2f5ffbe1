"""The documentation site builds strict and offline, its API reference covers every public name, and every
example notebook has a page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import jupytorch as jt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))
import gen_api  # noqa: E402
import gen_examples  # noqa: E402

NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def test_api_pages_are_up_to_date_and_list_every_public_name():
    wanted = gen_api.pages()
    for name, text in wanted.items():
        assert (ROOT / "docs" / "api" / name).read_text(encoding="utf-8") == text, f"run python docs/gen_api.py ({name})"
    documented = set(re.findall(r"^## `([^`]+)`$", "\n".join(wanted.values()), flags=re.MULTILINE))
    assert documented == set(jt.__all__)


def test_every_api_page_is_in_the_navigation():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name in gen_api.pages():
        assert f"api/{name}" in config


def test_example_pages_are_up_to_date_and_in_the_navigation():
    wanted = gen_examples.pages()
    assert sorted(wanted) == sorted(f"{path.stem}.md" for path in NOTEBOOKS)
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for name, text in wanted.items():
        assert (ROOT / "docs" / "examples" / name).read_text(encoding="utf-8") == text, f"run python docs/gen_examples.py ({name})"
        assert f"examples/{name}" in config, f"mkdocs.yml: add examples/{name} to the Examples section of nav"


def test_an_example_page_holds_the_notebooks_text_and_code_without_outputs():
    page = gen_examples.pages()["tuning.md"]
    assert page.startswith("# Tuning") and "examples/tuning.ipynb" in page
    assert "```python\nimport os\n" in page          # the parameters cell, as a code block
    assert "## A study shared by two workers" in page  # a Markdown cell's heading
    assert "Traceback" not in page and "<div" not in page


def test_mkdocs_builds_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    linked = re.findall(r'href="([\w\-/.]+\.html)(?:#[\w\-]*)?"', home)
    assert "getting-started.html" in linked and "examples/tuning.html" in linked
    for page in linked:
        assert (site / page).exists(), page
    for path in NOTEBOOKS:
        assert (site / "examples" / f"{path.stem}.html").exists(), path.name
    # offline: no page loads a script or a style sheet from another host
    remote = [(page.name, src) for page in site.rglob("*.html")
              for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', page.read_text(encoding="utf-8"))]
    assert remote == []
