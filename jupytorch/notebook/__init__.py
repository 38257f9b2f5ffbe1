"""jupytorch.notebook"""
