"""The target-distribution figure of a task."""

from __future__ import annotations

import pandas as pd

import jupytorch as jt
from jupytorch.viz import _task


def test_classif_target_counts_in_class_order():
    task = jt.as_task_classif(pd.DataFrame({"x": range(5), "y": ["b", "a", "b", "b", "a"]}), target="y", id="toy")
    info = _task._get_target_info(task)
    assert info.class_names == tuple(task.class_names)
    assert dict(zip(info.class_names, info.counts.tolist())) == {"a": 2, "b": 3}
    figure = _task._build_target_figure(info)
    assert [t.type for t in figure.data] == ["bar"]
    assert list(figure.data[0].x) == list(info.class_names)


def test_only_active_rows_are_counted():
    task = jt.tsk("iris").filter(range(60))
    info = _task._get_target_info(task)
    assert info.counts.tolist() == [50, 10, 0]


def test_regr_target_histogram():
    task = jt.tsk("mtcars")
    info = _task._get_target_info(task)
    assert info.target == "mpg" and len(info.values) == 32
    assert info.values.tolist() == task.truth().tolist()
    figure = _task._build_target_figure(info)
    assert [t.type for t in figure.data] == ["histogram"]
    assert figure.layout.xaxis.title.text == "mpg"
