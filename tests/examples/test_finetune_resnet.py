"""The example notebooks that run without a kernel run as written, offline."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_finetune_resnet_notebook_runs_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))  # restored afterwards (the notebook points it elsewhere)
    monkeypatch.chdir(tmp_path)
    notebook = json.loads((ROOT / "examples" / "finetune_resnet.ipynb").read_text())
    namespace: dict = {"__name__": "__main__"}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "finetune_resnet.ipynb", "exec"), namespace)  # noqa: S102
    history = namespace["history"]
    assert history["epoch"].tolist() == [1, 2, 3, 4, 5]
    assert "valid.classif.acc" in history and history["valid.classif.acc"].between(0, 1).all()
