"""Measures: every built-in one against a hand computation, degenerate cases, errors."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from core_toys import MeanRegr, regr_task

import jupytorch as jt
from jupytorch.core._register import MEASURES
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning, UnknownKeyError
from jupytorch.core.measure import BUILTIN_MEASURES, Measure, Undefined, as_measures
from jupytorch.core.prediction import PredictionClassif, PredictionRegr

# binary: positive class "a"; TP = rows 0, 4; FN = row 1; FP = row 3; TN = row 2
BIN_TRUTH = ["a", "a", "b", "b", "a"]
BIN_PROB_A = [0.8, 0.4, 0.3, 0.6, 0.9]  # argmax gives a, b, b, a, a


@pytest.fixture
def binary():
    prob = np.column_stack([BIN_PROB_A, 1 - np.array(BIN_PROB_A)])
    return PredictionClassif(range(5), BIN_TRUTH, ["a", "b"], prob=prob)


# multiclass: response a, b, b, a, c (rows 2 and 4 wrong)
MC_TRUTH = ["a", "b", "c", "a", "b"]
MC_PROB = [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.6, 0.3], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4]]


@pytest.fixture
def multiclass():
    return PredictionClassif(range(5), MC_TRUTH, ["a", "b", "c"], prob=MC_PROB)


@pytest.fixture
def regr():
    return PredictionRegr(range(4), truth=[1.0, 2.0, 3.0, 4.0], response=[1.5, 2.0, 2.0, 5.0])


class TestBinary:
    def test_label_measures(self, binary):
        assert binary.score("classif.ce") == pytest.approx(2 / 5)
        assert binary.score("classif.acc") == pytest.approx(3 / 5)
        assert binary.score("classif.bacc") == pytest.approx((2 / 3 + 1 / 2) / 2)

    def test_precision_recall_f1_of_the_positive_class(self, binary):
        # TP 2, FP 1, FN 1
        assert binary.score("classif.precision") == pytest.approx(2 / 3)
        assert binary.score("classif.recall") == pytest.approx(2 / 3)
        assert binary.score("classif.f1") == pytest.approx(2 / 3)

    def test_averages(self, binary):
        # class b: TP 1 (row 2), FP 1 (row 1), FN 1 (row 3): precision = recall = f1 = 1/2
        assert binary.score(jt.msr("classif.f1", average="macro")) == pytest.approx((2 / 3 + 1 / 2) / 2)
        assert binary.score(jt.msr("classif.f1", average="micro")) == pytest.approx(3 / 5)
        assert binary.score(jt.msr("classif.f1", average="weighted")) == pytest.approx((3 * 2 / 3 + 2 * 1 / 2) / 5)
        assert binary.score(jt.msr("classif.precision", average="macro")) == pytest.approx(7 / 12)

    def test_positive_class_is_the_first_class(self):
        # same data, but "b" first: TP row 2, FP row 1, FN row 3
        p = PredictionClassif(range(5), BIN_TRUTH, ["b", "a"], response=["a", "b", "b", "a", "a"])
        assert p.score("classif.precision") == pytest.approx(1 / 2)
        assert p.score("classif.recall") == pytest.approx(1 / 2)

    def test_auc(self, binary):
        # positives 0.8, 0.4, 0.9 against negatives 0.3, 0.6: 5 of 6 pairs ordered correctly
        assert binary.score("classif.auc") == pytest.approx(5 / 6)
        assert binary.score(jt.msr("classif.auc", average="macro")) == pytest.approx(5 / 6)

    def test_logloss(self, binary):
        p_true = [0.8, 0.4, 0.7, 0.4, 0.9]
        assert binary.score("classif.logloss") == pytest.approx(-np.mean(np.log(p_true)))

    def test_logloss_clips_zero_probabilities(self):
        p = PredictionClassif([0, 1], ["a", "b"], ["a", "b"], prob=[[1.0, 0.0], [1.0, 0.0]])
        assert p.score("classif.logloss") == pytest.approx(-(math.log(1.0) + math.log(1e-15)) / 2)
        assert p.score(jt.msr("classif.logloss", eps=0.01)) == pytest.approx(-math.log(0.01) / 2)

    def test_brier(self, binary):
        binary_brier = (0.2**2 + 0.6**2 + 0.3**2 + 0.6**2 + 0.1**2) / 5
        assert binary.score("classif.brier") == pytest.approx(binary_brier)
        assert binary.score("classif.bbrier") == pytest.approx(binary_brier)
        assert binary.score("classif.mbrier") == pytest.approx(2 * binary_brier)


class TestMulticlass:
    def test_ce_and_bacc(self, multiclass):
        assert multiclass.response.tolist() == ["a", "b", "b", "a", "c"]
        assert multiclass.score("classif.ce") == pytest.approx(2 / 5)
        # recall: a 2/2, b 1/2, c 0/1
        assert multiclass.score("classif.bacc") == pytest.approx((1 + 0.5 + 0) / 3)

    def test_f1_macro(self, multiclass):
        # f1: a 1, b 1/2, c 0
        assert multiclass.score(jt.msr("classif.f1", average="macro")) == pytest.approx(0.5)
        assert multiclass.score(jt.msr("classif.recall", average="macro")) == pytest.approx(0.5)

    def test_binary_average_on_multiclass_is_an_error(self, multiclass):
        with pytest.raises(InvalidParameterError, match="average='macro'") as info:
            multiclass.score("classif.f1")
        assert "classif.f1" in "".join(info.value.__notes__)
        with pytest.raises(InvalidParameterError, match="two-class"):
            multiclass.score("classif.auc")
        with pytest.raises(InvalidParameterError, match="mbrier"):
            multiclass.score("classif.bbrier")

    def test_auc_one_vs_rest(self, multiclass):
        # a: 6/6, b: 3/6, c: (1 + 0.5 + 1 + 0) / 4 with a tie at 0.3
        aucs = [1.0, 0.5, 0.625]
        assert multiclass.score(jt.msr("classif.auc", average="macro")) == pytest.approx(np.mean(aucs))
        assert multiclass.score(jt.msr("classif.auc", average="weighted")) == pytest.approx((2 * 1 + 2 * 0.5 + 0.625) / 5)

    def test_logloss_and_brier(self, multiclass):
        assert multiclass.score("classif.logloss") == pytest.approx(-np.mean(np.log([0.7, 0.5, 0.3, 0.4, 0.3])))
        rows = [0.14, 0.38, 0.86, 0.56, 0.74]  # sum over classes of squared errors
        assert multiclass.score("classif.brier") == pytest.approx(np.mean(rows))
        assert multiclass.score("classif.mbrier") == pytest.approx(np.mean(rows))


class TestRegression:
    def test_values(self, regr):
        # errors 0.5, 0, 1, 1
        assert regr.score("regr.mse") == pytest.approx(2.25 / 4)
        assert regr.score("regr.rmse") == pytest.approx(math.sqrt(2.25 / 4))
        assert regr.score("regr.mae") == pytest.approx(2.5 / 4)
        assert regr.score("regr.rsq") == pytest.approx(1 - 2.25 / 5)
        assert regr.score("regr.mape") == pytest.approx((0.5 + 0 + 1 / 3 + 1 / 4) / 4)

    def test_score_returns_dict_for_a_list(self, regr):
        assert regr.score(["regr.mse", jt.msr("regr.mae")]) == pytest.approx({"regr.mse": 0.5625, "regr.mae": 0.625})

    def test_default_measure(self, regr):
        assert regr.score() == regr.score("regr.mse")


class TestDegenerate:
    def test_auc_with_one_class_in_truth_is_nan(self):
        p = PredictionClassif([0, 1], ["a", "a"], ["a", "b"], prob=[[0.9, 0.1], [0.4, 0.6]])
        with pytest.warns(JupytorchWarning, match="only the class 'a'"):
            assert math.isnan(p.score("classif.auc"))

    def test_constant_truth_rsq_is_nan(self):
        p = PredictionRegr([0, 1], [2.0, 2.0], [1.0, 3.0])
        with pytest.warns(JupytorchWarning, match="constant"):
            assert math.isnan(p.score("regr.rsq"))

    def test_mape_with_zero_truth_is_nan(self):
        p = PredictionRegr([0, 1], [0.0, 2.0], [1.0, 3.0])
        with pytest.warns(JupytorchWarning, match="zeros"):
            assert math.isnan(p.score("regr.mape"))

    def test_empty_prediction_is_nan(self):
        p = PredictionRegr([], [], [])
        with pytest.warns(JupytorchWarning, match="no observations"):
            assert math.isnan(p.score("regr.mse"))

    def test_precision_without_predicted_positives_is_nan(self):
        p = PredictionClassif([0, 1], ["a", "b"], ["a", "b"], response=["b", "b"])
        with pytest.warns(JupytorchWarning, match="precision of the positive class 'a'"):
            assert math.isnan(p.score("classif.precision"))
        assert p.score("classif.recall") == 0.0

    def test_nan_probabilities(self):
        p = PredictionClassif([0, 1], ["a", "b"], ["a", "b"], prob=[[np.nan, np.nan], [0.5, 0.5]])
        with pytest.warns(JupytorchWarning, match="NaN"):
            assert math.isnan(p.score("classif.logloss"))

    def test_nan_response_gives_nan_mse(self):
        assert math.isnan(PredictionRegr([0], [1.0], [np.nan]).score("regr.mse"))


class TestErrors:
    def test_prob_measure_without_prob(self):
        p = PredictionClassif([0, 1], ["a", "b"], ["a", "b"], response=["a", "a"])
        with pytest.raises(InvalidParameterError, match="predict_type='prob'"):
            p.score("classif.auc")

    def test_wrong_task_type(self, regr):
        with pytest.raises(InvalidParameterError, match="classification"):
            regr.score("classif.ce")
        with pytest.raises(InvalidParameterError, match="classif.ce"):
            jt.msr("classif.ce").score(regr)

    def test_missing_truth(self):
        p = PredictionRegr([0, 1], [np.nan, 1.0], [1.0, 1.0])
        with pytest.raises(InvalidParameterError, match="no true target"):
            p.score("regr.mse")

    def test_unknown_key_and_parameter(self):
        with pytest.raises(UnknownKeyError, match="regr.rmse"):
            jt.msr("regr.rmes")
        with pytest.raises(InvalidParameterError, match="'average'.*'macro'"):
            jt.msr("classif.f1", average="macr")
        with pytest.raises(UnknownKeyError, match="average"):
            jt.msr("classif.f1", averag="macro")

    def test_score_needs_a_prediction(self):
        with pytest.raises(InvalidParameterError, match="Prediction"):
            jt.msr("regr.mse").score([1, 2])


class TestTimeAndLearnerMeasures:
    def test_time_measures_read_the_learner(self):
        task = regr_task(10)
        learner = MeanRegr().train(task)
        prediction = learner.predict(task)
        timings = learner.timings
        assert prediction.score("time_train", learner=learner) == timings["train"]
        assert prediction.score("time_predict", learner=learner) == timings["predict"]
        assert prediction.score("time_both", learner=learner) == pytest.approx(timings["train"] + timings["predict"])

    def test_time_measure_without_learner(self):
        with pytest.raises(InvalidParameterError, match="needs the learner"):
            PredictionRegr([0], [1.0], [1.0]).score("time_train")

    def test_internal_valid_score(self):
        class Fake:
            id = "fake"
            internal_valid_scores = {"regr.mse": 3.0, "regr.mae": 1.5}

        p = PredictionRegr([0], [1.0], [1.0])
        measure = jt.msr("internal_valid_score", minimize=True)
        assert measure.minimize is True
        assert measure.score(p, learner=Fake()) == 3.0
        assert jt.msr("internal_valid_score", select="regr.mae").score(p, learner=Fake()) == 1.5
        with pytest.raises(InvalidParameterError, match="regr.mse"):
            jt.msr("internal_valid_score", select="regr.ms").score(p, learner=Fake())
        with pytest.warns(JupytorchWarning, match="no internal validation scores"):
            assert math.isnan(measure.score(p, learner=MeanRegr()))


class TestMeasureObject:
    def test_custom_measure_gets_the_context_it_names(self):
        seen = {}

        def fun(prediction, learner, power=2):
            seen["learner"] = learner
            return float(np.mean(np.abs(prediction.truth - prediction.response) ** power))

        measure = Measure("regr.custom", "regr", fun, minimize=True, properties={"requires_learner"})
        p = PredictionRegr([0, 1], [1.0, 2.0], [2.0, 4.0])
        assert measure.score(p, learner="L") == pytest.approx(2.5)
        assert seen["learner"] == "L"

    def test_custom_measure_may_be_undefined(self):
        def fun(prediction):
            if len(prediction) < 3:
                raise Undefined("needs three observations")
            return 1.0

        measure = Measure("regr.picky", "regr", fun, minimize=True)
        with pytest.warns(JupytorchWarning, match=r"Measure 'regr.picky' is undefined here \(needs three observations\)"):
            assert math.isnan(measure.score(PredictionRegr([0], [1.0], [1.0])))
        assert measure.score(PredictionRegr([0, 1, 2], [1.0] * 3, [1.0] * 3)) == 1.0

    def test_fields_params_and_repr(self):
        measure = jt.msr("classif.f1", average="macro", id="f1_macro")
        assert measure.id == "f1_macro"
        assert measure.param_set.values == {"average": "macro"}
        assert measure.minimize is False and measure.range == (0.0, 1.0)
        text = repr(measure)
        assert "f1_macro" in text and "average='macro'" in text
        assert "<b>Measure:f1_macro</b>" in measure._repr_html_()
        html = Measure("<x>", "regr", lambda p: 0.0, minimize=True, label="<script>")._repr_html_()
        assert "<script>" not in html and "&lt;script&gt;" in html

    def test_invalid_construction(self):
        with pytest.raises(InvalidParameterError, match="task_type"):
            Measure("m", "surv", lambda p: 0.0, minimize=True)
        with pytest.raises(InvalidParameterError, match="unknown properties"):
            Measure("m", "regr", lambda p: 0.0, minimize=True, properties={"needs_gpu"})
        with pytest.raises(InvalidParameterError, match="minimize"):
            jt.msr("regr.mse", minimize="yes")

    def test_aggregate(self):
        measure = jt.msr("regr.mse")
        assert measure.aggregate([1.0, 2.0, 6.0]) == 3.0
        assert math.isnan(measure.aggregate([]))
        median = Measure("regr.med", "regr", lambda p: 0.0, minimize=True, aggregator=np.median)
        assert median.aggregate([1.0, 2.0, 6.0]) == 2.0

    def test_pickle_and_clone(self, binary):
        measure = jt.msr("classif.f1", average="macro")
        restored = pickle.loads(pickle.dumps(measure))
        assert restored.score(binary) == measure.score(binary)
        clone = measure.clone().configure(average="micro")
        assert measure.param_set.values["average"] == "macro"
        assert clone.param_set.values["average"] == "micro"

    def test_as_measures(self):
        assert [m.id for m in as_measures(None, "regr")] == ["regr.mse"]
        assert [m.id for m in as_measures(None, "classif")] == ["classif.ce"]
        assert [m.id for m in as_measures(["regr.mse", jt.msr("time_train")], "regr")] == ["regr.mse", "time_train"]
        with pytest.raises(InvalidParameterError, match="not regression"):
            as_measures("classif.ce", "regr")
        with pytest.raises(InvalidParameterError, match="distinct ids"):
            as_measures(["regr.mse", "regr.mse"], "regr")
        with pytest.raises(InvalidParameterError, match="empty"):
            as_measures([], "regr")
        with pytest.raises(InvalidParameterError, match="Measure or a measure key"):
            as_measures(3, "regr")


def test_registry_lists_every_builtin_measure_with_matching_metadata():
    table = jt.msrs()
    assert set(table["key"]) == set(BUILTIN_MEASURES) == {row[0] for row in MEASURES}
    assert list(table.columns) == ["key", "task_type", "minimize", "predict_type", "label"]
    for key, task_type, minimize, predict_type, label in MEASURES:
        measure = jt.msr(key)
        assert (measure.id, measure.task_type, measure.minimize, measure.predict_type, measure.label) == (
            key, task_type, minimize, predict_type, label
        )  # fmt: skip


def test_msrs_builds_several():
    assert [m.id for m in jt.msrs(["regr.mse", "regr.mae"])] == ["regr.mse", "regr.mae"]
