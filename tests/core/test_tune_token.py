"""The to_tune() token: completion from the parameter (resolved_for), its errors, internal tuning, equality, pickling."""

from __future__ import annotations

import pickle

import pytest

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.param import ParamInt
from jupytorch.core.paramset import ParamSet
from jupytorch.core.tune_token import to_tune


class TestToTune:
    def test_tokens_are_completed_from_the_parameter(self, ps):
        ps.set_values(k=to_tune(), cp=to_tune(1e-4, 0.1, logscale=True), method=to_tune(), bias=to_tune())
        tokens = ps.tune_tokens()
        assert (tokens["k"].lower, tokens["k"].upper, tokens["k"].param_type) == (1, 50, "int")
        assert tokens["cp"].logscale and tokens["cp"].lower == 1e-4
        assert tokens["method"].levels == ["one-hot", "treatment"]
        assert tokens["bias"].levels == [True, False]
        assert repr(to_tune(["relu", "sigmoid"])) == "to_tune(['relu', 'sigmoid'])"

    @pytest.mark.parametrize(
        "key, token, message",
        [
            ("k", to_tune(0, 10), "bound 0 is not an integer"),
            ("k", to_tune(10, 5), "lower 10 is above upper 5"),
            ("depth", to_tune(), "needs finite bounds"),
            ("cp", to_tune(0, 1, logscale=True), "logscale=True needs lower > 0"),
            ("method", to_tune(["one-hot", "dummy"]), r"levels \['dummy'\] are not in"),
            ("neurons", to_tune(), "untyped parameter needs a list"),
            ("k", to_tune(upper=10, internal=True), "internal_tuning"),
        ],
    )
    def test_invalid_tokens(self, ps, key, token, message):
        with pytest.raises(InvalidParameterError, match=message):
            ps.set_values(**{key: token})

    def test_internal_tuning(self):
        ps = ParamSet({"epochs": ParamInt(1, None, tags={"internal_tuning", "train"})})
        ps.set_values(epochs=to_tune(upper=100, internal=True))
        token = ps.tune_tokens()["epochs"]
        assert token.internal and token.upper == 100
        with pytest.raises(InvalidParameterError, match="with internal=True needs an upper bound"):
            ps.set_values(epochs=to_tune(internal=True))

    def test_token_equality_and_pickle(self):
        assert to_tune(1, 2) == to_tune(1, 2) and to_tune(1, 2) != to_tune(1, 3)
        ps = ParamSet({"k": ParamInt(1, 5)}).set_values(k=to_tune())
        assert pickle.loads(pickle.dumps(ps)).values == ps.values
