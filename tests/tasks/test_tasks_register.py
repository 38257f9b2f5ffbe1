"""tsks(): the catalogue listing agrees with the tasks and reads no data."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jupytorch import tsk, tsks
from jupytorch.core.exceptions import UnknownKeyError
from jupytorch.tasks._register import TASKS


def test_listing_has_the_columns_and_keys():
    listing = tsks()
    assert {"key", "task_type", "nrow", "ncol", "label"} <= set(listing.columns)
    assert set(TASKS) <= set(listing["key"])


@pytest.mark.parametrize("key", list(TASKS))
def test_listed_metadata_matches_the_built_task(key):
    meta = tsks().set_index("key").loc[key]
    task = tsk(key)
    assert task.id == key
    assert (meta["task_type"], int(meta["nrow"]), int(meta["ncol"]), meta["label"]) == (task.task_type, task.nrow, task.ncol, task.label)


def test_listing_loads_no_data():
    code = (
        "import sys, jupytorch as jt; listing = jt.tsks(); assert len(listing) >= 7; "
        "loaded = [m for m in ('jupytorch.tasks.tabular', 'sklearn', 'palmerpenguins') if m in sys.modules]; "
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_task_suggests_the_closest_key():
    with pytest.raises(UnknownKeyError, match="Did you mean 'mtcars'"):
        tsk("mtcrs")
