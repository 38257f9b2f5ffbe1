"""PredictionClassif and PredictionRegr."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.prediction import Prediction, PredictionClassif, PredictionRegr


@pytest.fixture
def classif():
    return PredictionClassif([4, 7, 9], truth=["a", "b", "b"], class_names=["a", "b"], prob=[[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])


class TestClassif:
    def test_response_from_prob(self, classif):
        assert classif.response.tolist() == ["a", "b", "a"]
        assert classif.response.index.tolist() == [4, 7, 9]
        assert isinstance(classif.truth.dtype, pd.CategoricalDtype)
        assert classif.prob.loc[7, "b"] == 0.8 and classif.predict_types == ["response", "prob"]

    def test_prob_as_data_frame_is_reordered_by_class(self):
        prob = pd.DataFrame({"b": [0.3], "a": [0.7]})
        assert PredictionClassif([0], ["a"], ["a", "b"], prob=prob).prob.iloc[0].tolist() == [0.7, 0.3]

    def test_confusion_rows_are_responses(self, classif):
        matrix = classif.confusion
        assert matrix.index.name == "response" and matrix.columns.name == "truth"
        assert matrix.loc["a", "b"] == 1 and matrix.loc["a", "a"] == 1 and matrix.loc["b", "b"] == 1 and matrix.loc["b", "a"] == 0

    def test_threshold(self, classif):
        assert classif.set_threshold(0.95).response.tolist() == ["b", "b", "b"]
        assert classif.set_threshold(0.5).response.tolist() == ["a", "b", "a"]
        with pytest.raises(InvalidParameterError, match=r"\[0, 1\]"):
            classif.set_threshold(2)

    def test_as_data_frame(self, classif):
        frame = classif.as_data_frame()
        assert list(frame.columns) == ["row_ids", "truth", "response", "prob.a", "prob.b"]

    def test_filter_and_combine(self, classif):
        part = classif.filter([9, 4])
        assert part.row_ids.tolist() == [4, 9] and part.prob.shape == (2, 2)
        both = Prediction.combine([classif.filter([4]), classif.filter([7, 9])])
        assert both.row_ids.tolist() == [4, 7, 9] and both.response.tolist() == ["a", "b", "a"]
        no_prob = PredictionClassif([1], ["a"], ["a", "b"], response=["a"])
        assert Prediction.combine([classif, no_prob]).prob is None

    def test_shape_errors(self):
        with pytest.raises(InvalidParameterError, match=r"prob has shape \(1, 3\), expected \(1, 2\)"):
            PredictionClassif([0], ["a"], ["a", "b"], prob=[[0.2, 0.3, 0.5]])
        with pytest.raises(InvalidParameterError, match="needs a response or prob"):
            PredictionClassif([0], ["a"], ["a", "b"])
        with pytest.raises(InvalidParameterError, match="at least one"):
            Prediction.combine([])

    def test_repr(self, classif):
        assert repr(classif).startswith("<PredictionClassif> for 3 observations")
        assert "<b>PredictionClassif</b>" in classif._repr_html_()


class TestRegr:
    def test_fields_and_se(self):
        p = PredictionRegr([1, 2], truth=[1, 2], response=[1.5, 2.5], se=[0.1, 0.2])
        assert p.truth.dtype == float and p.se.tolist() == [0.1, 0.2] and p.predict_types == ["response", "se"]
        assert list(p.as_data_frame().columns) == ["row_ids", "truth", "response", "se"]
        assert p.filter([2]).se.tolist() == [0.2]

    def test_length_mismatch(self):
        with pytest.raises(InvalidParameterError, match=r"response has shape \(1,\), expected \(2,\)"):
            PredictionRegr([0, 1], [1.0, 2.0], [1.0])

    def test_combine(self):
        p = Prediction.combine([PredictionRegr([0], [1.0], [2.0]), PredictionRegr([1], [3.0], [3.0])])
        assert p.score("regr.mae") == 0.5
        np.testing.assert_array_equal(p.row_ids, [0, 1])
