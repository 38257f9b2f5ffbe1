"""Public names and registry entries of the learners layer (strings only: nothing heavy is imported).

The metadata shown by ``lrns()`` is written here so that listing learners builds none of them;
``tests/learners/test_register.py`` checks it against the learners themselves.
"""

from __future__ import annotations

from jupytorch.core.registry import registry

EXPORTS = {
    "as_learner_sklearn": "jupytorch.learners.sklearn:as_learner_sklearn",
    "LearnerSklearn": "jupytorch.learners.sklearn:LearnerSklearn",
}

_TREE = ("twoclass", "multiclass", "missings", "importance", "weights")

#: key -> (factory, task_type, predict_types, properties, label)
LEARNERS = {
    "classif.featureless": ("featureless:LearnerClassifFeatureless", "classif", ("response", "prob"),
                            ("featureless", "missings", "importance", "twoclass", "multiclass"), "Featureless Classification Learner"),
    "regr.featureless": ("featureless:LearnerRegrFeatureless", "regr", ("response", "se"),
                         ("featureless", "missings", "importance"), "Featureless Regression Learner"),
    "classif.rpart": ("rpart:LearnerClassifRpart", "classif", ("response", "prob"), _TREE, "Classification Tree"),
    "regr.rpart": ("rpart:LearnerRegrRpart", "regr", ("response",), ("missings", "importance", "weights"), "Regression Tree"),
    "classif.ranger": ("ranger:LearnerClassifRanger", "classif", ("response", "prob"), _TREE, "Random Forest"),
    "regr.ranger": ("ranger:LearnerRegrRanger", "regr", ("response",), ("missings", "importance", "weights"), "Random Forest"),
    "classif.kknn": ("kknn:LearnerClassifKKNN", "classif", ("response", "prob"), ("twoclass", "multiclass"), "k-Nearest-Neighbor"),
    "regr.kknn": ("kknn:LearnerRegrKKNN", "regr", ("response",), (), "k-Nearest-Neighbor"),
    "classif.log_reg": ("linear:LearnerClassifLogReg", "classif", ("response", "prob"),
                        ("twoclass", "multiclass", "weights"), "Logistic Regression"),
    "regr.lm": ("linear:LearnerRegrLM", "regr", ("response", "se"), ("weights",), "Linear Model"),
    "classif.sklearn": ("sklearn:learner_classif_sklearn", "classif", ("response", "prob"), (),
                        "Any scikit-learn classifier (estimator=...)"),
    "regr.sklearn": ("sklearn:learner_regr_sklearn", "regr", ("response",), (), "Any scikit-learn regressor (estimator=...)"),
}


def register() -> None:
    """Add the scikit-learn backed and featureless learners to ``registry("learner")``."""
    reg = registry("learner")
    for key, (factory, task_type, predict_types, properties, label) in LEARNERS.items():
        reg.add(
            key,
            f"jupytorch.learners.{factory}",
            task_type=task_type,
            label=label,
            predict_types=list(predict_types),
            properties=sorted(properties),
        )
