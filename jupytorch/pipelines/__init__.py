"""jupytorch.pipelines: PipeOps, graphs, GraphLearner, selectors and the preprocessing PipeOps."""
