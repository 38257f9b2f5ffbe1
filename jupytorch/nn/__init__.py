"""jupytorch.nn"""
