"""po("colapply") and po("sklearn", transformer=...)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder

from jupytorch import po, selector_name, selector_type
from jupytorch.core.exceptions import InvalidParameterError


def test_colapply_vectorised_and_elementwise(regr_task):
    op = po("colapply", applicator=np.sqrt, affect_columns=selector_name(["x1"]))
    out = op.train([regr_task])[0].data()
    np.testing.assert_allclose(out["x1"], np.sqrt(np.arange(1, 9)))
    assert out["x2"].iloc[0] == 2.0
    upper = po("colapply", applicator=str.upper, affect_columns=selector_type("factor"))
    assert upper.train([regr_task])[0].data()["f"].tolist()[:2] == ["A", "B"]


def test_colapply_requires_a_function(regr_task):
    with pytest.raises(InvalidParameterError, match="required parameter"):
        po("colapply").train([regr_task])
    with pytest.raises(InvalidParameterError, match="must be a function"):
        po("colapply", applicator=3)


def test_sklearn_transformer_fit_in_train_only(regr_task):
    op = po("sklearn", transformer=MinMaxScaler(), affect_columns=selector_type("numeric"))
    train = regr_task.clone().filter(range(4))
    out = op.train([train])[0]
    assert out.feature_names == regr_task.feature_names  # same names keep their places
    np.testing.assert_allclose(out.data()["x1"], [0.0, 1 / 3, 2 / 3, 1.0])
    predicted = op.predict([regr_task.clone().filter([7])])[0].data()["x1"]
    np.testing.assert_allclose(predicted, [(8.0 - 1.0) / 3.0])


def test_sklearn_params_become_pipeop_params(regr_task):
    transformer = PCA()
    op = po("sklearn", transformer=transformer, id="skpca", n_components=2, affect_columns=selector_type("numeric"))
    assert "n_components" in op.param_set and op.param_set.values["n_components"] == 2
    out = op.train([regr_task])[0]
    assert out.feature_names == ["n", "f", "pca0", "pca1"]
    assert transformer.n_components is None  # the user's object is never changed
    assert op.state["transformer"].n_components == 2


def test_sklearn_sparse_output_and_names(regr_task):
    op = po("sklearn", transformer=OneHotEncoder(handle_unknown="ignore"), affect_columns=selector_type("factor"))
    out = op.train([regr_task])[0]
    assert out.feature_names[-3:] == ["f_a", "f_b", "f_c"]


def test_sklearn_rejects_non_transformers():
    with pytest.raises(InvalidParameterError, match="scikit-learn transformer"):
        po("sklearn", transformer=3)
