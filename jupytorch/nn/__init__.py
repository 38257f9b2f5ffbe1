"""jupytorch.nn: torch learners, losses, optimizers, callbacks, and networks built from graphs.

This package is also the sugar function ``nn``. Python binds an imported subpackage to its
parent's attribute, so ``from jupytorch import nn`` (and ``jt.nn``) give this package; calling it,
``nn("linear", out_features=10)``, is :func:`jupytorch.pipelines.sugar.nn`, i.e.
``po("nn_linear", id="linear", out_features=10)``.

Examples
--------
>>> from jupytorch import nn
>>> nn("linear_1", out_features=10).id
'linear_1'
"""

import sys as _sys
import types as _types


class _CallableModule(_types.ModuleType):
    """The package ``jupytorch.nn`` that, called, builds a layer PipeOp (``nn("relu")``)."""

    def __call__(self, *args, **kwargs):
        from jupytorch.pipelines.sugar import nn

        return nn(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule
