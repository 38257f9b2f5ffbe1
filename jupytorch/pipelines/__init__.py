"""jupytorch.pipelines"""
