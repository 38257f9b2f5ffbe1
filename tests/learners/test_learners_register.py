"""The learners layer's registry entries: metadata agrees with the learners; nothing heavy on import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jupytorch import lrn, lrns
from jupytorch.learners._register import LEARNERS


@pytest.mark.parametrize("key", [k for k in LEARNERS if not k.endswith(".sklearn")])
def test_metadata_matches_the_learner(key):
    learner = lrn(key)
    meta = lrns().set_index("key").loc[key]
    assert learner.id == key
    assert meta["task_type"] == learner.task_type
    assert list(meta["predict_types"]) == learner.predict_types
    assert set(meta["properties"]) == learner.properties


def test_listing_and_importing_jupytorch_do_not_import_sklearn():
    code = "import sys, jupytorch as jt; jt.lrns(); jt.tsks(); assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lrn_sets_parameters_and_fields():
    learner = lrn("classif.rpart", maxdepth=3, predict_type="prob")
    assert learner.param_set.values == {"maxdepth": 3} and learner.predict_type == "prob"
