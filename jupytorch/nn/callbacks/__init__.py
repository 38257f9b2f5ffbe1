"""Training callbacks: the ``Callback`` base class and the built-ins behind ``t_clbk``.

Modules: :mod:`~jupytorch.nn.callbacks.base` (``Callback``, the stages),
:mod:`~jupytorch.nn.callbacks.function` (``torch_callback``), :mod:`~jupytorch.nn.callbacks.sugar`
(``t_clbk``, ``t_clbks``, ``as_torch_callback``), and one module per built-in: ``history``,
``progress``, ``checkpoint``, ``lr_scheduler``, ``unfreeze``, ``early_stopping``.
"""
