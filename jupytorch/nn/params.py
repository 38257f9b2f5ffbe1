"""The parameters every torch learner has (mlr3torch's ``paramset_torchlearner``)."""

from __future__ import annotations

import math
import numbers
from typing import Any

from jupytorch.core.paramset import (
    ParamDbl,
    ParamFct,
    ParamInt,
    ParamLgl,
    ParamSet,
    ParamUty,
)

__all__ = ["STRATEGIES", "disable_in_tune", "torch_learner_params"]

STRATEGIES = ("ddp", "ddp_spawn", "ddp_notebook")
"""The values of the ``strategy`` parameter besides None (one process), named as in Lightning."""


def disable_in_tune() -> dict[str, Any]:
    """Values that turn internal tuning off (used for the final fit after tuning ``epochs``)."""
    return {"patience": 0, "measures_valid": []}


def epochs_aggregate(values: list[int]) -> int:
    """How internally tuned epochs of several folds combine: the ceiling of their mean."""
    return math.ceil(sum(values) / len(values))


def _seed_check(value: Any) -> bool | str:
    if value == "random" or value is None or (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return True
    return "'random', an integer or None"


def _device_check(value: Any) -> bool | str:
    import torch

    if isinstance(value, torch.device):
        return True
    if isinstance(value, str):
        try:
            if value != "auto":
                torch.device(value)
            return True
        except RuntimeError:
            pass
    return "'auto', 'cpu', 'cuda', 'cuda:<n>', 'mps' or a torch.device"


def _measures_check(value: Any) -> bool | str:
    items = value if isinstance(value, (list, tuple)) else [value]
    if all(isinstance(m, str) or hasattr(m, "score") for m in items):
        return True
    return "a Measure, a measure key, or a list of them"


def _tensor_dataset_check(value: Any) -> bool | str:
    return value in (True, False, "device") or "True, False or 'device'"


def _resume_check(value: Any) -> bool | str:
    from pathlib import Path

    return value is None or value is True or isinstance(value, (str, Path)) or "a checkpoint folder, True or None"


def _sampler_check(value: Any) -> bool | str:
    import torch

    ok = value is None or isinstance(value, torch.utils.data.Sampler) or callable(value) or hasattr(value, "__iter__")
    return ok or "a torch Sampler, a function task -> Sampler (e.g. jt.balanced_sampler()) or None"


def torch_learner_params(task_type: str | None = None) -> ParamSet:
    """A fresh ParamSet with the common torch-learner parameters (for ``task_type="regr"`` also
    ``scale_target``, see :mod:`jupytorch.nn.target_scale`).

    Examples
    --------
    >>> ps = torch_learner_params()
    >>> ps["epochs"].tags >= {"required", "internal_tuning"}
    True
    >>> "scale_target" in torch_learner_params("regr").params
    True
    """
    epochs = ParamInt(0, None, tags={"train", "required", "internal_tuning"},
                      description="passes over the training data")
    epochs.aggregate = epochs_aggregate  # type: ignore[attr-defined]
    epochs.disable_in_tune = disable_in_tune()  # type: ignore[attr-defined]
    ps = ParamSet({
        "epochs": epochs,
        "batch_size": ParamInt(1, None, tags={"train", "predict", "required"}),
        "batch_size_predict": ParamInt(1, None, default=None, tags={"train", "predict"},
                                       description="batch size for validation and prediction (default: as many rows as fit a memory budget)"),
        "device": ParamUty("auto", tags={"train", "predict"}, custom_check=_device_check),
        "num_threads": ParamInt(1, None, default=1, special_vals=(None,), tags={"train", "predict", "threads"}),
        "seed": ParamUty("random", tags={"train", "predict", "seed"}, custom_check=_seed_check),
        "shuffle": ParamLgl(default=True, tags={"train"}),
        "eval_freq": ParamInt(1, None, default=1, tags={"train"}),
        "measures_train": ParamUty([], tags={"train"}, custom_check=_measures_check),
        "measures_valid": ParamUty([], tags={"train"}, custom_check=_measures_check),
        "patience": ParamInt(0, None, default=0, tags={"train"}),
        "min_delta": ParamDbl(0, None, default=0.0, tags={"train"}),
        "restore_best_weights": ParamLgl(default=False, tags={"train"}),
        "precision": ParamFct(["bf16", "fp16"], default=None, special_vals=(None,), tags={"train", "predict"}),
        "compile": ParamLgl(default=False, tags={"train"}),
        "tensor_dataset": ParamUty(False, tags={"train", "predict"}, custom_check=_tensor_dataset_check),
        "resume": ParamUty(None, tags={"train"}, custom_check=_resume_check),
        # data loading (jupytorch.nn.loader)
        "drop_last": ParamLgl(default=False, tags={"train"}, description="leave out the last, smaller training batch"),
        "sampler": ParamUty(None, tags={"train"}, custom_check=_sampler_check,
                            description="training rows order: a Sampler or a function task -> Sampler"),
        "batch_sampler": ParamUty(None, tags={"train"}, custom_check=_sampler_check,
                                  description="training batches: a Sampler of position lists or task -> Sampler"),
        "num_workers": ParamInt(0, None, default=0, tags={"train", "predict"},
                                description="processes that load batches read from files or a user dataset"),
        "pin_memory": ParamLgl(default=None, special_vals=(None,), tags={"train", "predict"},
                               description="page-locked batches for CUDA (None: on CUDA with workers)"),
        # data-parallel training of one network (jupytorch.nn.distributed)
        "strategy": ParamFct(list(STRATEGIES), default=None, special_vals=(None,), tags={"train"},
                             description="'ddp': data-parallel on several processes (torchrun's, or `devices` started "
                                         "here); 'ddp_spawn' starts them fresh, 'ddp_notebook' forks them"),
        "devices": ParamInt(1, None, default=None, special_vals=(None,), tags={"train"},
                            description="processes a ddp strategy starts (default: one per CUDA GPU)"),
    })
    if task_type == "regr":
        ps.add("scale_target", ParamLgl(default=False, tags={"train"},
                                        description="train on the standardized target, predict in its units"))
    return ps
