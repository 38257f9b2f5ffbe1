"""SummaryRepr: every summarised object prints a heading and lines, and escapes user strings in HTML."""

from __future__ import annotations

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.summary import SummaryRepr

EVIL = "<script>x</script>"


def _objects():
    task = jt.as_task_regr(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]}), target="y", id=EVIL)
    task.label = EVIL
    learner = jt.lrn("regr.featureless", id=EVIL)
    learner.label = EVIL
    measure = jt.msr("regr.mse")
    measure.label = EVIL
    resampling = jt.rsmp("holdout")
    resampling.label = EVIL
    op = jt.po("scale", id=EVIL)
    result = jt.resample(task, jt.lrn("regr.featureless"), jt.rsmp("holdout", seed=1))
    return {"task": task, "learner": learner, "measure": measure, "resampling": resampling, "pipeop": op,
            "resample_result": result, "graph_learner": jt.as_learner(jt.po("scale", id=EVIL) >> jt.lrn("regr.featureless"))}


@pytest.fixture(scope="module")
def objects():
    return _objects()


@pytest.mark.parametrize("kind", ["task", "learner", "measure", "resampling", "pipeop", "resample_result", "graph_learner"])
def test_objects_share_one_summary_repr(objects, kind):
    obj = objects[kind]
    assert isinstance(obj, SummaryRepr)
    text = repr(obj)
    name, rest = obj._summary_head()
    assert text.splitlines()[0] == f"<{name}>{rest}"
    assert all(line in text for line in obj._summary_lines())
    page = obj._repr_html_()
    assert "<script>" not in page, f"{kind}: a user string reached the HTML unescaped"
    assert page.startswith(f"<div class='{obj._html_class}'><b>") and page.endswith("</div>")


def test_task_html_keeps_its_data_table_and_graph_learner_its_graph(objects):
    assert "<table" in objects["task"]._repr_html_()
    assert objects["graph_learner"].graph._repr_html_() in objects["graph_learner"]._repr_html_()
