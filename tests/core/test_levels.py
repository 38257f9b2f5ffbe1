"""The one rule for factor levels: order, codes, unseen levels, missing values (and its three users)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch.core.levels import UNKNOWN, contrast_matrix, encode_levels, factor_levels, level_codes


def test_categorical_levels_keep_category_order_including_unused_categories():
    series = pd.Series(pd.Categorical(["lo", "hi"], categories=["lo", "mid", "hi"], ordered=True))
    assert factor_levels(series) == ["lo", "mid", "hi"]


def test_other_levels_are_the_sorted_distinct_non_missing_values():
    assert factor_levels(pd.Series(["pear", None, "apple", "pear", np.nan])) == ["apple", "pear"]
    assert factor_levels(pd.Series([10, 9, 10])) == [9, 10]  # numbers sort as numbers
    assert factor_levels(pd.Series([10, "x", 9], dtype=object)) == [10, 9, "x"]  # mixed types: by text


def test_codes_unseen_and_missing_are_unknown():
    codes = level_codes(pd.Series(["b", None, "zzz", "a", np.nan]), ["a", "b"])
    assert codes.tolist() == [1, UNKNOWN, UNKNOWN, 0, UNKNOWN]
    assert codes.dtype == np.int64


def test_codes_of_a_categorical_with_other_categories_follow_the_given_levels():
    series = pd.Series(pd.Categorical(["a", "c", None], categories=["c", "a"]))
    assert level_codes(series, ["a", "b", "c"]).tolist() == [0, 2, UNKNOWN]


def test_codes_of_a_categorical_are_a_writable_copy():
    series = pd.Series(pd.Categorical(["a", "b"]))
    codes = level_codes(series, ["a", "b"])
    codes[:] = 7
    assert series.cat.codes.tolist() == [0, 1]


def test_values_match_levels_of_another_type_by_text():
    assert level_codes(pd.Series(["1", "3", None], dtype=object), [1, 2, 3]).tolist() == [0, 2, UNKNOWN]


def test_encode_levels_unseen_is_zeros_missing_is_nan():
    out = encode_levels(pd.Series(["b", "zzz", None]), ["a", "b", "c"], contrast_matrix(3, "treatment")[0])
    np.testing.assert_array_equal(out, [[1.0, 0.0], [0.0, 0.0], [np.nan, np.nan]])


def test_unknown_method_names_the_valid_ones():
    with pytest.raises(ValueError, match="helmert"):
        contrast_matrix(3, "dummy")


def test_the_three_users_agree_on_order_unseen_and_missing():
    import jupytorch as jt
    from jupytorch.learners.encoder import FeatureEncoder
    from jupytorch.nn.ingress import ingress_categ

    train = pd.DataFrame({"c": pd.Categorical(["b", "a", "c"], categories=["c", "a", "b"]), "y": [1.0, 2.0, 3.0]})
    new = pd.DataFrame({"c": pd.Categorical(["a", "zzz", None]), "y": [0.0, 0.0, 0.0]})
    task, new_task = jt.as_task_regr(train, target="y"), jt.as_task_regr(new, target="y")

    encoder = FeatureEncoder().fit(train[["c"]], {"c": "factor"})
    assert encoder.feature_names_out_ == ["c.c", "c.a", "c.b"]
    learner_codes = encoder.transform(new[["c"]])

    op = jt.po("encode")
    op.train([task])
    assert op.predict([new_task])[0].feature_names == ["c.c", "c.a", "c.b"]
    pipeop_codes = op.predict([new_task])[0].data(cols=["c.c", "c.a", "c.b"]).to_numpy()

    np.testing.assert_array_equal(learner_codes, pipeop_codes)
    np.testing.assert_array_equal(learner_codes, [[0, 1, 0], [0, 0, 0], [np.nan, np.nan, np.nan]])

    token = ingress_categ().bind(task)
    assert token.get(new[["c"]]).tolist() == [[1], [3], [3]]  # "a" is level 1; unseen and missing: reserved 3
def test_contrast_matrices():
    helmert, _ = contrast_matrix(4, "helmert")
    assert helmert.tolist() == [[-1, -1, -1], [1, -1, -1], [0, 2, -1], [0, 0, 3]]
    total, names = contrast_matrix(3, "sum")
    assert total.tolist() == [[1, 0], [0, 1], [-1, -1]] and names == ["1", "2"]
    poly, names = contrast_matrix(3, "poly")
    assert names == [".L", ".Q"]
    np.testing.assert_allclose(np.abs(poly[:, 0]), [1 / np.sqrt(2), 0, 1 / np.sqrt(2)], atol=1e-12)
    np.testing.assert_allclose(poly.T @ poly, np.eye(2), atol=1e-12)  # orthonormal
    np.testing.assert_allclose(poly.sum(axis=0), 0.0, atol=1e-12)  # contrasts


