"""jupytorch.tuning: search spaces, tuners, terminators, tune() and auto_tuner on Optuna studies."""
