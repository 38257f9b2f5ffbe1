"""Contract tests run over every learner of the learners layer."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import jupytorch as jt
from jupytorch import as_task_classif, as_task_regr, lrn, tsk
from jupytorch.core.exceptions import JupytorchError, TaskError
from jupytorch.core.registry import registry

# every learner the learners layer registers; the scikit-learn wrappers need an estimator= and have
# their own tests (test_sklearn_learner.py)
WRAPPERS = {"classif.sklearn", "regr.sklearn"}


def _origin(key: str) -> str:
    factory = registry("learner")._entries[key]  # a "module:attribute" string until first built
    return factory if isinstance(factory, str) else factory.__module__


OWN = [key for key in registry("learner").keys() if _origin(key).startswith("jupytorch.learners.") and key not in WRAPPERS]
CLASSIF = [key for key in OWN if registry("learner").meta(key)["task_type"] == "classif"]
REGR = [key for key in OWN if registry("learner").meta(key)["task_type"] == "regr"]
# penguins and breast_cancer are (nearly) separable: unpenalised logistic regression warns there, as glm does
pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning"),
]
FAST = {"classif.ranger": {"num_trees": 25, "seed": 3}, "regr.ranger": {"num_trees": 25, "seed": 3}}


def make(key: str, **kwargs):
    return lrn(key, **{**FAST.get(key, {}), **kwargs})


def complete_rows(task):
    """The task restricted to rows without missing features (for learners without 'missings')."""
    task = task.clone()
    ok = ~task.data(cols=task.feature_names).isna().any(axis=1)
    return task.filter(task.row_ids[ok.to_numpy()])


def suitable(task, learner):
    return task if "missings" in learner.properties else complete_rows(task)


def test_the_mlr3_baselines_are_among_the_learners_tested():
    baselines = {"featureless", "rpart", "ranger", "kknn"}
    assert {f"{t}.{name}" for t in ("classif", "regr") for name in baselines} <= set(CLASSIF + REGR)
    assert {"classif.log_reg", "regr.lm"} <= set(CLASSIF + REGR)


@pytest.mark.parametrize("key", CLASSIF)
@pytest.mark.parametrize("task_key", ["iris", "penguins"])
def test_classif_learners_train_and_predict(key, task_key):
    learner = make(key)
    task = suitable(tsk(task_key), learner)
    pred = learner.train(task).predict(task)
    assert len(pred) == task.nrow
    assert pred.response.notna().all()
    assert set(pred.response.unique()) <= set(task.class_names)
    if key != "classif.featureless":
        assert pred.score("classif.acc") > 0.8


@pytest.mark.parametrize("key", CLASSIF)
@pytest.mark.parametrize("task_key", ["iris", "penguins"])
def test_prob_rows_sum_to_one_in_class_order(key, task_key):
    learner = make(key, predict_type="prob")
    task = suitable(tsk(task_key), learner)
    prob = learner.train(task).predict(task).prob
    assert list(prob.columns) == task.class_names
    np.testing.assert_allclose(prob.sum(axis=1), 1.0)
    assert ((prob >= 0) & (prob <= 1)).all().all()


@pytest.mark.parametrize("key", [k for k in CLASSIF if k != "classif.featureless"])
def test_prob_columns_follow_class_names_not_sklearn_order(key):
    # class_names ['malignant', 'benign'] is the reverse of scikit-learn's sorted classes_
    task = tsk("breast_cancer").select(["worst radius", "worst texture", "worst smoothness"])
    assert task.class_names == ["malignant", "benign"]
    pred = make(key, predict_type="prob").train(task).predict(task)
    prob_of_truth = pred.prob.to_numpy()[np.arange(len(pred)), pd.Categorical(pred.truth).codes]
    assert np.mean(prob_of_truth > 0.5) > 0.9
    assert (pred.response == pred.prob.idxmax(axis=1)).all()


@pytest.mark.parametrize("key", REGR)
@pytest.mark.parametrize("task_key", ["mtcars", "california_small"])
def test_regr_learners_train_and_predict(key, task_key, request):
    task = tsk("mtcars") if task_key == "mtcars" else request.getfixturevalue("california_small")
    learner = make(key)
    task = suitable(task, learner)
    pred = learner.train(task).predict(task)
    assert len(pred) == task.nrow
    assert np.isfinite(pred.response).all()
    if key != "regr.featureless":
        baseline = lrn("regr.featureless").train(task).predict(task).score("regr.mse")
        assert pred.score("regr.mse") < baseline


@pytest.mark.parametrize("key", CLASSIF + REGR)
def test_all_feature_types_are_encoded(key, mixed_classif, mixed_regr):
    task = mixed_classif if key.startswith("classif") else mixed_regr
    assert set(task.feature_types) == {"numeric", "integer", "logical", "factor", "ordered"}
    pred = make(key).train(task).predict(task)
    assert len(pred) == task.nrow


@pytest.mark.parametrize("key", CLASSIF + REGR)
def test_unseen_factor_level_at_predict_does_not_crash(key, mixed_classif, mixed_regr):
    task = mixed_classif if key.startswith("classif") else mixed_regr
    learner = make(key).train(task)
    new = task.data().head(5).copy()
    new["colour"] = pd.Categorical(["purple", "red", "purple", "blue", "green"], categories=["red", "green", "blue", "purple"])
    pred = learner.predict_newdata(new.drop(columns=task.target_names))
    assert len(pred) == 5 and pred.response.notna().all()


@pytest.mark.parametrize("key", CLASSIF + REGR)
def test_unseen_ordered_level_counts_as_missing(key, mixed_classif, mixed_regr):
    task = mixed_classif if key.startswith("classif") else mixed_regr
    learner = make(key).train(task)
    new = task.data(cols=task.feature_names).head(3).copy()
    new["size"] = pd.Categorical(["XL", "S", "M"], categories=["S", "M", "L", "XL"], ordered=True)
    if "missings" in learner.properties:
        assert len(learner.predict_newdata(new)) == 3
    else:
        with pytest.raises(TaskError, match="'size'|size \\(1\\)"):
            learner.predict_newdata(new)


@pytest.mark.parametrize("key", CLASSIF + REGR)
def test_missing_values_are_handled_or_rejected_clearly(key, california_small):
    task = tsk("penguins") if key.startswith("classif") else california_small
    learner = make(key)
    if "missings" in learner.properties:
        pred = learner.train(task).predict(task)
        assert pred.response.notna().all()
        return
    with pytest.raises(TaskError, match=r"cannot handle missing values.*(sex|total_bedrooms)"):
        learner.train(task)
    # trained on complete rows, predicting rows with missing values names the feature
    learner.train(complete_rows(task))
    with pytest.raises(TaskError, match=r"cannot predict rows with missing values.*(bill_length|total_bedrooms)"):
        learner.predict(task)


@pytest.mark.parametrize("key", [k for k in CLASSIF + REGR if not k.endswith("featureless")])  # reads no feature
def test_infinite_features_are_rejected_naming_the_column(key):
    base = tsk("iris") if key.startswith("classif") else tsk("mtcars")
    data = base.data()
    feature = base.feature_names[1]
    bad = data.assign(**{feature: data[feature].astype(float).where(data.index != 3, np.inf)})
    make_task = as_task_classif if key.startswith("classif") else as_task_regr
    task = make_task(bad, target=base.target_names[0], id="with_inf")
    with pytest.raises(TaskError, match=rf"cannot use infinite values \(inf\).*'with_inf'.*{feature} \(1\)"):
        make(key).train(task)
    learner = make(key).train(base)
    with pytest.raises(TaskError, match=rf"cannot predict rows with infinite values \(inf\).*{feature} \(1\)"):
        learner.predict(task)


def test_infinite_regression_target_is_refused_when_the_task_is_made():
    data = tsk("mtcars").data()
    with pytest.raises(TaskError, match=r"target 'mpg' has 1 infinite values"):
        as_task_regr(data.assign(mpg=data["mpg"].where(data.index != 0, np.inf)), target="mpg", id="inf_target")


def test_factor_nan_stays_missing_for_trees():
    # the rule of jupytorch.core.levels: a missing factor value is NaN in every one-hot column, so
    # trees with native missing-value support route it as missing (not as "none of the levels")
    task = tsk("penguins")
    learner = make("classif.rpart").train(task)
    rows = task.data(cols=task.feature_names)
    assert rows["sex"].isna().sum() == 11
    encoded = learner.state["encoder"].transform(rows)
    names = learner.state["encoder"].feature_names_out_
    sex = encoded[:, [i for i, n in enumerate(names) if n.startswith("sex.")]]
    assert np.isnan(sex[rows["sex"].isna().to_numpy()]).all()
    assert not np.isnan(sex[rows["sex"].notna().to_numpy()]).any()
    assert learner.predict(task).response.notna().all()


@pytest.mark.parametrize("key", CLASSIF + REGR)
def test_pickle_and_save_load_give_identical_predictions(key, tmp_path, mixed_classif, mixed_regr):
    task = mixed_classif if key.startswith("classif") else mixed_regr
    learner = make(key)
    if "prob" in learner.predict_types:
        learner.predict_type = "prob"
    learner.train(task)
    np.random.seed(0)
    before = learner.predict(task).as_data_frame()
    copy = pickle.loads(pickle.dumps(learner))
    path = learner.save(tmp_path / "learner.jt")
    loaded = jt.load(path)  # skops: built-in learners load without trusted=True
    for other in (copy, loaded):
        np.random.seed(0)
        pd.testing.assert_frame_equal(other.predict(task).as_data_frame(), before)


@pytest.mark.parametrize("key", CLASSIF + REGR)
def test_clone_reset_and_sklearn_clone(key):
    from sklearn.base import clone

    learner = make(key)
    task = tsk("iris") if key.startswith("classif") else tsk("mtcars")
    learner.train(task)
    copy = clone(learner)
    assert not copy.is_trained and learner.is_trained
    assert copy.param_set.values == learner.param_set.values
    assert copy.id == learner.id


def test_predict_before_train_names_the_learner():
    with pytest.raises(JupytorchError, match="'regr.rpart' has not been trained"):
        lrn("regr.rpart").predict(tsk("mtcars"))


def test_wrong_task_type_is_rejected():
    with pytest.raises(TaskError, match="'classif.rpart' is for 'classif' tasks"):
        lrn("classif.rpart").train(tsk("mtcars"))


def test_character_features_are_rejected_by_sklearn_learners_but_not_featureless():
    frame = pd.DataFrame({"text": ["a", "b", "c", "d"] * 5, "y": np.arange(20, dtype=float)})
    task = as_task_regr(frame, target="y")
    with pytest.raises(TaskError, match="text \\(character\\)"):
        lrn("regr.rpart").train(task)
    assert len(lrn("regr.featureless").train(task).predict(task)) == 20


def test_predicting_a_task_without_a_trained_feature_fails_clearly():
    learner = lrn("regr.rpart").train(tsk("mtcars"))
    frame = tsk("mtcars").data().drop(columns=["wt"])
    with pytest.raises(TaskError, match="'wt'"):
        learner.predict(as_task_regr(frame, target="mpg"))


def test_weights_change_the_fit():
    x = np.linspace(0, 1, 20)
    wiggle = np.tile([1.0, -1.0], 10)
    frame = pd.DataFrame({"x": x, "y": 10 * x + wiggle, "w": np.where(wiggle > 0, 1.0, 100.0)})
    weighted = as_task_regr(frame, target="y").set_col_roles("w", roles="weight")
    plain = as_task_regr(frame.drop(columns="w"), target="y")
    for key in ("regr.lm", "regr.rpart"):
        a = lrn(key, cp=0.0, maxdepth=1, minsplit=2, minbucket=1) if key == "regr.rpart" else lrn(key)
        b = a.clone()
        pred_w = a.train(weighted).predict(plain).response
        pred_p = b.train(plain).predict(plain).response
        assert not np.allclose(pred_w, pred_p), key
