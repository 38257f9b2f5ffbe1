"""``import jupytorch`` stays light: heavy libraries load on first use only."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "torch", "optuna", "plotly", "IPython", "ipywidgets", "anywidget", "joblib")

SCRIPT = """
import json, sys
import jupytorch as jt
steps = {"import": sorted(sys.modules)}
jt.tsk, jt.lrn, jt.msr, jt.rsmp, jt.resample, jt.benchmark, jt.benchmark_grid, jt.partition
jt.msr("regr.rmse"), jt.msr("classif.auc"), jt.rsmp("cv", folds=3), jt.msrs(), jt.rsmps()
jt.tsk("mtcars")  # the catalogue may load pandas, nothing heavier
steps["core"] = sorted(sys.modules)
print(json.dumps(steps))
"""


def _loaded(step_modules, names):
    return sorted({m.split(".")[0] for m in step_modules} & set(names))


def test_import_jupytorch_is_light():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    steps = json.loads(out.stdout)
    assert _loaded(steps["import"], HEAVY + ("pandas", "numpy")) == []
    # sugar, measures and resamplings need pandas and numpy, nothing heavier
    assert _loaded(steps["core"], HEAVY) == []


def test_importtime_report_has_no_heavy_modules():
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import jupytorch"], capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in out.stderr.splitlines() if "|" in line}
    assert "jupytorch" in imported
    assert not imported & set(HEAVY)
