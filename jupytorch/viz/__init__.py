"""jupytorch.viz"""
