"""The documentation site builds strict and offline, and its API reference covers every public name."""

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


def test_mkdocs_builds_strict(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    for page in re.findall(r'href="([\w\-/]+\.html)"', home):
        assert (tmp_path / "site" / page).exists(), page
