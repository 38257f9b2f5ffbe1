"""po("classbalancing") changes rows in training only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch import as_task_classif, po


def _counts(task):
    return task.truth().value_counts().to_dict()


def test_downsample_to_minor(classif_task):
    np.random.seed(1)
    out = po("classbalancing", reference="minor", adjust="major").train([classif_task])[0]
    assert _counts(out) == {"a": 3, "b": 3}
    assert set(out.row_ids) <= set(classif_task.row_ids)


def test_upsample_to_major_and_predict_unchanged(classif_task):
    op = po("classbalancing", reference="major", adjust="upsample", shuffle=False)
    out = op.train([classif_task])[0]
    assert _counts(out) == {"a": 7, "b": 7}
    assert len(set(out.row_ids)) == 14  # repeated rows get their own ids
    assert sorted(out.data()["x1"][out.truth() == "b"].unique()) == [7.0, 8.0, 9.0]
    assert op.predict([classif_task])[0] is classif_task
    assert op.state["target_size"] == 7


def test_ratio_and_all(classif_task):
    out = po("classbalancing", ratio=2.0).train([classif_task])[0]  # mean size 5, times 2
    assert _counts(out) == {"a": 10, "b": 10}


def test_keeps_roles_and_positive():
    frame = pd.DataFrame({"x": range(6), "g": [1, 1, 2, 2, 3, 3], "y": ["no", "no", "no", "no", "yes", "yes"]})
    task = as_task_classif(frame, target="y", positive="yes").set_col_roles("g", roles="group")
    out = po("classbalancing", reference="major", adjust="upsample").train([task])[0]
    assert out.positive == "yes" and out.col_roles["group"] == ["g"] and out.feature_names == ["x"]


def test_needs_a_classification_task(regr_task):
    from jupytorch.pipelines.channels import ChannelTypeError

    with pytest.raises(ChannelTypeError, match="expects a TaskClassif"):
        po("classbalancing").train([regr_task])
