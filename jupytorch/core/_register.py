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
    "to_tune": "jupytorch.core.tune_token:to_tune",
    "ParamSet": "jupytorch.core.paramset:ParamSet",
    "ParamInt": "jupytorch.core.param:ParamInt",
    "ParamDbl": "jupytorch.core.param:ParamDbl",
    "ParamFct": "jupytorch.core.param:ParamFct",
    "ParamLgl": "jupytorch.core.param:ParamLgl",
    "ParamUty": "jupytorch.core.param:ParamUty",
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
    "partition": "jupytorch.core.resamplings:partition",
    "resample": "jupytorch.core.resample:resample",
    "ResampleResult": "jupytorch.core.resample:ResampleResult",
    "benchmark": "jupytorch.core.benchmark:benchmark",
    "benchmark_grid": "jupytorch.core.benchmark:benchmark_grid",
    "BenchmarkResult": "jupytorch.core.benchmark_result:BenchmarkResult",
    "JupytorchError": "jupytorch.core.exceptions:JupytorchError",
    "parallel": "jupytorch.core.parallel:parallel",
}


# key, task_type, minimize, predict_type, label (metadata for msrs(); tests check it against the measures)
MEASURES = (
    ("classif.ce", "classif", True, "response", "Classification Error"),
    ("classif.acc", "classif", False, "response", "Classification Accuracy"),
    ("classif.bacc", "classif", False, "response", "Balanced Accuracy"),
    ("classif.auc", "classif", False, "prob", "Area Under the ROC Curve"),
    ("classif.logloss", "classif", True, "prob", "Log Loss"),
    ("classif.brier", "classif", True, "prob", "Brier Score"),
    ("classif.bbrier", "classif", True, "prob", "Binary Brier Score"),
    ("classif.mbrier", "classif", True, "prob", "Multiclass Brier Score"),
    ("classif.f1", "classif", False, "response", "F1 Score"),
    ("classif.precision", "classif", False, "response", "Precision"),
    ("classif.recall", "classif", False, "response", "Recall"),
    ("regr.mse", "regr", True, "response", "Mean Squared Error"),
    ("regr.rmse", "regr", True, "response", "Root Mean Squared Error"),
    ("regr.mae", "regr", True, "response", "Mean Absolute Error"),
    ("regr.rsq", "regr", False, "response", "R Squared"),
    ("regr.mape", "regr", True, "response", "Mean Absolute Percentage Error"),
    ("time_train", None, True, None, "Training Time (s)"),
    ("time_predict", None, True, None, "Prediction Time (s)"),
    ("time_both", None, True, None, "Training and Prediction Time (s)"),
    ("internal_valid_score", None, None, None, "Internal Validation Score"),
)

# key, class name, label
RESAMPLINGS = (
    ("holdout", "ResamplingHoldout", "Holdout"),
    ("cv", "ResamplingCV", "Cross-Validation"),
    ("repeated_cv", "ResamplingRepeatedCV", "Repeated Cross-Validation"),
    ("bootstrap", "ResamplingBootstrap", "Bootstrap"),
    ("subsampling", "ResamplingSubsampling", "Subsampling"),
    ("insample", "ResamplingInsample", "Insample Resampling"),
    ("custom", "ResamplingCustom", "Custom Splits"),
    ("custom_cv", "ResamplingCustomCV", "Custom Split Cross-Validation"),
)


def register() -> None:
    """Add the measures and resamplings of the core layer."""
    measures = registry("measure")
    for key, task_type, minimize, predict_type, label in MEASURES:
        attribute = key.replace(".", "_")
        measures.add(
            key,
            f"jupytorch.core.measure:{attribute}",
            task_type=task_type,
            minimize=minimize,
            predict_type=predict_type,
            label=label,
        )
    resamplings = registry("resampling")
    for key, class_name, label in RESAMPLINGS:
        resamplings.add(key, f"jupytorch.core.resamplings:{class_name}", label=label)
