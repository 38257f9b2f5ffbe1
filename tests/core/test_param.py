"""Single parameter definitions: types, bounds, levels, special values, conversion and definition errors."""

from __future__ import annotations

import numpy as np
import pytest

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.param import ParamFct, ParamInt
from jupytorch.core.paramset import ParamSet


class TestTypes:
    def test_valid_values_and_conversion(self, ps):
        ps.set_values(k=np.int64(3), cp=1, method="treatment", bias=np.bool_(False), neurons=(10, 20), depth=None)
        assert ps.values == {"k": 3, "cp": 1.0, "method": "treatment", "bias": False, "neurons": (10, 20), "depth": None}
        assert type(ps.values["k"]) is int and type(ps.values["cp"]) is float and type(ps.values["bias"]) is bool
        ps.set_values(k=4.0)
        assert ps.values["k"] == 4 and type(ps.values["k"]) is int

    @pytest.mark.parametrize(
        "key, value, message",
        [
            ("k", 0, r"Learner 'toy': parameter 'k' must be an integer in \[1, 50\]. Got 0 instead."),
            ("k", 2.5, r"an integer in \[1, 50\]"),
            ("k", True, "an integer"),
            ("cp", 1.5, r"a number in \[0, 1\]"),
            ("cp", float("nan"), "a number"),
            ("cp", "0.1", "a number"),
            ("method", "one_hot", r"one of 'one-hot', 'treatment'.*did you mean 'one-hot'"),
            ("bias", 1, "True or False"),
            ("neurons", [10, 20], "a tuple of ints"),
            ("depth", 0, r"\[1, inf\]"),
        ],
    )
    def test_invalid_values_name_parameter_value_and_range(self, ps, key, value, message):
        with pytest.raises(InvalidParameterError, match=message):
            ps.set_values(**{key: value})

    def test_none_only_where_allowed(self, ps):
        with pytest.raises(InvalidParameterError, match="'k'"):
            ps.set_values(k=None)
        assert ParamSet({"x": ParamInt(special_vals=[None])}).set_values(x=None).values == {"x": None}

    def test_definition_errors(self):
        with pytest.raises(InvalidParameterError, match="above upper"):
            ParamInt(5, 1)
        with pytest.raises(InvalidParameterError, match="non-empty list"):
            ParamFct([])
        with pytest.raises(InvalidParameterError, match="Unknown parameter tags"):
            ParamInt(tags={"trian"})
