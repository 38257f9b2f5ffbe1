"""The tabular task catalogue: shapes, types, targets and the numbers users will quote."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch import tsk
from jupytorch.core.task import TaskClassif, TaskRegr


def test_mtcars_is_the_r_table():
    task = tsk("mtcars")
    assert isinstance(task, TaskRegr) and task.id == "mtcars"
    assert (task.nrow, task.n_features, task.target_names) == (32, 10, ["mpg"])
    assert task.feature_names == ["cyl", "disp", "hp", "drat", "wt", "qsec", "vs", "am", "gear", "carb"]
    assert set(task.feature_types) == {"numeric"}
    assert task.col_roles["name"] == ["model"]
    data = task.data(cols=["model", "mpg", "hp", "wt"])
    assert data["model"].iloc[0] == "Mazda RX4" and data["model"].iloc[-1] == "Volvo 142E"
    # column sums / means of R's mtcars
    assert data["mpg"].sum() == pytest.approx(642.9)
    assert data["hp"].mean() == pytest.approx(146.6875)
    assert data["wt"].mean() == pytest.approx(3.21725)
    assert task.data()[["cyl", "vs", "am", "gear", "carb"]].sum().tolist() == [198, 14, 13, 118, 90]


def test_iris():
    task = tsk("iris")
    assert isinstance(task, TaskClassif)
    assert task.feature_names == ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"]
    assert task.target_names == ["Species"] and task.class_names == ["setosa", "versicolor", "virginica"]
    assert task.truth().value_counts().tolist() == [50, 50, 50]
    assert task.data()["Sepal.Length"].sum() == pytest.approx(876.5)


def test_california_housing_numbers():
    task = tsk("california_housing")
    assert (task.nrow, task.target_names) == (20640, ["median_house_value"])
    types = task.feature_types
    assert (types == "numeric").sum() == 8
    assert types[types == "factor"].index.tolist() == ["ocean_proximity"]
    missing = task.missings()
    assert missing["total_bedrooms"] == 207 and missing.sum() == 207
    levels = task.data()["ocean_proximity"].cat.categories.tolist()
    assert levels == ["<1H OCEAN", "INLAND", "ISLAND", "NEAR BAY", "NEAR OCEAN"]
    assert task.data()["ocean_proximity"].value_counts()["ISLAND"] == 5


def test_penguins():
    task = tsk("penguins")
    assert (task.nrow, task.target_names) == (344, ["species"])
    assert task.class_names == ["Adelie", "Chinstrap", "Gentoo"]
    assert dict(task.feature_types) == {
        "island": "factor", "bill_length": "numeric", "bill_depth": "numeric", "flipper_length": "numeric",
        "body_mass": "numeric", "sex": "factor", "year": "integer",
    }
    assert task.missings(cols=task.feature_names).to_dict() == {
        "island": 0, "bill_length": 2, "bill_depth": 2, "flipper_length": 2, "body_mass": 2, "sex": 11, "year": 0,
    }
    assert task.data()["island"].cat.categories.tolist() == ["Biscoe", "Dream", "Torgersen"]


@pytest.mark.parametrize(
    ("key", "shape", "target"),
    [("breast_cancer", (569, 30), "diagnosis"), ("wine", (178, 13), "cultivar"), ("diabetes", (442, 10), "progression")],
)
def test_small_sklearn_sets(key, shape, target):
    task = tsk(key)
    assert (task.nrow, task.n_features) == shape and task.target_names == [target]
    assert task.missings().sum() == 0


def test_tasks_are_independent_and_share_no_state():
    a = tsk("mtcars").filter([0, 1, 2])
    a.select(["wt"])
    b = tsk("mtcars")
    assert a.nrow == 3 and b.nrow == 32 and b.n_features == 10


def test_data_files_are_package_resources():
    from importlib import resources

    data = resources.files("jupytorch.tasks").joinpath("data")
    names = {p.name for p in data.iterdir()}
    assert {"mtcars.csv", "california_housing.csv.gz", "README.md"} <= names
    assert "Pace" in data.joinpath("README.md").read_text(encoding="utf-8")


def test_california_feature_values_are_plausible():
    data = tsk("california_housing").data()
    assert data["median_house_value"].between(14999, 500001).all()
    assert np.isclose(data["median_income"].mean(), 3.8707, atol=1e-3)
