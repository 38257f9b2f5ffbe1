"""Public names and registry entries of the tuning layer (strings only: optuna is not imported here)."""

from __future__ import annotations

from jupytorch.core.registry import registry

EXPORTS = {
    "tnr": "jupytorch.tuning.tuners:tnr",
    "tnrs": "jupytorch.tuning.tuners:tnrs",
    "Tuner": "jupytorch.tuning.tuners:Tuner",
    "trm": "jupytorch.tuning.terminators:trm",
    "trms": "jupytorch.tuning.terminators:trms",
    "Terminator": "jupytorch.tuning.terminators:Terminator",
    "tune": "jupytorch.tuning.tune:tune",
    "TuningInstance": "jupytorch.tuning.instance:TuningInstance",
    "SearchSpace": "jupytorch.tuning.space:SearchSpace",
    "auto_tuner": "jupytorch.tuning.auto_tuner:auto_tuner",
    "AutoTuner": "jupytorch.tuning.auto_tuner:AutoTuner",
    "tune_worker": "jupytorch.tuning.worker:tune_worker",
}

# key, class name, label
TUNERS = (
    ("random_search", "TunerRandomSearch", "Random Search"),
    ("grid_search", "TunerGridSearch", "Grid Search"),
    ("tpe", "TunerTPE", "Tree-structured Parzen Estimator (optuna TPESampler)"),
    ("mbo", "TunerMBO", "Bayesian Optimization with a Gaussian process (optuna GPSampler)"),
    ("cmaes", "TunerCmaEs", "CMA-ES (optuna CmaEsSampler)"),
    ("internal", "TunerInternal", "Internal Tuning Only (early stopping)"),
)

TERMINATORS = (
    ("evals", "TerminatorEvals", "Number of Evaluations"),
    ("run_time", "TerminatorRunTime", "Run Time"),
    ("stagnation", "TerminatorStagnation", "Stagnation"),
    ("perf_reached", "TerminatorPerfReached", "Performance Level Reached"),
    ("none", "TerminatorNone", "None"),
    ("combo", "TerminatorCombo", "Combination"),
)


def register() -> None:
    """Add the tuners and terminators."""
    for key, class_name, label in TUNERS:
        registry("tuner").add(key, f"jupytorch.tuning.tuners:{class_name}", label=label)
    for key, class_name, label in TERMINATORS:
        registry("terminator").add(key, f"jupytorch.tuning.terminators:{class_name}", label=label)
