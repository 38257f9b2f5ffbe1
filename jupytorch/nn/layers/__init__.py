"""Layer PipeOps (``nn("<name>")``), one module per family: dense, conv, norm, activations,
reshape, merge, block, tokenizers, transformer.
"""
