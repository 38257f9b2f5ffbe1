"""Every registered PipeOp keeps the PipeOp contract, and the registry metadata fits the classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from jupytorch import as_task_classif, as_task_regr, lrn, po, selector_type
from jupytorch.core.registry import registry
from jupytorch.pipelines._register import PIPELINES, PIPEOPS
from jupytorch.pipelines.testing import check_pipeop

ARGS = {
    "learner": lambda: po("learner", lrn("regr.rpart")),
    "sklearn": lambda: po("sklearn", transformer=StandardScaler(), affect_columns=selector_type(["numeric", "integer"])),
    "colapply": lambda: po("colapply", applicator=np.abs, affect_columns=selector_type("numeric")),
    "imputeconstant": lambda: po("imputeconstant", constant=0.0, affect_columns=selector_type("numeric")),
    "targetmutate": lambda: po("targetmutate", trafo=np.negative, inverter=np.negative),
}


def _mixed(rows: range, classif: bool = False):
    rng = np.random.default_rng(0)
    n = 40
    frame = pd.DataFrame({
        "a": rng.normal(size=n),
        "b": np.where(np.arange(n) % 7 == 0, np.nan, rng.normal(size=n)),
        "i": rng.integers(0, 5, size=n),
        "f": pd.Categorical(rng.choice(["u", "v", "w"], size=n)),
        "y": rng.normal(size=n) if not classif else np.where(np.arange(n) % 4 == 0, "pos", "neg"),
    }).iloc[list(rows)]
    frame = frame.reset_index(drop=True)
    make = as_task_classif if classif else as_task_regr
    return make(frame, target="y", id="mixed")


@pytest.mark.parametrize("key", sorted(k for k in PIPEOPS if k != "targetinvert"))  # two inputs: test below
def test_pipeop_contract(key):
    op = ARGS[key]() if key in ARGS else po(key)
    classif = key == "classbalancing"
    train, test = _mixed(range(0, 30), classif), _mixed(range(30, 40), classif)
    if key == "pca":  # needs complete data
        train, test = (t.clone().select(["a", "i", "f"]) for t in (train, test))
    # a learner's state records its predict time, so only the others are checked for an unchanged state
    outputs = check_pipeop(op, [train], [test], check_state=key != "learner")
    assert len(outputs) == op.outnum


def test_targetinvert_contract():
    from jupytorch.core.prediction import PredictionRegr

    train, test = _mixed(range(30)), _mixed(range(30, 40))
    trafo = po("targettrafoscale")
    trafo.train([train])
    fun, transformed = trafo.predict([test])
    prediction = PredictionRegr(transformed.row_ids, transformed.truth(), np.zeros(transformed.nrow))
    outputs = check_pipeop(po("targetinvert"), [None, None], [fun, prediction])
    assert np.allclose(outputs[0].response, trafo.state["mean"])
    assert np.allclose(outputs[0].truth, test.truth())


def test_registry_metadata_matches_classes():
    for key, (_target, kind, label) in PIPEOPS.items():
        cls = registry("pipeop").factory(key)
        assert cls.kind == kind, key
        assert "Examples" in (cls.__doc__ or ""), f"{key}: the docstring needs an Examples section"
        assert registry("pipeop").meta(key) == {"kind": kind, "label": label}
    for key in PIPELINES:
        assert callable(registry("pipeline").factory(key))


def test_predict_on_one_row():
    for key in ("scale", "pca", "encode", "imputehist", "fixfactors", "removeconstants"):
        op = ARGS[key]() if key in ARGS else po(key)
        train = _mixed(range(30)).clone().select(["a", "i", "f"])
        op.train([train])
        out = op.predict([_mixed(range(35, 36)).clone().select(["a", "i", "f"])])[0]
        assert out.nrow == 1, key
