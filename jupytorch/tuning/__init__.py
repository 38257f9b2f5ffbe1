"""jupytorch.tuning"""
