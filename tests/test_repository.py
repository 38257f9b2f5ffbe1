"""The repository stands on its own: nothing in it reads, links or points outside it.

A fresh clone with nothing beside it must pass the test suite, so no tracked file may refer to a
folder next to the checkout (a sibling ``shared`` folder, say) or to a path on one particular
machine, no tracked symlink may leave the repository, and every page the README and the docs index
point at must be in the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Folders that hold build outputs or installed dependencies, never sources (see .gitignore).
NOT_SOURCES = {".git", ".venv", "node_modules", "__pycache__", "build", "dist", "out", "test-artifacts",
               ".pytest_cache", ".ipynb_checkpoints", "embed"}

# What must not appear in a tracked file: the parent folder's sibling checkout, and absolute paths
# that exist only on one machine (a work folder, a user's home directory).
FORBIDDEN = {
    "a folder beside the checkout": re.compile(r"\.\.[/\\]shared\b|[\"']shared[\"']\s*/\s*[\"']"),
    "a machine-specific absolute path": re.compile(r"(?<![\w.~-])/(?:work|root)/|(?<![\w.~-])/(?:home|Users)/[a-z_][\w.-]*/"),
    # the design notes the code was first written from; what users and contributors need of them is
    # in docs/ (architecture.md, dev/contributing.md), so no file may send a reader to them
    "a design note the repository does not ship": re.compile(r"\b(?:DESIGN|API)\.md\b|browser-testing\.md"),
}


def tracked_files() -> list[Path]:
    """The files git tracks; in a copy without ``.git``, every file outside build and dependency folders."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder, subfolders, names in os.walk(ROOT):
            subfolders[:] = [name for name in subfolders if name not in NOT_SOURCES and not name.endswith(".egg-info")]
            files.extend(Path(folder) / name for name in names)
        return sorted(path for path in files if not path.match("jupytorch/notebook/static/*.js"))  # built bundles
    return [ROOT / name for name in listing.stdout.decode().split("\0") if name]


def text_of(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
        return None


def test_the_listing_sees_the_sources():
    names = {path.relative_to(ROOT).as_posix() for path in tracked_files()}
    assert {"README.md", "pyproject.toml", "jupytorch/__init__.py", "tests/test_repository.py"} <= names
    assert not any(name.startswith((".venv/", "js/node_modules/")) for name in names)


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_file_refers_outside_the_repository(what):
    pattern = FORBIDDEN[what]
    hits = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not hits, f"{len(hits)} line(s) refer to {what}:\n" + "\n".join(hits)


def test_forbidden_patterns_catch_what_they_are_for():
    outside, machine = FORBIDDEN["a folder beside the checkout"], FORBIDDEN["a machine-specific absolute path"]
    notes = FORBIDDEN["a design note the repository does not ship"]
    assert notes.search("Performance rules (DESI" + "GN.md)") and notes.search("as AP" + "I.md writes them")
    assert not notes.search("docs/api/core.md, docs/architecture.md")
    # the samples are built from pieces, so that this file does not match its own patterns
    assert outside.search("see .." + "/shared/docs/AP" + "I.md")
    assert outside.search('Path(__file__).parents[2] / "shared"' + ' / "data"')
    assert not outside.search("one shared descriptor; shared_memory")
    assert machine.search("cd /" + "work/main") and machine.search("/" + "home/alice/jupytorch")
    assert not machine.search("/usr/bin/chromium, /usr/share/datasets, ~/.cache/jupytorch, https://x.org/wo" + "rk/")


def test_no_symlink_leaves_the_repository():
    outside = [str(path.relative_to(ROOT)) for path in tracked_files()
               if path.is_symlink() and not path.resolve().is_relative_to(ROOT)]
    assert not outside, f"tracked symlinks that point outside the repository: {outside}"


MD_LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?:#[^)\s]*)?\)")
CODE_PATH = re.compile(r"`(?P<target>\.{0,2}/?[\w.-]+(?:/[\w.-]+)+\.(?:md|py|ipynb|toml))`")


@pytest.mark.parametrize("page", ["README.md", "docs/index.md"])
def test_pages_the_entry_points_name_exist(page):
    path = ROOT / page
    text = path.read_text(encoding="utf-8")
    links = [m["target"] for m in MD_LINK.finditer(text) if not re.match(r"[a-z]+:", m["target"])]
    assert any(target.endswith(".md") for target in links), f"{page} links to no docs page"
    missing = [target for target in links if not (path.parent / target).exists()]
    # paths written in backticks (`docs/performance.md`, `examples/demo.py`) are relative to the root
    named = [m["target"] for m in CODE_PATH.finditer(text)]
    missing += [target for target in named if not ((ROOT / target).exists() or (path.parent / target).exists())]
    assert not missing, f"{page} points at files the repository does not have: {missing}"
