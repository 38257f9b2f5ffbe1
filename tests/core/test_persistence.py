"""Saving and loading learners: pickle payloads need trusted=True."""

from __future__ import annotations

import numpy as np
import pytest

import jupytorch as jt
from jupytorch.core import persistence
from jupytorch.core.exceptions import JupytorchError


def test_round_trip_needs_trusted(tmp_path, task_regr, mean_regr):
    mean_regr.configure(shift=0.5).train(task_regr)
    path = mean_regr.save(tmp_path / "sub" / "model.jt")
    assert path.exists()
    with pytest.raises(JupytorchError, match=r"holds a pickled .*MeanRegr.*trusted=True"):
        jt.load(path)
    restored = jt.load(path, trusted=True)
    np.testing.assert_array_equal(restored.predict(task_regr).response, mean_regr.predict(task_regr).response)


def test_refuses_foreign_files(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"not a jupytorch file")
    with pytest.raises(JupytorchError, match="not a file saved by jupytorch"):
        jt.load(path)


def test_refuses_loaders_outside_jupytorch(tmp_path):
    path = persistence.write(tmp_path / "evil.jt", {"kind": "custom", "loader": "os:system"}, b"")
    with pytest.raises(persistence.LoadError, match="unknown storage kind"):
        jt.load(path, trusted=True)


# -- load errors name the file and what is wrong ------------------------------------------------------
def _saved(tmp_path, task_regr, mean_regr):
    return mean_regr.train(task_regr).save(tmp_path / "model.jt")


def test_corrupt_header_names_the_file(tmp_path, task_regr, mean_regr):
    path = _saved(tmp_path, task_regr, mean_regr)
    head, payload = path.read_bytes().split(b"\n", 1)
    path.write_bytes(head[:-5] + b"\n" + payload)
    with pytest.raises(persistence.LoadError, match=r"model\.jt' has a corrupt header .*damaged or edited"):
        jt.load(path, trusted=True)


def test_truncated_payload_is_reported_with_sizes(tmp_path, task_regr, mean_regr):
    path = _saved(tmp_path, task_regr, mean_regr)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(persistence.LoadError, match=r"model\.jt' is truncated: its payload has \d+ bytes, the header says \d+"):
        jt.load(path, trusted=True)


def test_future_format_is_checked_first(tmp_path):
    # a newer format with a payload this version cannot make sense of (and a wrong size): the version is what is reported
    path = persistence.write(tmp_path / "new.jt", {"kind": "brand-new"}, b"xx")
    head, payload = path.read_bytes().split(b"\n", 1)
    path.write_bytes(head.replace(b"jupytorch/1", b"jupytorch/7") + b"\n" + payload[:1])
    with pytest.raises(persistence.LoadError, match=r"new\.jt' was written in format 'jupytorch/7' by a newer jupytorch.*Upgrade"):
        jt.load(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(persistence.LoadError, match="does not exist"):
        jt.load(tmp_path / "nothing.jt")
    path = persistence.write(tmp_path / "odd.jt", {"kind": "pickle", "format": "other/1"}, b"")
    with pytest.raises(persistence.LoadError, match=r"unknown format 'other/1'"):
        jt.load(path)


def test_damaged_pickle_payload_says_so(tmp_path):
    path = persistence.write(tmp_path / "bad.jt", {"kind": "pickle", "class": "x.Y"}, b"\x80\x05garbage")
    with pytest.raises(persistence.LoadError, match=r"bad\.jt' holds a pickled x\.Y, and its payload is damaged"):
        jt.load(path, trusted=True)


def test_pickled_class_from_main_explains_it_must_be_importable(tmp_path):
    import os
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "main.jt"
    script = textwrap.dedent(f"""
        import jupytorch as jt
        from jupytorch.learners.featureless import LearnerRegrFeatureless
        class Mine(LearnerRegrFeatureless):
            pass
        Mine().train(jt.tsk("mtcars")).save({str(path)!r})
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=os.environ)
    assert done.returncode == 0, done.stderr
    with pytest.raises(persistence.LoadError, match=r"refers to cannot be found .*Mine.*importable module"):
        jt.load(path, trusted=True)
