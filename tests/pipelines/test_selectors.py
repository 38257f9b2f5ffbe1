"""Selectors pick feature names from a Task (or names from a list)."""

from __future__ import annotations

import pickle

import pytest

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.pipelines.selectors import (
    as_selector,
    selector_all,
    selector_grep,
    selector_intersect,
    selector_invert,
    selector_missing,
    selector_name,
    selector_none,
    selector_setdiff,
    selector_type,
    selector_union,
)


def test_all_and_none(regr_task):
    assert selector_all()(regr_task) == ["x1", "x2", "n", "f"]
    assert selector_none()(regr_task) == []


def test_name_keeps_task_order_and_can_assert(regr_task):
    assert selector_name(["f", "x1", "zz"])(regr_task) == ["x1", "f"]
    with pytest.raises(TaskError, match=r"\['zz'\] are not in task 'toy_regr'"):
        selector_name(["zz"], assert_present=True)(regr_task)
    assert selector_name("x2")(regr_task) == ["x2"]


def test_type(regr_task):
    assert selector_type("numeric")(regr_task) == ["x1", "x2"]
    assert selector_type(["integer", "factor"])(regr_task) == ["n", "f"]
    with pytest.raises(InvalidParameterError, match="unknown feature type"):
        selector_type("numerc")
    with pytest.raises(TaskError, match="needs a Task"):
        selector_type("numeric")(["a"])


def test_grep(regr_task):
    assert selector_grep("^x")(regr_task) == ["x1", "x2"]
    assert selector_grep("X", ignore_case=True)(regr_task) == ["x1", "x2"]
    assert selector_grep("X")(regr_task) == []
    assert selector_grep("a.b", fixed=True)(["a.b", "axb"]) == ["a.b"]
    assert selector_grep("a.b")(["a.b", "axb"]) == ["a.b", "axb"]


def test_combinations(regr_task):
    assert selector_invert(selector_type("numeric"))(regr_task) == ["n", "f"]
    assert selector_union(selector_name("f"), selector_grep("1"))(regr_task) == ["x1", "f"]
    assert selector_intersect(selector_grep("x"), selector_grep("2"))(regr_task) == ["x2"]
    assert selector_setdiff(selector_all(), selector_type("numeric"), selector_name("f"))(regr_task) == ["n"]
    assert (~selector_name("f") & selector_grep("^x"))(regr_task) == ["x1", "x2"]
    assert (selector_name("f") | selector_name("n"))(regr_task) == ["n", "f"]


def test_missing(missing_task):
    assert selector_missing()(missing_task) == ["x", "k", "f"]


def test_repr_equality_and_pickle():
    sel = selector_invert(selector_grep("^x", ignore_case=True))
    assert repr(sel) == "selector_invert(selector_grep('^x', ignore_case=True))"
    assert pickle.loads(pickle.dumps(sel)) == sel
    assert repr(selector_union(selector_all(), selector_none())) == "selector_union(selector_all(), selector_none())"


def test_as_selector():
    assert as_selector(["a"])(["a", "b"]) == ["a"]
    assert as_selector(lambda task: ["b"])(["a", "b"]) == ["b"]
    with pytest.raises(InvalidParameterError, match="Cannot use 3"):
        as_selector(3)


def test_names_of_parameters_for_callbacks():
    names = ["fc.weight", "fc.bias", "conv.weight"]
    assert selector_name(["fc.weight", "fc.bias"])(names) == ["fc.weight", "fc.bias"]
    assert selector_grep("weight$")(names) == ["fc.weight", "conv.weight"]
