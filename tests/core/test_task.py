"""Task, TaskClassif, TaskRegr: data access, roles, copies and clear errors."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from core_toys import MeanRegr

import jupytorch as jt
from jupytorch.core.exceptions import TaskError, UnknownKeyError
from jupytorch.core.task import TaskClassif, TaskRegr, as_task_classif, as_task_regr, column_type


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "num": [1.5, 2.5, np.nan, 4.5, 5.5, 6.5],
            "int": [1, 2, 3, 4, 5, 6],
            "fct": pd.Categorical(["u", "v", "u", "v", "u", None]),
            "ord": pd.Categorical(["lo", "hi", "lo", "hi", "lo", "hi"], categories=["lo", "hi"], ordered=True),
            "lgl": [True, False, True, False, True, False],
            "chr": ["a", "b", "c", "d", "e", "f"],
            "y": ["yes", "no", "yes", "no", "yes", "yes"],
        }
    )


@pytest.fixture
def task(frame):
    return TaskClassif("toy", frame, target="y", positive="yes")


class TestConstruction:
    def test_fields(self, task):
        assert task.id == "toy" and task.task_type == "classif"
        assert task.target_names == ["y"]
        assert task.feature_names == ["num", "int", "fct", "ord", "lgl", "chr"]
        assert task.feature_types.to_dict() == {
            "num": "numeric", "int": "integer", "fct": "factor", "ord": "ordered", "lgl": "logical", "chr": "character"
        }  # fmt: skip
        assert task.n_features == 6 and task.nrow == 6 and task.ncol == 7
        assert task.row_ids.tolist() == list(range(6))
        assert task.class_names == ["yes", "no"] and task.positive == "yes"
        assert "twoclass" in task.properties

    def test_positive_defaults_to_the_first_level_and_can_be_set(self, frame):
        task = TaskClassif("toy", frame, target="y")
        assert task.positive == "no"
        task.positive = "yes"
        assert task.class_names == ["yes", "no"]
        with pytest.raises(TaskError, match="'maybe' is not one of"):
            task.positive = "maybe"

    def test_multiclass_has_no_positive(self):
        task = as_task_classif(pd.DataFrame({"x": [1.0, 2, 3], "y": ["a", "b", "c"]}), target="y")
        assert task.positive is None and "multiclass" in task.properties
        with pytest.raises(TaskError, match="needs two classes"):
            task.positive = "a"

    def test_regression_target_becomes_float(self):
        task = as_task_regr(pd.DataFrame({"x": [1, 2], "y": [3, 4]}), target="y", id="r")
        assert task.truth().dtype == float and task.task_type == "regr"

    def test_integer_index_is_kept_as_row_ids(self):
        task = as_task_regr(pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}, index=[10, 20]), target="y")
        assert task.row_ids.tolist() == [10, 20]
        assert task.data(rows=[20])["y"].tolist() == [4.0]

    def test_string_index_is_replaced(self):
        task = as_task_regr(pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}, index=["a", "b"]), target="y")
        assert task.row_ids.tolist() == [0, 1]


class TestErrors:
    def test_unknown_target(self, frame):
        with pytest.raises(TaskError, match=r"target 'Y' is not a column.*Did you mean 'y'"):
            TaskClassif("toy", frame, target="Y")

    def test_one_class_target(self):
        with pytest.raises(TaskError, match="only 1 class"):
            as_task_classif(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "a"]}), target="y", id="one")

    def test_missing_target_values(self):
        with pytest.raises(TaskError, match="1 missing values"):
            as_task_regr(pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, None]}), target="y")

    def test_float_classification_target_and_text_regression_target(self):
        with pytest.raises(TaskError, match="as_task_regr"):
            as_task_classif(pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 1.5]}), target="y")
        with pytest.raises(TaskError, match="as_task_classif"):
            as_task_regr(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]}), target="y")

    def test_row_ids_out_of_range(self, task):
        with pytest.raises(TaskError, match=r"row id\(s\) \[6, 99\] do not exist; row ids run from 0 to 5"):
            task.data(rows=[0, 6, 99])
        with pytest.raises(TaskError, match="do not exist"):
            task.clone().filter([-1])
        with pytest.raises(TaskError, match="boolean mask"):
            task.data(rows=np.array([True, False, True, False, True, False]))

    def test_unknown_columns(self, task):
        with pytest.raises(UnknownKeyError, match="Did you mean 'num'"):
            task.data(cols=["nmu"])
        with pytest.raises(UnknownKeyError, match="not an active feature"):
            task.clone().select(["y"])
        with pytest.raises(TaskError, match="unknown column role"):
            task.clone().set_col_roles("num", roles="stratumm")
        with pytest.raises(TaskError, match="target"):
            task.clone().set_col_roles("y", roles="feature")

    def test_not_a_dataframe_and_bad_id(self):
        with pytest.raises(TaskError, match="DataFrame"):
            TaskRegr("r", [[1, 2]], target="y")
        with pytest.raises(TaskError, match="non-empty string"):
            TaskRegr("", pd.DataFrame({"y": [1.0]}), target="y")
        with pytest.raises(TaskError, match="Name the target"):
            as_task_regr(pd.DataFrame({"y": [1.0]}))

    def test_unsupported_column_type(self):
        with pytest.raises(TaskError, match="datetimes"):
            column_type(pd.Series(pd.to_datetime(["2020-01-01"])))

    def test_predicting_with_missing_feature_columns(self):
        train = as_task_regr(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0], "y": [1.0, 2.0, 3.0]}), target="y", id="tr")
        learner = MeanRegr().train(train)
        lacking = as_task_regr(pd.DataFrame({"a": [1.0, 2.0], "y": [1.0, 2.0]}), target="y", id="new")
        with pytest.raises(TaskError, match=r"trained with feature\(s\) \['b'\] that task 'new' lacks"):
            learner.predict(lacking)
        with pytest.raises(TaskError, match=r"lacks the feature column\(s\) \['b'\]"):
            learner.predict_newdata(pd.DataFrame({"a": [1.0]}))


class TestDataAccess:
    def test_data_rows_and_cols(self, task):
        data = task.data(rows=[3, 1], cols=["int", "y"])
        assert data.index.tolist() == [3, 1] and list(data.columns) == ["int", "y"]
        assert list(task.data().columns) == ["y", *task.feature_names]
        assert task.head(2).index.tolist() == [0, 1]
        assert task.truth(rows=[0, 1]).tolist() == ["yes", "no"]

    def test_missings(self, task):
        counts = task.missings()
        assert counts["num"] == 1 and counts["fct"] == 1 and counts["int"] == 0
        assert task.missings(cols=["num"]).to_dict() == {"num": 1}

    def test_filter_and_select_are_in_place(self, task):
        same = task.filter([1, 2, 3])
        assert same is task and task.nrow == 3 and task.row_ids.tolist() == [1, 2, 3]
        assert task.missings()["num"] == 1
        task.select(["num", "int"])
        assert task.feature_names == ["num", "int"] and task.ncol == 3
        assert list(task.data().columns) == ["y", "num", "int"]

    def test_repeated_row_ids_repeat_rows(self, task):
        task.filter([0, 0, 1, 2, 3, 4])  # as many ids as rows, but not all rows
        assert task.data().index.tolist() == [0, 0, 1, 2, 3, 4]

    def test_clone_is_independent(self, task):
        copy = task.clone()
        copy.filter([0, 1]).select(["num"])
        copy.set_col_roles("int", roles="stratum")
        assert task.nrow == 6 and task.n_features == 6 and task.col_roles["stratum"] == []
        assert copy.nrow == 2 and copy.feature_names == ["num"]

    def test_cbind(self, task):
        task.cbind(pd.DataFrame({"new": np.arange(6.0)}))
        assert task.feature_names[-1] == "new" and task.feature_types["new"] == "numeric"
        with pytest.raises(TaskError, match="overwrite"):
            task.cbind(pd.DataFrame({"num": np.arange(6.0)}))
        with pytest.raises(TaskError, match="row ids"):
            task.cbind(pd.DataFrame({"other": [1.0]}, index=[77]))

    def test_replace_features(self, task):
        task.filter([1, 2, 3])
        new = task.replace_features(pd.DataFrame({"f1": [10.0, 20.0, 30.0]}, index=[1, 2, 3]))
        assert new.feature_names == ["f1"] and new.row_ids.tolist() == [1, 2, 3]
        assert new.data()["y"].tolist() == ["no", "yes", "no"]
        assert task.feature_names[0] == "num"  # the original is unchanged
        with pytest.raises(TaskError, match="lack row ids"):
            task.replace_features(pd.DataFrame({"f1": [1.0]}, index=[1]))
        with pytest.raises(TaskError, match="clash"):
            task.replace_features(pd.DataFrame({"y": [1.0, 2.0, 3.0]}, index=[1, 2, 3]))

    def test_replace_features_with_repeated_rows(self, task):
        task.filter([2, 2, 5])  # a bootstrap sample
        features = task.data(cols=["int"]).rename(columns={"int": "twice"}) * 2
        new = task.replace_features(features)
        assert new.row_ids.tolist() == [2, 2, 5]
        assert new.data()["twice"].tolist() == [6, 6, 12]


class TestRoles:
    def test_group_stratum_weight_name(self, task):
        task.set_col_roles("int", roles="group")
        task.set_col_roles("fct", roles="stratum")
        task.set_col_roles("num", roles="weight")
        task.set_col_roles("chr", roles="name")
        assert task.feature_names == ["ord", "lgl"]
        assert task.col_roles["group"] == ["int"] and task.groups.tolist() == [1, 2, 3, 4, 5, 6]
        assert list(task.strata.columns) == ["fct"]
        assert task.weights.iloc[0] == 1.5
        assert {"groups", "strata", "weights"} <= task.properties
        text = repr(task)
        assert "* Group: int" in text and "* Stratum: fct" in text

    def test_back_to_feature(self, task):
        task.set_col_roles("int", roles="group").set_col_roles("int", roles="feature")
        assert "int" in task.feature_names and task.groups is None
        assert task.feature_names == ["num", "int", "fct", "ord", "lgl", "chr"]  # data order

    def test_feature_names_of(self, task):
        assert task.feature_names_of(["numeric", "integer"]) == ["num", "int"]
        with pytest.raises(TaskError, match="Unknown feature type"):
            task.feature_names_of("float")


class TestInternalValidation:
    def test_row_ids_move_to_a_validation_task(self, task):
        task.internal_valid_task = [4, 5]
        assert task.row_ids.tolist() == [0, 1, 2, 3]
        assert task.internal_valid_task.row_ids.tolist() == [4, 5]
        assert task.clone().internal_valid_task.row_ids.tolist() == [4, 5]
        task.internal_valid_task = None
        assert task.internal_valid_task is None

    def test_mismatching_validation_task(self, task):
        other = as_task_regr(pd.DataFrame({"num": [1.0], "y": [1.0]}), target="y")
        with pytest.raises(TaskError, match="must have type 'classif'"):
            task.internal_valid_task = other
        lacking_features = TaskClassif("v", task.data(cols=["num", "y"]), target="y")
        with pytest.raises(TaskError, match="lacks features"):
            task.internal_valid_task = lacking_features


def test_display_escapes_html(frame):
    task = TaskClassif("<b>x</b>", frame, target="y", label="<i>label</i>")
    markup = task._repr_html_()
    assert "<b>x</b>" not in markup and "&lt;b&gt;x&lt;/b&gt;" in markup and "&lt;i&gt;label" in markup
    assert repr(task).startswith("<TaskClassif:<b>x</b>> (6 x 7): <i>label</i>")


def test_pickle_round_trip(task):
    task.filter([0, 2, 4])
    restored = pickle.loads(pickle.dumps(task))
    pd.testing.assert_frame_equal(restored.data(), task.data())


def test_as_task_from_a_task_clones(task):
    copy = jt.as_task_classif(task)
    assert copy is not task and copy.id == task.id
    with pytest.raises(TaskError, match="not a TaskRegr"):
        jt.as_task_regr(task)


def test_row_access_by_position_keeps_row_ids_and_order():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan], "y": [10.0, 20.0, 30.0, 40.0]}, index=[7, 3, 5, 9])
    t = jt.as_task_regr(frame, target="y").filter([5, 7, 9])
    assert t.data().index.tolist() == [5, 7, 9] and t.data()["x"].tolist()[:2] == [3.0, 1.0]
    assert t.truth().tolist() == [30.0, 10.0, 40.0] and t.truth().index.tolist() == [5, 7, 9]
    assert t._column_values("y").tolist() == [30.0, 10.0, 40.0]
    assert t.missings().to_dict() == {"y": 0, "x": 1}
    ranged = jt.as_task_regr(frame.reset_index(drop=True), target="y")
    assert ranged.data(rows=[3, 0]).index.tolist() == [3, 0]
    with pytest.raises(TaskError, match=r"row id\(s\) \[4\] do not exist"):
        ranged.filter([4])
    full = ranged.data()
    full["z"] = 1.0  # a copy: the task's data is not changed
    assert "z" not in ranged.data().columns
