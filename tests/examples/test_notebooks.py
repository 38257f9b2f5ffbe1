"""Every notebook in examples/ runs top to bottom, with small settings, in a fresh kernel.

Each notebook reads ``JUPYTORCH_EXAMPLES_SMALL=1`` in its parameters cell (fewer rows, epochs and
trials) and writes what it makes into temporary folders; the kernel's working directory is a
temporary folder too. A notebook whose run is tested elsewhere is listed in
``EXECUTED_ELSEWHERE`` with that test file (``make demo``'s notebook is run by its export test).

Cells that use a feature are tagged in their metadata (``"tags": ["needs-tuning"]``, see
``FEATURE_TAGS``): the tag says which part of jupytorch the cell needs, and a failure in such a
cell names it; a cell whose code calls such a feature (``FEATURE_USES``) must carry its tag.
**Developer switch, never set in CI:** ``JUPYTORCH_EXAMPLES_DROP_TAGS=needs-tuning,needs-vision``
leaves the cells with those tags out, to try the other cells of a notebook in a tree without
that feature; the run warns which cells it left out.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import nbformat
import pytest

from jupytorch.notebook.export import execute_notebook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))

#: notebook -> the test file that executes it (so it is not run twice)
EXECUTED_ELSEWHERE = {"demo.ipynb": "tests/notebook/test_export.py",
                      "finetune_resnet.ipynb": "tests/examples/test_finetune_resnet.py"}
#: notebooks whose committed copy must carry no outputs (they are run, not read)
CLEARED = ("images.ipynb", "paper_walkthrough.ipynb", "quickstart.ipynb", "tuning.ipynb")
#: cell tags -> the part of jupytorch those cells need
FEATURE_TAGS = {
    "needs-tuning": "tuning: jt.tune, jt.tnr, jt.trm, jt.auto_tuner (jupytorch/tuning)",
    "needs-vision": "vision learners: lrn('classif.resnet18', pretrained=True) (jupytorch/nn/learners/vision.py)",
    "needs-widgets": "widgets: jt.TuningDashboard, jt.LazyTensorPreview, jt.lr_find (jupytorch/notebook)",
}
#: what a cell's code calls that makes it need a feature (its cell must carry the tag)
FEATURE_USES = {
    "needs-tuning": re.compile(r"\bjt\.(tune|auto_tuner|tune_worker|SearchSpace)\b|tune-worker"),
    "needs-vision": re.compile(r"\bpretrained=True"),
    "needs-widgets": re.compile(r"\bjt\.(TuningDashboard|LazyTensorPreview|lr_find)\b"),
}
DROP_VARIABLE = "JUPYTORCH_EXAMPLES_DROP_TAGS"


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _tagged_cells(nb) -> list[tuple[int, list[str]]]:
    """(index, feature tags) of the code cells that carry a feature tag."""
    return [(i, sorted(_tags(c) & set(FEATURE_TAGS))) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and _tags(c) & set(FEATURE_TAGS)]


def _run(path: Path, tmp_path: Path, monkeypatch, drop: set[str]):
    nb = nbformat.read(path, as_version=4)
    dropped = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and _tags(c) & drop]
    if dropped:
        warnings.warn(f"{path.name}: left out cells {dropped} (tags {sorted(drop)}, from {DROP_VARIABLE})", stacklevel=2)
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in set(dropped)]
    if any("JUPYTORCH_EXAMPLES_SMALL" in c.source for c in nb.cells if "parameters" in _tags(c)):
        # the parameters cell set SMALL from the environment: make sure the kernel saw it
        nb.cells.append(nbformat.v4.new_code_cell("assert SMALL, 'the kernel did not see JUPYTORCH_EXAMPLES_SMALL=1'"))
    copy = tmp_path / path.name
    nbformat.write(nb, copy)
    monkeypatch.setenv("JUPYTORCH_EXAMPLES_SMALL", "1")
    monkeypatch.setenv("JUPYTORCH_OFFLINE", "1")  # examples never download
    monkeypatch.setenv("JUPYTORCH_DATA", str(tmp_path / "data"))  # an empty data directory
    return execute_notebook(copy, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name not in EXECUTED_ELSEWHERE], ids=lambda p: p.name)
def test_notebook_runs_without_error(path, tmp_path, monkeypatch):
    from nbclient.exceptions import CellExecutionError

    drop = {t.strip() for t in os.environ.get(DROP_VARIABLE, "").split(",") if t.strip()}
    nb = nbformat.read(path, as_version=4)
    tagged = dict(_tagged_cells(nb))
    try:
        executed = _run(path, tmp_path, monkeypatch, drop)
    except CellExecutionError as error:
        # which cell: nbclient stops at the failing one, so it is the last cell with outputs
        needs = sorted({t for tags in tagged.values() for t in tags})
        hint = (f"\nCells of {path.name} tagged with a feature they need: "
                + ", ".join(f"{i} {tags}" for i, tags in tagged.items())
                + "".join(f"\n  {t}: {FEATURE_TAGS[t]}" for t in needs)) if tagged else ""
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(error))  # without the traceback's terminal colours
        pytest.fail(f"{path.name} failed:\n{plain}{hint}", pytrace=False)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    ran = [c for c in executed.cells if c.cell_type == "code"]
    assert ran and all(c.execution_count is not None for c in ran), "every code cell ran"


def test_the_examples_are_found():
    names = {p.name for p in NOTEBOOKS}
    assert {"images.ipynb", "paper_walkthrough.ipynb", "quickstart.ipynb", "tuning.ipynb"} <= names
    for name, test_file in EXECUTED_ELSEWHERE.items():
        assert name in names and name in (ROOT / test_file).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", CLEARED)
def test_committed_notebooks_have_no_outputs(name):
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_feature_tags_are_known(path):
    """A cell tag ``needs-*`` names a feature listed in FEATURE_TAGS (a typo would hide it from the report)."""
    nb = nbformat.read(path, as_version=4)
    tags = {t for c in nb.cells for t in _tags(c) if t.startswith("needs-")}
    assert tags <= set(FEATURE_TAGS), f"{path.name}: unknown tags {sorted(tags - set(FEATURE_TAGS))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_that_use_a_feature_carry_its_tag(path):
    """A cell calling jt.tune, pretrained=True or a widget is tagged, so a failure there names the feature."""
    nb = nbformat.read(path, as_version=4)
    untagged = [(i, tag) for i, c in enumerate(nb.cells) if c.cell_type == "code"
                for tag, use in FEATURE_USES.items() if use.search(c.source) and tag not in _tags(c)]
    assert untagged == [], f"{path.name}: (cell, missing tag) {untagged}"


def test_feature_uses_match_what_they_are_for():
    assert FEATURE_USES["needs-tuning"].search("ti = jt.tune(tnr('tpe'), task, learner)")
    assert FEATURE_USES["needs-tuning"].search("jupytorch tune-worker --storage URL")
    assert not FEATURE_USES["needs-tuning"].search("jt.tuned_learner(); to_tune(1, 2)")
    assert FEATURE_USES["needs-widgets"].search("jt.LazyTensorPreview(task)")
    assert FEATURE_USES["needs-vision"].search('lrn("classif.resnet18", pretrained=True)')


@pytest.mark.parametrize("name", CLEARED)
def test_small_settings_come_from_the_parameters_cell(name):
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    parameters = [c for c in nb.cells if c.cell_type == "code" and "parameters" in _tags(c)]
    assert len(parameters) == 1 and "JUPYTORCH_EXAMPLES_SMALL" in parameters[0].source
