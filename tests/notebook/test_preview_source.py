"""What a LazyTensorPreview shows: tasks, columns, and a graph's feed to its ingress."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch import nn, po
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.notebook._preview_source import preview_source, raw_column, step_list


def image_task(n: int = 40):
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(torch.rand(n, 1, 6, 6)), "other": torch.rand(n, 1, 2).numpy().tolist(),
                          "label": pd.Categorical(["cat", "dog"] * (n // 2))})
    return jt.as_task_classif(frame.drop(columns="other"), target="label", id="pets")


def test_task_gives_its_first_lazy_column_and_labels():
    src = preview_source(image_task())
    assert (src.name, src.title, len(src.column)) == ("image", "pets: image", 40)
    assert list(src.labels[:3]) == ["cat", "dog", "cat"]


def test_filtered_task_keeps_row_ids():
    task = image_task().filter(range(10, 20))
    src = preview_source(task)
    assert list(src.row_ids) == list(range(10, 20)) and len(src.column) == 10


def test_unknown_column_names_the_lazy_ones():
    with pytest.raises(InvalidParameterError, match=r"no lazy-tensor feature 'imag'.*\['image'\].*Did you mean"):
        preview_source(image_task(), column="imag")
    with pytest.raises(InvalidParameterError, match="has no lazy-tensor feature"):
        preview_source(jt.tsk("iris"))
    with pytest.raises(InvalidParameterError, match="cannot preview a int"):
        preview_source(3)


def test_graph_preview_trains_clones_upstream_of_the_ingress_only():
    task = image_task()
    flip = po("augment_random_vertical_flip", p=0.5)
    graph = (flip >> po("trafo_normalize", mean=0.5, std=0.25) >> po("torch_ingress_ltnsr") >> nn("flatten")
             >> nn("head") >> po("torch_model_classif", epochs=1, batch_size=8))
    learner = jt.as_learner(graph)
    src = preview_source(learner, task=task)
    assert step_list(src.column) == [{"name": "augment_random_vertical_flip", "stage": "train"},
                                     {"name": "trafo_normalize", "stage": "both"}]
    assert not learner.graph.is_trained and learner.state is None  # the user's learner is untouched
    assert step_list(task.data()["image"].array) == []  # and so is the task
    with pytest.raises(InvalidParameterError, match="on a task"):
        preview_source(graph)
    with pytest.raises(InvalidParameterError, match="no torch_ingress_ltnsr"):
        preview_source(po("scale") >> jt.lrn("classif.rpart"), task=jt.tsk("iris"))


def test_raw_column_drops_the_steps_and_keeps_the_rows():
    task = image_task()
    fed = po("trafo_reshape", shape=(-1, 36)).train([task])[0]
    column = fed.data()["image"].array[5:9]
    raw = raw_column(column)
    assert list(raw.ids) == list(column.ids)
    assert jt.materialize(raw, rbind=True).shape == (4, 1, 6, 6)
    assert torch.equal(jt.materialize(raw, rbind=True).reshape(4, 36), jt.materialize(column, rbind=True))


def test_series_and_arrays():
    lt = jt.as_lazy_tensor(torch.rand(7, 3, 4, 4))
    assert preview_source(pd.Series(lt, name="pics")).title == "pics (7 rows)"
    assert preview_source(lt).labels is None
