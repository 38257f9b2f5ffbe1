"""jupytorch.tasks"""
