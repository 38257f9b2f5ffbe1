"""Torch learners: ``mlp``, ``torch_featureless``, ``module`` and ``torch_model`` (classif. and regr.)."""
