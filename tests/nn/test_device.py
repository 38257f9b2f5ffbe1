"""device_status / device_rows: the one source of device lines (progress views, %jupytorch device)."""

from __future__ import annotations

import pytest
import torch

from jupytorch.nn.device import device_rows, device_status


def test_cpu_status_names_cores_and_threads():
    status = device_status("cpu")
    assert status["type"] == "cpu" and status["name"].endswith(f"torch threads: {torch.get_num_threads()}")
    rows = device_rows()
    assert rows[0]["device"] == "cpu" and rows[0]["available"] is True
    assert any(r["device"].startswith("cuda") for r in rows)  # a GPU row, or the "no CUDA GPU visible" one


def test_the_trainer_reports_the_device_through_the_helper(monkeypatch):
    from jupytorch.nn import device as device_module

    calls = []
    real = device_module.device_status

    def spy(device, utilization=True):
        calls.append(str(device))
        return real(device, utilization)

    monkeypatch.setattr(device_module, "device_status", spy)
    import jupytorch as jt
    from jupytorch.core import progress

    seen = []

    class Collect:
        def on_event(self, event):
            if "device" in event["info"]:
                seen.append(event["info"]["device"])

    with progress.listen(Collect()):
        jt.lrn("classif.mlp", neurons=(4,), epochs=1, batch_size=50, device="cpu", seed=1).train(jt.tsk("iris"))
    assert calls and seen[0]["type"] == "cpu" and "torch threads" in seen[0]["name"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_status_has_name_memory_and_utilization_when_nvml_is_there():
    x = torch.ones(1024, 1024, device="cuda")
    status = device_status("cuda")
    assert status["type"] == f"cuda:{torch.cuda.current_device()}" and status["name"] == torch.cuda.get_device_name()
    assert status["memory_used"] >= x.numel() * 4 and status["memory_peak"] >= status["memory_used"]
    assert status["memory_total"] == torch.cuda.get_device_properties(0).total_memory
    assert status["utilization"] is None or 0 <= status["utilization"] <= 100
    row = next(r for r in device_rows() if r["device"] == status["type"])
    assert row["memory_total_gb"] > 0 and row["capability"]
