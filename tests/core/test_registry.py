"""Registries and the sugar functions behind them."""

from __future__ import annotations

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError, did_you_mean
from jupytorch.core.registry import Registry, registry
from jupytorch.core.sugar import build


class Thing:
    def __init__(self, size=1):
        self.size = size
        self.configured = {}

    def configure(self, **kw):
        self.configured.update(kw)
        return self


def test_did_you_mean():
    assert did_you_mean("mtcrs", ["mtcars", "iris"]) == " Did you mean 'mtcars'?"
    assert did_you_mean("zzz", ["mtcars", "iris"]) == ""
    assert "'classif.rpart'" in did_you_mean("rpart", ["classif.rpart", "regr.lm"])


class TestRegistry:
    def test_add_get_meta_remove(self):
        reg = Registry("colour")
        reg.add("red", lambda: (255, 0, 0), family="warm")
        assert reg.get("red") == (255, 0, 0) and reg.meta("red") == {"family": "warm"}
        assert "red" in reg and len(reg) == 1 and list(reg) == ["red"] and reg.keys() == ["red"]
        reg.remove("red")
        assert "red" not in reg

    def test_string_factories_are_imported_on_use(self):
        reg = Registry("thing")
        reg.add("od", "collections:OrderedDict")
        assert type(reg.get("od")).__name__ == "OrderedDict"

    def test_unknown_key_names_close_keys(self):
        reg = Registry("task")
        reg.add("mtcars", dict)
        reg.add("iris", dict)
        with pytest.raises(UnknownKeyError, match=r"Unknown task 'mtcrs'. Did you mean 'mtcars'\?"):
            reg.get("mtcrs")
        with pytest.raises(UnknownKeyError, match=r"Valid keys include 'iris', 'mtcars'"):
            reg.get("zzz")
        with pytest.raises(UnknownKeyError, match="must be a string"):
            reg.get(3)

    def test_unknown_registry(self):
        with pytest.raises(UnknownKeyError, match="Did you mean 'measure'"):
            registry("measures")

    def test_sugar_lookups_fail_with_hints(self):
        with pytest.raises(UnknownKeyError, match="Did you mean 'cv'"):
            jt.rsmp("cvv")
        with pytest.raises(UnknownKeyError, match="Did you mean .*'classif.acc'"):
            jt.msr("classif.ac")
        with pytest.raises(AttributeError, match="Did you mean 'resample'"):
            jt.resampel  # noqa: B018


class TestBuild:
    def test_constructor_and_configure_arguments(self):
        reg = Registry("thing")
        reg.add("thing", Thing)
        obj = build(reg, "thing", {"size": 3, "colour": "red"})
        assert obj.size == 3 and obj.configured == {"colour": "red"}

    def test_param_set_fallback(self):
        class Plain:
            def __init__(self):
                from jupytorch.core.param import ParamInt
                from jupytorch.core.paramset import ParamSet

                self.param_set = ParamSet({"k": ParamInt(1, 5)})

        reg = Registry("plain")
        reg.add("plain", Plain)
        assert build(reg, "plain", {"k": 2}).param_set.values == {"k": 2}
        with pytest.raises(InvalidParameterError, match="'k'"):
            build(reg, "plain", {"k": 9})

    def test_listings(self):
        assert isinstance(jt.msrs(), pd.DataFrame) and isinstance(jt.rsmps(), pd.DataFrame)
        assert jt.rsmp("cv", folds=3).param_set.values["folds"] == 3
        assert jt.msr("classif.f1", average="macro").param_set.values["average"] == "macro"


def test_top_level_names_resolve():
    for name in ("Measure", "Resampling", "partition", "resample", "ResampleResult", "benchmark", "benchmark_grid", "BenchmarkResult"):
        assert getattr(jt, name) is not None
    assert "resample" in dir(jt)
