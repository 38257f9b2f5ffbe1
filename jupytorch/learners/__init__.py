"""jupytorch.learners"""
