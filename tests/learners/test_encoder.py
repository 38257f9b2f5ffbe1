"""FeatureEncoder: one-hot/treatment coding with frozen levels, ordered codes, logicals, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.learners.encoder import FeatureEncoder

TYPES = {"x": "numeric", "n": "integer", "b": "logical", "f": "factor", "o": "ordered"}


def frame():
    return pd.DataFrame(
        {
            "x": [1.5, np.nan, 3.0],
            "n": pd.array([1, None, 3], dtype="Int64"),
            "b": [True, False, True],
            "f": pd.Categorical(["a", "b", None], categories=["a", "b", "c"]),
            "o": pd.Categorical(["lo", "hi", None], categories=["lo", "mid", "hi"], ordered=True),
        }
    )


def test_one_hot_keeps_all_levels_and_names_columns():
    enc = FeatureEncoder().fit(frame(), TYPES)
    assert enc.feature_names_out_ == ["x", "n", "b", "f.a", "f.b", "f.c", "o"]
    assert enc.source_ == ["x", "n", "b", "f", "f", "f", "o"]
    out = enc.transform(frame())
    expected = np.array(
        [
            [1.5, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
            [np.nan, np.nan, 0.0, 0.0, 1.0, 0.0, 2.0],
            [3.0, 3.0, 1.0, np.nan, np.nan, np.nan, np.nan],
        ]
    )
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float64 and out.flags.c_contiguous


def test_treatment_drops_the_first_level():
    enc = FeatureEncoder("treatment").fit(frame(), TYPES)
    assert [n for n in enc.feature_names_out_ if n.startswith("f.")] == ["f.b", "f.c"]


def test_levels_are_frozen_at_fit_unseen_levels_give_zeros_or_nan():
    enc = FeatureEncoder().fit(frame(), TYPES)
    new = frame().assign(
        f=pd.Categorical(["zzz", "c", "a"]),  # other categories, other order
        o=pd.Categorical(["mid", "huge", "lo"], categories=["lo", "mid", "hi", "huge"], ordered=True),
    )
    out = enc.transform(new)
    np.testing.assert_array_equal(out[:, 3:6], [[0, 0, 0], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(out[:, 6], [1.0, np.nan, 0.0])


def test_plain_strings_match_fit_levels():
    enc = FeatureEncoder().fit(frame(), TYPES)
    out = enc.transform(frame().assign(f=["b", "a", "new"]))
    np.testing.assert_array_equal(out[:, 3:6], [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


def test_character_columns_use_sorted_distinct_values():
    df = pd.DataFrame({"s": ["pear", "apple", None, "pear"]})
    enc = FeatureEncoder().fit(df, {"s": "character"})
    assert enc.feature_names_out_ == ["s.apple", "s.pear"]
    np.testing.assert_array_equal(enc.transform(df), [[0, 1], [1, 0], [np.nan, np.nan], [0, 1]])


def test_logical_object_column_with_missing_values():
    df = pd.DataFrame({"b": [True, None, False]})
    out = FeatureEncoder().fit_transform(df, {"b": "logical"})
    np.testing.assert_array_equal(out[:, 0], [1.0, np.nan, 0.0])


def test_sum_by_feature_adds_up_one_hot_columns():
    enc = FeatureEncoder().fit(frame(), TYPES)
    out = enc.sum_by_feature([0.1, 0.0, 0.2, 0.1, 0.2, 0.3, 0.1])
    assert out.to_dict() == pytest.approx({"x": 0.1, "n": 0.0, "b": 0.2, "f": 0.6, "o": 0.1})


def test_errors_name_the_column():
    enc = FeatureEncoder().fit(frame(), TYPES)
    with pytest.raises(TaskError, match="'x'"):
        enc.transform(frame().drop(columns="x"))
    with pytest.raises(TaskError, match="Feature 'x' was numeric"):
        enc.transform(frame().assign(x=["a", "b", "c"]))
    with pytest.raises(TaskError, match="'lazy_tensor'"):
        FeatureEncoder().fit(frame(), {**TYPES, "x": "lazy_tensor"})
    with pytest.raises(InvalidParameterError, match="method"):
        FeatureEncoder("dummy")
