"""t_clbk, t_clbks and as_torch_callback(s) (jupytorch/nn/callbacks/sugar.py): callbacks from the registry."""

from __future__ import annotations

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError, UnknownKeyError
from jupytorch.core.registry import registry
from jupytorch.nn.callbacks.early_stopping import CallbackEarlyStopping
from jupytorch.nn.callbacks.history import CallbackHistory
from jupytorch.nn.callbacks.sugar import as_torch_callback, as_torch_callbacks, t_clbk, t_clbks

from ..conftest import mlp


def test_t_clbk_builds_a_fresh_callback_with_its_values():
    step = t_clbk("lr_step", step_size=10, gamma=0.5)
    assert step.id == "lr_step" and step.param_set.values == {"step_size": 10, "gamma": 0.5}
    assert step.step_size == 10  # the values are the callback's attributes too
    first, second = t_clbk("history"), t_clbk("history")
    assert isinstance(first, CallbackHistory) and first is not second
    assert jt.t_clbk is t_clbk and jt.t_clbks is t_clbks


def test_t_clbk_names_the_key_or_parameter_it_does_not_know():
    with pytest.raises(UnknownKeyError, match="Unknown callback 'histroy'. Did you mean 'history'"):
        t_clbk("histroy")
    with pytest.raises(UnknownKeyError, match="unknown parameter 'step_sise'. Did you mean 'step_size'"):
        t_clbk("lr_step", step_sise=3)


def test_t_clbks_lists_the_registry_or_builds_several():
    listing = t_clbks()
    assert isinstance(listing, pd.DataFrame) and list(listing.columns) == ["key", "label"]
    assert list(listing["key"]) == registry("callback").keys()
    assert {"history", "progress", "checkpoint", "lr_step", "unfreeze"} <= set(listing["key"])
    assert "early_stopping" not in set(listing["key"])  # the learner adds it (patience > 0)
    assert [cb.id for cb in t_clbks(["history", "progress"])] == ["history", "progress"]
    assert t_clbks([]) == []


def test_as_torch_callback_takes_instances_subclasses_and_keys():
    history = t_clbk("history")
    assert as_torch_callback(history) is history
    assert isinstance(as_torch_callback(CallbackHistory), CallbackHistory)
    assert isinstance(as_torch_callback("history"), CallbackHistory)
    with pytest.raises(InvalidParameterError, match="Cannot use a int as a callback; give jt.t_clbk"):
        as_torch_callback(3)
    with pytest.raises(InvalidParameterError, match="Cannot use a type as a callback"):
        as_torch_callback(dict)


def test_as_torch_callbacks_takes_none_one_or_a_list():
    assert as_torch_callbacks(None) == []
    history = t_clbk("history")
    assert as_torch_callbacks(history) == [history]
    assert [cb.id for cb in as_torch_callbacks(("history", CallbackHistory().set_id("again")))] == ["history", "again"]


def test_callback_ids_must_be_unique():
    with pytest.raises(InvalidParameterError, match="ids must be unique"):
        mlp(callbacks=[jt.t_clbk("history"), jt.t_clbk("history")])
    with pytest.raises(InvalidParameterError, match="Two callbacks have the id 'history'.*cb.set_id"):
        as_torch_callbacks(["history", CallbackHistory()])
    assert len(as_torch_callbacks([t_clbk("history"), t_clbk("history").set_id("history_2")])) == 2


def test_the_early_stopping_id_is_reserved_for_the_learner():
    with pytest.raises(InvalidParameterError, match="'early_stopping' is reserved"):
        as_torch_callbacks(CallbackEarlyStopping())
    with pytest.raises(InvalidParameterError, match="'early_stopping' is reserved"):
        mlp(callbacks=jt.torch_callback("early_stopping", on_epoch_end=lambda cb: None))
