"""ParamSet and parameters: types, bounds, levels, nesting, aliases, to_tune, required."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError
from jupytorch.core.paramset import ParamDbl, ParamFct, ParamInt, ParamLgl, ParamSet, ParamUty, TuneToken, to_tune


@pytest.fixture
def ps():
    return ParamSet(
        {
            "k": ParamInt(1, 50, default=7),
            "cp": ParamDbl(0, 1, default=0.01),
            "method": ParamFct(["one-hot", "treatment"]),
            "bias": ParamLgl(default=True),
            "neurons": ParamUty(custom_check=lambda v: isinstance(v, tuple) or "a tuple of ints"),
            "depth": ParamInt(1, None, default=None),
        },
        owner="Learner 'toy'",
    )


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

    def test_failed_call_changes_nothing(self, ps):
        with pytest.raises(InvalidParameterError):
            ps.set_values(k=3, cp=7)
        assert ps.values == {}

    def test_unknown_parameter(self, ps):
        with pytest.raises(UnknownKeyError, match=r"unknown parameter 'kk'.*Did you mean 'k'"):
            ps.set_values(kk=3)

    def test_definition_errors(self):
        with pytest.raises(InvalidParameterError, match="above upper"):
            ParamInt(5, 1)
        with pytest.raises(InvalidParameterError, match="non-empty list"):
            ParamFct([])
        with pytest.raises(InvalidParameterError, match="Unknown parameter tags"):
            ParamInt(tags={"trian"})
        with pytest.raises(InvalidParameterError, match="may not contain"):
            ParamSet({"a__b": ParamInt()})
        with pytest.raises(InvalidParameterError, match="already used"):
            ParamSet({"a": ParamInt()}).add("a", ParamInt())


class TestValues:
    def test_defaults_unset_reset(self, ps):
        assert ps.default["k"] == 7 and "method" not in ps.default
        ps.set_values(k=3, cp=0.5)
        ps.unset("k")
        assert ps.values == {"cp": 0.5}
        ps.values = {"k": 9}
        assert ps.values == {"k": 9}
        ps.reset_values()
        assert ps.values == {}

    def test_required(self):
        ps = ParamSet({"n": ParamInt(1, None, tags={"required", "train"}), "m": ParamInt(tags={"predict"})}, owner="PipeOp 'x'")
        assert ps["n"].required and ps.ids(tags=["train"]) == ["n"]
        with pytest.raises(InvalidParameterError, match=r"PipeOp 'x': required parameter\(s\) \['n'\] have no value"):
            ps.get_values(check_required=True)
        ps.set_values(n=2, m=1)
        assert ps.get_values(check_required=True, tags=["predict"]) == {"m": 1}

    def test_as_data_frame_and_repr(self, ps):
        ps.set_values(k=3)
        table = ps.as_data_frame()
        assert table.loc[table["id"] == "k", "value"].item() == 3 and table.loc[table["id"] == "cp", "upper"].item() == 1
        assert "k: int = 3" in repr(ps)


class TestNesting:
    @pytest.fixture
    def nested(self):
        parent = ParamSet({"epochs": ParamInt(1, None)}, owner="Learner 'mlp'")
        opt = ParamSet({"lr": ParamDbl(0, None, default=1e-3), "betas": ParamUty()})
        inner = ParamSet({"p": ParamDbl(0, 1)})
        opt.add_child("deep", inner)
        parent.add_child("opt", opt)
        return parent, opt

    def test_double_underscore_and_dotted_aliases(self, nested):
        parent, opt = nested
        parent.set_values(epochs=3, opt__lr=0.1)
        parent.set_values({"opt.deep.p": 0.5})
        assert parent.values == {"epochs": 3, "opt__lr": 0.1, "opt__deep__p": 0.5}
        assert opt.values == {"lr": 0.1, "deep__p": 0.5}  # the child holds its own values
        assert "opt__deep__p" in parent and "opt.lr" in parent and len(parent) == 4
        assert parent["opt.lr"].default == 1e-3

    def test_nested_errors_name_the_full_id(self, nested):
        parent, _ = nested
        with pytest.raises(InvalidParameterError, match=r"parameter 'opt__deep__p' must be a number in \[0, 1\]"):
            parent.set_values(opt__deep__p=2)
        with pytest.raises(UnknownKeyError, match="Did you mean 'opt__lr'"):
            parent.set_values(opt__lrr=0.1)

    def test_prefix_rules(self, nested):
        parent, _ = nested
        with pytest.raises(InvalidParameterError, match="already used"):
            parent.add_child("opt", ParamSet())
        with pytest.raises(InvalidParameterError, match="plain id"):
            parent.add_child("a.b", ParamSet())
        removed = parent.remove_child("opt")
        assert "lr" in removed.params and "opt__lr" not in parent


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

    def test_running_with_tokens_is_refused(self, ps):
        ps.set_values(k=to_tune())
        with pytest.raises(InvalidParameterError, match=r"\['k'\] are set to to_tune\(\)"):
            ps.get_values(tune_tokens=False)
        assert isinstance(ps.get_values()["k"], TuneToken)

    def test_token_equality_and_pickle(self):
        assert to_tune(1, 2) == to_tune(1, 2) and to_tune(1, 2) != to_tune(1, 3)
        ps = ParamSet({"k": ParamInt(1, 5)}).set_values(k=to_tune())
        assert pickle.loads(pickle.dumps(ps)).values == ps.values


def test_get_values_with_defaults_fills_declared_defaults_under_set_values():
    ps = ParamSet({"cp": ParamDbl(0, 1, default=0.01), "k": ParamInt(1, None), "tags": ParamUty([], tags={"train"})})
    ps.set_values(cp=0.2)
    assert ps.get_values() == {"cp": 0.2}
    assert ps.get_values(with_defaults=True) == {"cp": 0.2, "tags": []}  # no default, no value: absent
    assert ps.get_values(tags=["train"], with_defaults=True) == {"tags": []}


def test_filled_mutable_defaults_are_fresh_copies():
    ps = ParamSet({"tags": ParamUty([], tags={"train"})})
    ps.get_values(with_defaults=True)["tags"].append("changed")
    assert ps.get_values(with_defaults=True)["tags"] == [] and ps["tags"].default == []


def test_cached_structure_follows_added_params_and_children():
    ps = ParamSet({"a": ParamInt(1, 10, default=2)})
    assert ps.get_values(with_defaults=True) == {"a": 2}
    ps.add("b", ParamDbl(0, 1, default=0.5))
    child = ParamSet({"lr": ParamDbl(0, None, default=1e-3)})
    ps.add_child("opt", child)
    assert ps.get_values(with_defaults=True) == {"a": 2, "b": 0.5, "opt__lr": 1e-3}
    child.add("momentum", ParamDbl(0, 1, default=0.9))  # a change inside a child shows in the parent
    assert "opt__momentum" in ps.params and ps.get_values(with_defaults=True)["opt__momentum"] == 0.9
    ps.remove_child("opt")
    assert ps.get_values(with_defaults=True) == {"a": 2, "b": 0.5}


def test_mutable_defaults_are_fresh_on_every_call_and_copies_do_not_share_the_cache():
    ps = ParamSet({"layers": ParamUty(default=[8, 8])})
    first = ps.get_values(with_defaults=True)
    first["layers"].append(99)
    assert ps.get_values(with_defaults=True)["layers"] == [8, 8]
    ps.params  # fill the cache, then copy: the copy rebuilds its own
    copied = pickle.loads(pickle.dumps(ps))
    assert "_structure_cache" not in copied.__dict__
    copied.add("extra", ParamInt(0, 1, default=1))
    assert copied.get_values(with_defaults=True) == {"layers": [8, 8], "extra": 1}
    assert "extra" not in ps.params


def test_a_deep_copy_shares_the_definitions_and_copies_values_and_structure():
    import copy

    child = ParamSet({"lr": ParamDbl(0, None, default=1e-3)})
    ps = ParamSet({"cp": ParamDbl(0, 1, default=0.01), "grid": ParamUty(default=[1, 2])})
    ps.add_child("opt", child)
    ps.set_values(cp=0.2, opt__lr=0.5)
    assert ps.get_values(with_defaults=True)["grid"] == [1, 2]  # fills the structure cache
    twin = copy.deepcopy(ps)
    assert twin.params["cp"] is ps.params["cp"]
    twin.set_values(cp=0.7, opt__lr=0.1)
    twin.add("extra", ParamInt(1, 3))
    twin.get_values(with_defaults=True)["grid"].append(3)
    assert ps.values == {"cp": 0.2, "opt__lr": 0.5}
    assert "extra" not in ps.params and "extra" in twin.params
    assert ps.get_values(with_defaults=True)["grid"] == [1, 2]
    assert twin.get_values(with_defaults=True) == {"cp": 0.7, "grid": [1, 2], "opt__lr": 0.1}
