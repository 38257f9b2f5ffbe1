"""Public names and registry entries of the core layer (strings only: nothing heavy is imported)."""

from __future__ import annotations

from jupytorch.core.registry import registry

EXPORTS = {
    "tsk": "jupytorch.core.sugar:tsk",
    "tsks": "jupytorch.core.sugar:tsks",
    "lrn": "jupytorch.core.sugar:lrn",
    "lrns": "jupytorch.core.sugar:lrns",
    "msr": "jupytorch.core.sugar:msr",
    "msrs": "jupytorch.core.sugar:msrs",
    "rsmp": "jupytorch.core.sugar:rsmp",
    "rsmps": "jupytorch.core.sugar:rsmps",
    "to_tune": "jupytorch.core.paramset:to_tune",
    "ParamSet": "jupytorch.core.paramset:ParamSet",
    "ParamInt": "jupytorch.core.paramset:ParamInt",
    "ParamDbl": "jupytorch.core.paramset:ParamDbl",
    "ParamFct": "jupytorch.core.paramset:ParamFct",
    "ParamLgl": "jupytorch.core.paramset:ParamLgl",
    "ParamUty": "jupytorch.core.paramset:ParamUty",
    "Task": "jupytorch.core.task:Task",
    "TaskClassif": "jupytorch.core.task:TaskClassif",
    "TaskRegr": "jupytorch.core.task:TaskRegr",
    "as_task_classif": "jupytorch.core.task:as_task_classif",
    "as_task_regr": "jupytorch.core.task:as_task_regr",
    "Learner": "jupytorch.core.learner:Learner",
    "load": "jupytorch.core.learner:load",
    "Prediction": "jupytorch.core.prediction:Prediction",
    "PredictionClassif": "jupytorch.core.prediction:PredictionClassif",
    "PredictionRegr": "jupytorch.core.prediction:PredictionRegr",
    "Measure": "jupytorch.core.measure:Measure",
    "Resampling": "jupytorch.core.resampling:Resampling",
    "partition": "jupytorch.core.resampling:partition",
    "resample": "jupytorch.core.resample:resample",
    "ResampleResult": "jupytorch.core.resample:ResampleResult",
    "benchmark": "jupytorch.core.benchmark:benchmark",
    "benchmark_grid": "jupytorch.core.benchmark:benchmark_grid",
    "BenchmarkResult": "jupytorch.core.benchmark:BenchmarkResult",
    "JupytorchError": "jupytorch.core.exceptions:JupytorchError",
}


def register() -> None:
    """Add the measures and resamplings of the core layer."""
