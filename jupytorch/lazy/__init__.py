"""Lazy tensors: a pandas extension dtype whose elements point into a dataset.

Modules: :mod:`~jupytorch.lazy.dtype` (``LazyTensorDtype``, ``LazyTensorArray``, ``LazyTensor``),
:mod:`~jupytorch.lazy.descriptor` (``DataDescriptor``), :mod:`~jupytorch.lazy.graph` (its
``PreprocGraph`` of stage-tagged batch steps), :mod:`~jupytorch.lazy.steps` (small picklable
steps), :mod:`~jupytorch.lazy.datasets` (tensor-backed and image-file datasets, the batch
loader), :mod:`~jupytorch.lazy.convert` (``as_lazy_tensor``, ``is_lazy_tensor``, ``lazy_shape``)
and :mod:`~jupytorch.lazy.materialize` (``materialize``).
"""
