"""Public names and registry entries of the pipelines layer (strings only: nothing heavy is imported)."""

from __future__ import annotations

from jupytorch.core.registry import registry

_P = "jupytorch.pipelines"

EXPORTS = {
    "po": f"{_P}.sugar:po",
    "pos": f"{_P}.sugar:pos",
    "nn": f"{_P}.sugar:nn",
    "ppl": f"{_P}.sugar:ppl",
    "as_learner": f"{_P}.graph_learner:as_learner",
    "as_graph": f"{_P}.graph:as_graph",
    "gunion": f"{_P}.graph:gunion",
    "Graph": f"{_P}.graph:Graph",
    "GraphLearner": f"{_P}.graph_learner:GraphLearner",
    "PipeOp": f"{_P}.pipeop:PipeOp",
    "PipeOpTaskPreproc": f"{_P}.preproc:PipeOpTaskPreproc",
    "PipeOpLearner": f"{_P}.learner_op:PipeOpLearner",
    "Channel": f"{_P}.channels:Channel",
    "NO_OP": f"{_P}.channels:NO_OP",
    "GraphError": "jupytorch.core.exceptions:GraphError",
    "graph_spec": f"{_P}.render:graph_spec",
    "selector_all": f"{_P}.selectors:selector_all",
    "selector_none": f"{_P}.selectors:selector_none",
    "selector_name": f"{_P}.selectors:selector_name",
    "selector_type": f"{_P}.selectors:selector_type",
    "selector_grep": f"{_P}.selectors:selector_grep",
    "selector_invert": f"{_P}.selectors:selector_invert",
    "selector_union": f"{_P}.selectors:selector_union",
    "selector_intersect": f"{_P}.selectors:selector_intersect",
    "selector_setdiff": f"{_P}.selectors:selector_setdiff",
    "selector_missing": f"{_P}.selectors:selector_missing",
}

#: key -> (module:class, kind, label)
PIPEOPS = {
    "learner": ("learner_op:PipeOpLearner", "learner", "Wrap a Learner"),
    "nop": ("union:PipeOpNOP", "meta", "Pass the input on unchanged"),
    "featureunion": ("union:PipeOpFeatureUnion", "meta", "Merge the features of several Tasks"),
    "branch": ("branch:PipeOpBranch", "meta", "Send the input down one of several paths"),
    "unbranch": ("branch:PipeOpUnbranch", "meta", "Join the paths of a branch"),
    "scale": ("scale:PipeOpScale", "preprocessing", "Center and scale numeric features"),
    "pca": ("scale:PipeOpPCA", "preprocessing", "Principal component analysis"),
    "encode": ("encode:PipeOpEncode", "preprocessing", "Encode factors as numeric columns"),
    "fixfactors": ("encode:PipeOpFixFactors", "preprocessing", "Make factor levels at predict match train"),
    "imputehist": ("impute:PipeOpImputeHist", "preprocessing", "Impute numeric features from a histogram"),
    "imputemean": ("impute:PipeOpImputeMean", "preprocessing", "Impute numeric features by the mean"),
    "imputemedian": ("impute:PipeOpImputeMedian", "preprocessing", "Impute numeric features by the median"),
    "imputemode": ("impute:PipeOpImputeMode", "preprocessing", "Impute features by the most frequent value"),
    "imputeoor": ("impute:PipeOpImputeOOR", "preprocessing", "Impute with out-of-range values"),
    "imputeconstant": ("impute:PipeOpImputeConstant", "preprocessing", "Impute with a constant"),
    "select": ("select:PipeOpSelect", "preprocessing", "Keep the features chosen by a selector"),
    "removeconstants": ("select:PipeOpRemoveConstants", "preprocessing", "Drop (nearly) constant features"),
    "classbalancing": ("classbalancing:PipeOpClassBalancing", "preprocessing", "Up- or down-sample classes in train"),
    "colapply": ("colapply:PipeOpColApply", "preprocessing", "Apply a function to each chosen column"),
    "sklearn": ("sklearn_op:PipeOpSklearn", "preprocessing", "Any scikit-learn transformer"),
    # target transformations (issue 13)
    "targettrafoscale": ("targettrafo:PipeOpTargetTrafoScale", "target", "Standardize the regression target"),
    "targetmutate": ("targettrafo:PipeOpTargetMutate", "target", "Transform the target with a function pair"),
    "targetinvert": ("targettrafo:PipeOpTargetInvert", "target", "Invert a target transformation's predictions"),
}

PIPELINES = {
    "branch": ("branch:pipeline_branch", "Alternative paths with a 'branch__selection' parameter"),
    "targettrafo": ("targettrafo:pipeline_targettrafo", "Train on a transformed target, invert the predictions"),
}


def register() -> None:
    """Add the PipeOps and pre-made pipelines of this layer."""
    ops = registry("pipeop")
    for key, (target, kind, label) in PIPEOPS.items():
        ops.add(key, f"{_P}.{target}", kind=kind, label=label)
    pipelines = registry("pipeline")
    for key, (target, label) in PIPELINES.items():
        pipelines.add(key, f"{_P}.{target}", label=label)
    # ``learner >> op`` and ``[op_a, op_b] >> learner``: core's Learner asks this registry for ">>"
    registry("operator").add(">>", f"{_P}.graph:chain", label="Join objects into a Graph")
