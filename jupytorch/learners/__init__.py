"""Learners backed by scikit-learn under mlr3's ids and parameter names, and the featureless baselines.

Registered in ``_register.py`` (``lrn("regr.rpart")``); nothing is imported here so that
``import jupytorch`` stays light.
"""
