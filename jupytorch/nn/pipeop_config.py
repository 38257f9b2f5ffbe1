"""Training configuration PipeOps: ``torch_loss``, ``torch_optimizer``, ``torch_callbacks``.

They attach a loss, an optimizer or callbacks to the ModelDescriptor flowing through them
(train) and pass the Task on (predict). Their parameters are those of what they hold, so in a
graph they read ``torch_optimizer__lr``, ``torch_loss__class_weight`` and
``torch_callbacks__<callback id>__<name>``.

Examples
--------
>>> from jupytorch import po, t_opt
>>> op = po("torch_optimizer", t_opt("adamw", lr=0.001))
>>> op.param_set.values["lr"]
0.001
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamSet
from jupytorch.nn.callbacks.sugar import as_torch_callbacks
from jupytorch.nn.losses import as_torch_loss
from jupytorch.nn.optimizers import as_torch_optimizer
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["PipeOpTorchCallbacks", "PipeOpTorchLoss", "PipeOpTorchOptimizer"]

_CHANNELS = {"input": [("input", "ModelDescriptor", "Task")], "output": [("output", "ModelDescriptor", "Task")]}


class _ConfigOp(PipeOp):
    def __init__(self, id: str, param_set: ParamSet, param_vals: Mapping[str, Any] | None, label: str):
        super().__init__(id, param_set=param_set, param_vals=param_vals, label=label, **_CHANNELS)

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return inputs


class PipeOpTorchLoss(_ConfigOp):
    """``po("torch_loss", t_loss("cross_entropy"))``: set the loss of the network being built.

    Parameters
    ----------
    loss : TorchLoss, str or loss class
        Anything :func:`~jupytorch.nn.losses.as_torch_loss` takes; its parameters are this
        PipeOp's parameters.
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import po, t_loss
    >>> po("torch_loss", t_loss("cross_entropy")).loss.id
    'cross_entropy'
    """

    kind = "loss"

    def __init__(self, loss: Any, id: str = "torch_loss", param_vals: Mapping[str, Any] | None = None):
        self.loss = as_torch_loss(loss).clone()
        super().__init__(id, self.loss.param_set, param_vals, label=f"Loss {self.loss.id}")

    def _train(self, inputs: list[Any]) -> list[Any]:
        md = inputs[0]
        task_type = getattr(md.task, "task_type", None)
        if task_type is not None and task_type not in self.loss.task_types:
            raise InvalidParameterError(
                f"PipeOp {self.id!r}: loss {self.loss.id!r} is for {list(self.loss.task_types)} tasks, but task "
                f"{md.task.id!r} is a {task_type!r} task; use e.g. t_loss({'cross_entropy' if task_type == 'classif' else 'mse'!r})."
            )
        self.state = {"loss": self.loss.id}
        return [md.replace(loss=self.loss.clone())]


class PipeOpTorchOptimizer(_ConfigOp):
    """``po("torch_optimizer", t_opt("adamw", lr=0.001))``: set the optimizer of the network being built.

    Parameters
    ----------
    optimizer : TorchOptimizer, str or optimizer class
        Anything :func:`~jupytorch.nn.optimizers.as_torch_optimizer` takes; its parameters are
        this PipeOp's parameters (``torch_optimizer__lr`` in a graph).
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import po, t_opt
    >>> po("torch_optimizer", t_opt("sgd"), lr=0.1).param_set.values
    {'lr': 0.1}
    """

    kind = "optimizer"

    def __init__(self, optimizer: Any, id: str = "torch_optimizer", param_vals: Mapping[str, Any] | None = None):
        self.optimizer = as_torch_optimizer(optimizer).clone()
        super().__init__(id, self.optimizer.param_set, param_vals, label=f"Optimizer {self.optimizer.id}")

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {"optimizer": self.optimizer.id}
        return [inputs[0].replace(optimizer=self.optimizer.clone())]


class PipeOpTorchCallbacks(_ConfigOp):
    """``po("torch_callbacks", [t_clbk("history"), ...])``: add callbacks to the network being built.

    Parameters
    ----------
    callbacks : Callback, str or list of them
        Anything :func:`~jupytorch.nn.callbacks.sugar.as_torch_callbacks` takes. Their
        parameters are this PipeOp's, as ``<callback id>__<name>``.
    id : str
    param_vals : mapping, optional

    Examples
    --------
    >>> from jupytorch import po, t_clbk
    >>> op = po("torch_callbacks", t_clbk("history"))
    >>> [cb.id for cb in op.callbacks]
    ['history']
    """

    kind = "callbacks"

    def __init__(self, callbacks: Any = (), id: str = "torch_callbacks", param_vals: Mapping[str, Any] | None = None):
        self.callbacks = [cb.clone() for cb in as_torch_callbacks(callbacks)]
        ps = ParamSet()
        for cb in self.callbacks:
            ps.add_child(cb.id, cb.param_set)
        super().__init__(id, ps, param_vals, label="Callbacks " + ", ".join(cb.id for cb in self.callbacks))

    def _train(self, inputs: list[Any]) -> list[Any]:
        md = inputs[0]
        callbacks = dict(md.callbacks)
        for cb in self.callbacks:
            if cb.id in callbacks:
                raise InvalidParameterError(
                    f"PipeOp {self.id!r}: the network already has a callback {cb.id!r} (from an earlier "
                    "torch_callbacks); callback ids must be unique. Rename one with cb.set_id('other')."
                )
            callbacks[cb.id] = cb.clone()
        self.state = {"callbacks": [cb.id for cb in self.callbacks]}
        return [md.replace(callbacks=callbacks)]
