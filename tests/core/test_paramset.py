"""ParamSet: setting values on its parameters, unknown ids, defaults, required, nesting, aliases, tokens in values, copies."""

from __future__ import annotations

import pickle

import pytest

from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError
from jupytorch.core.param import ParamDbl, ParamInt, ParamUty
from jupytorch.core.paramset import ParamSet
from jupytorch.core.tune_token import TuneToken, to_tune


class TestTypes:
    def test_failed_call_changes_nothing(self, ps):
        with pytest.raises(InvalidParameterError):
            ps.set_values(k=3, cp=7)
        assert ps.values == {}

    def test_unknown_parameter(self, ps):
        with pytest.raises(UnknownKeyError, match=r"unknown parameter 'kk'.*Did you mean 'k'"):
            ps.set_values(kk=3)

    def test_definition_errors(self):
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
    def test_running_with_tokens_is_refused(self, ps):
        ps.set_values(k=to_tune())
        with pytest.raises(InvalidParameterError, match=r"\['k'\] are set to to_tune\(\)"):
            ps.get_values(tune_tokens=False)
        assert isinstance(ps.get_values()["k"], TuneToken)


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
