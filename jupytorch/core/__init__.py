"""The mlr3 core: tasks, learners, parameters, predictions, measures, resampling, benchmarks.

Knows no torch; imports scikit-learn only inside the functions that need it.
"""
