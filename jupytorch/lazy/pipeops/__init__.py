"""PipeOps that preprocess lazy-tensor columns: ``trafo_*``, ``augment_*`` and ``preproc_torch``.

They never touch data: each appends one step to a column's preprocessing graph
(:meth:`LazyTensorArray.with_step <jupytorch.lazy.dtype.LazyTensorArray.with_step>`), with the
output shape inferred and checked at once. Modules: :mod:`~jupytorch.lazy.pipeops.base` (the
base class and the table-to-class factory), :mod:`~jupytorch.lazy.pipeops.checks` (parameter
and shape checks), :mod:`~jupytorch.lazy.pipeops.trafo` and :mod:`~jupytorch.lazy.pipeops.augment`
(the op tables), :mod:`~jupytorch.lazy.pipeops.batch_steps`, :mod:`~jupytorch.lazy.pipeops.random_geometry`
and :mod:`~jupytorch.lazy.pipeops.random_color` (the picklable batch steps they append) and
:mod:`~jupytorch.lazy.pipeops.custom` (``po("preproc_torch", fn=...)``).
"""
