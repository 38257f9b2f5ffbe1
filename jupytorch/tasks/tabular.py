"""The tabular tasks of the catalogue: ``tsk("mtcars")``, ``tsk("iris")``, ``tsk("california_housing")``...

Every task is built from data that ships with jupytorch or with one of its dependencies, so the
catalogue works offline. Each raw table is read once per process and shared by the tasks built
from it (tasks never change their data). Sources and licences: ``jupytorch/tasks/data/README.md``.
"""

from __future__ import annotations

import functools
from importlib import resources

import pandas as pd

from jupytorch.core.task import TaskClassif, TaskRegr

__all__ = ["mtcars", "iris", "california_housing", "penguins", "breast_cancer", "wine", "diabetes"]


def _data_file(name: str):  # noqa: ANN202 - an importlib Traversable
    return resources.files("jupytorch.tasks").joinpath("data", name)


def _categorical(values: pd.Series, levels: list[str] | None = None) -> pd.Categorical:
    """A categorical with string levels (sorted unless given) and missing values kept missing."""
    values = values.astype(object).where(values.notna(), None)
    if levels is None:
        levels = sorted(str(v) for v in values.dropna().unique())
    return pd.Categorical(values.map(lambda v: None if v is None else str(v)), categories=levels)


# -- raw tables (cached) ------------------------------------------------------------------------
@functools.cache
def _mtcars_frame() -> pd.DataFrame:
    with _data_file("mtcars.csv").open("rb") as handle:
        frame = pd.read_csv(handle)
    numeric = [c for c in frame.columns if c != "model"]
    frame[numeric] = frame[numeric].astype("float64")
    frame["model"] = frame["model"].astype(object)
    return frame


@functools.cache
def _california_frame() -> pd.DataFrame:
    with _data_file("california_housing.csv.gz").open("rb") as handle:
        frame = pd.read_csv(handle, compression="gzip")
    frame["ocean_proximity"] = _categorical(frame["ocean_proximity"])
    return frame


@functools.cache
def _penguins_frame() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    frame = load_penguins().rename(
        columns={
            "bill_length_mm": "bill_length",
            "bill_depth_mm": "bill_depth",
            "flipper_length_mm": "flipper_length",
            "body_mass_g": "body_mass",
        }
    )
    for col in ("species", "island", "sex"):
        frame[col] = _categorical(frame[col])
    for col in ("bill_length", "bill_depth", "flipper_length", "body_mass"):
        frame[col] = frame[col].astype("float64")
    frame["year"] = frame["year"].astype("int64")
    return frame[["species", "island", "bill_length", "bill_depth", "flipper_length", "body_mass", "sex", "year"]]


@functools.cache
def _sklearn_frame(name: str) -> pd.DataFrame:
    from sklearn import datasets

    if name == "iris":
        bunch = datasets.load_iris(as_frame=True)
        frame = bunch.data.set_axis(["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"], axis=1)
        labels = pd.Series(bunch.target_names[bunch.target.to_numpy()])
        return frame.assign(Species=_categorical(labels, ["setosa", "versicolor", "virginica"]))
    if name == "breast_cancer":
        bunch = datasets.load_breast_cancer(as_frame=True)
        labels = pd.Series(bunch.target_names[bunch.target.to_numpy()])
        return bunch.data.assign(diagnosis=_categorical(labels, ["malignant", "benign"]))
    if name == "wine":
        bunch = datasets.load_wine(as_frame=True)
        labels = pd.Series(bunch.target_names[bunch.target.to_numpy()])
        return bunch.data.assign(cultivar=_categorical(labels, list(bunch.target_names)))
    if name == "diabetes":
        bunch = datasets.load_diabetes(as_frame=True, scaled=False)
        return bunch.data.astype("float64").assign(progression=bunch.target.astype("float64"))
    raise KeyError(name)


# -- task factories -----------------------------------------------------------------------------
def mtcars() -> TaskRegr:
    """Motor Trend car road tests (1974): predict ``mpg`` from 10 numeric features; 32 rows.

    The car model (R's row names) is the column ``model`` with the column role ``name``.

    Examples
    --------
    >>> task = mtcars()
    >>> task.nrow, task.n_features, task.col_roles["name"]
    (32, 10, ['model'])
    """
    task = TaskRegr("mtcars", _mtcars_frame(), target="mpg", label="Motor Trends")
    return task.set_col_roles("model", roles="name")


def iris() -> TaskClassif:
    """Fisher's / Anderson's iris flowers: predict ``Species`` (3 classes) from 4 measurements; 150 rows.

    Column names follow R (``Sepal.Length``...); the data is scikit-learn's bundled copy, which
    agrees with R's ``iris``.

    Examples
    --------
    >>> iris().class_names
    ['setosa', 'versicolor', 'virginica']
    """
    return TaskClassif("iris", _sklearn_frame("iris"), target="Species", label="Iris Flowers")


def california_housing() -> TaskRegr:
    """California block groups in the 1990 census: predict ``median_house_value``; 20640 rows.

    8 numeric features (207 missing ``total_bedrooms``) and the factor ``ocean_proximity``.

    Examples
    --------
    >>> task = california_housing()
    >>> int(task.missings()["total_bedrooms"])
    207
    """
    return TaskRegr("california_housing", _california_frame(), target="median_house_value", label="California House Values")


def penguins() -> TaskClassif:
    """Palmer penguins: predict ``species`` (3 classes); 344 rows with missing values.

    Features as in mlr3's task (units dropped from the names): ``island`` and ``sex`` (factors),
    ``bill_length``, ``bill_depth`` (mm), ``flipper_length`` (mm), ``body_mass`` (g) and ``year``.

    Examples
    --------
    >>> task = penguins()
    >>> task.nrow, int(task.missings()["sex"])
    (344, 11)
    """
    return TaskClassif("penguins", _penguins_frame(), target="species", label="Palmer Penguins")


def breast_cancer() -> TaskClassif:
    """Wisconsin Diagnostic Breast Cancer: predict ``diagnosis`` (positive: malignant); 569 rows, 30 features.

    Examples
    --------
    >>> breast_cancer().positive
    'malignant'
    """
    return TaskClassif("breast_cancer", _sklearn_frame("breast_cancer"), target="diagnosis", label="Wisconsin Diagnostic Breast Cancer")


def wine() -> TaskClassif:
    """Wines from three Italian cultivars: predict ``cultivar`` from 13 chemical measurements; 178 rows.

    Examples
    --------
    >>> wine().class_names
    ['class_0', 'class_1', 'class_2']
    """
    return TaskClassif("wine", _sklearn_frame("wine"), target="cultivar", label="Wine Cultivars")


def diabetes() -> TaskRegr:
    """Diabetes progression one year after baseline, from 10 baseline variables; 442 rows (unscaled).

    Examples
    --------
    >>> diabetes().n_features
    10
    """
    return TaskRegr("diabetes", _sklearn_frame("diabetes"), target="progression", label="Diabetes Progression")
