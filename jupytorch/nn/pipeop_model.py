"""``po("torch_model_classif")`` / ``po("torch_model_regr")``: build the network and train it.

In ``train()`` the PipeOp takes the finished ModelDescriptor, builds the network from its module
graph (:func:`~jupytorch.nn.model_descriptor.model_descriptor_to_module`), creates a
:class:`~jupytorch.nn.learners.torch_model.LearnerTorchModel` with the network, the ingress
tokens and the descriptor's loss, optimizer and callbacks, and trains it on the descriptor's
task. Its state is that trained learner (``graph_learner.model["torch_model_classif"]``, with
``.model.network``, ``.model.callbacks["history"]``...). In ``predict()`` it gets the Task and
returns the learner's Prediction.

Its parameters are those every torch learner has (``epochs``, ``batch_size``, ``device``,
``measures_valid``, ``patience``...); in a GraphLearner they read ``torch_model_classif__epochs``.
``predict_type`` and ``jt.set_validate(graph_learner, 0.3)`` reach it like any learner in a graph.

Examples
--------
>>> from jupytorch import po, nn, tsk, t_loss, t_opt
>>> import jupytorch as jt
>>> graph = (po("torch_ingress_num") >> nn("linear", out_features=8) >> nn("relu") >> nn("head")
...          >> po("torch_loss", t_loss("cross_entropy")) >> po("torch_optimizer", t_opt("adamw", lr=0.01))
...          >> po("torch_model_classif", epochs=2, batch_size=16, seed=1))
>>> learner = jt.as_learner(graph)
>>> _ = learner.train(tsk("iris"))
>>> learner.model["torch_model_classif"].model.epochs
2
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamSet
from jupytorch.nn.ingress import ingress_num
from jupytorch.nn.learners.torch_model import LearnerTorchModel
from jupytorch.nn.model_descriptor import ModelDescriptor, model_descriptor_to_module
from jupytorch.nn.params import torch_learner_params
from jupytorch.nn.shapes import ShapeError
from jupytorch.pipelines.learner_op import PipeOpLearner

__all__ = ["PipeOpTorchModel", "PipeOpTorchModelClassif", "PipeOpTorchModelRegr", "model_descriptor_to_learner",
           "reinitialize_modules"]


def model_descriptor_to_learner(md: ModelDescriptor, task_type: str | None = None, id: str | None = None) -> LearnerTorchModel:
    """An untrained :class:`LearnerTorchModel` with the network, inputs, loss, optimizer and callbacks of ``md``.

    Parameters
    ----------
    md : ModelDescriptor
    task_type : {"classif", "regr"}, optional
        Default: that of the descriptor's task.
    id : str, optional
        The learner id (default ``"<task_type>.torch_model"``).

    Examples
    --------
    >>> import jupytorch as jt
    >>> from jupytorch import po, nn
    >>> md = (po("torch_ingress_num") >> nn("linear", out_features=1)).train(jt.tsk("mtcars"))[0]
    >>> model_descriptor_to_learner(md).id
    'regr.torch_model'
    """
    task_type = task_type or md.task.task_type
    network = model_descriptor_to_module(md)
    tokens = {name: md.ingress[name] for name in network.input_names}
    callbacks = [cb.clone() for cb in md.callbacks.values()]
    loss = md.loss.clone() if md.loss is not None else None
    optimizer = md.optimizer.clone() if md.optimizer is not None else None
    return LearnerTorchModel(network, tokens, task_type, loss=loss, optimizer=optimizer, callbacks=callbacks, id=id)


def reinitialize_modules(md: ModelDescriptor, seed: Any) -> None:
    """Draw the initial weights of the layers in ``md`` from ``seed`` (an int), in graph order.

    Layer PipeOps build their modules while the graph trains, before any seed is known; each
    keeps a way to build its module again (``fresh_module``), which is called here under the seed
    and copied into the module in place. Without an integer seed the weights stay as drawn.
    The builders are dropped afterwards, so the network holds no reference to tasks or PipeOps.

    Examples
    --------
    >>> import jupytorch as jt
    >>> from jupytorch import po, nn
    >>> graph = po("torch_ingress_num") >> nn("linear", out_features=2)
    >>> a, b = graph.clone().train(jt.tsk("mtcars"))[0], graph.clone().train(jt.tsk("mtcars"))[0]
    >>> reinitialize_modules(a, 1); reinitialize_modules(b, 1)
    >>> bool((a.graph.pipeops["linear"].module.weight == b.graph.pipeops["linear"].module.weight).all())
    True
    """
    ops = [md.graph._pipeops[op_id] for op_id in md.graph.ids()]
    builders = [(op, op.__dict__.pop("fresh_module", None)) for op in ops]
    if isinstance(seed, bool) or not isinstance(seed, int):
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for op, build in builders:
            module = op.module
            if build is None or not isinstance(module, torch.nn.Module) or not any(True for _ in module.state_dict()):
                continue
            with torch.no_grad():
                module.load_state_dict(build().state_dict())


class PipeOpTorchModel(PipeOpLearner):
    """Build the network of the incoming ModelDescriptor and train it (base of ``torch_model_*``).

    Parameters
    ----------
    task_type : {"classif", "regr"}
    id : str, optional
    param_vals : mapping, optional
        Training parameters (``epochs``, ``batch_size``, ...).
    predict_type : str, optional
        ``"response"`` or (classification) ``"prob"``.

    Attributes
    ----------
    state : LearnerTorchModel
        After training: the trained learner.
    """

    kind = "model"

    def __init__(self, task_type: str, id: str | None = None, param_vals: Mapping[str, Any] | None = None,
                 predict_type: str | None = None):
        if task_type not in ("classif", "regr"):
            raise InvalidParameterError(f"PipeOpTorchModel: task_type must be 'classif' or 'regr', got {task_type!r}.")
        self._train_params = torch_learner_params(task_type)
        # the configured learner of the graph (predict_type, validate); the real one is built in train()
        template = LearnerTorchModel(torch.nn.Identity(), {"input": ingress_num()}, task_type)
        super().__init__(template, id=id or f"torch_model_{task_type}", param_vals=param_vals,
                         input=[("input", "ModelDescriptor", "Task")])
        self.label = f"Train the network ({task_type})"
        if predict_type is not None:
            self.learner.predict_type = predict_type

    @property
    def param_set(self) -> ParamSet:
        """The training parameters (``epochs``, ``batch_size``, ``device``, ...)."""
        return self._train_params

    def _train(self, inputs: list[Any]) -> list[Any]:
        md: ModelDescriptor = inputs[0]
        task_type = self.learner.task_type
        if md.task.task_type != task_type:
            other = "torch_model_regr" if md.task.task_type == "regr" else "torch_model_classif"
            raise InvalidParameterError(
                f"PipeOp {self.id!r} trains {task_type!r} networks, but task {md.task.id!r} is a "
                f"{md.task.task_type!r} task; use po({other!r})."
            )
        self._check_output_shape(md)
        reinitialize_modules(md, self._train_params.values.get("seed"))
        learner = model_descriptor_to_learner(md, task_type, id=self.learner.id)
        learner.param_set.set_values(**self._train_params.values)
        learner.predict_type = self.learner.predict_type
        learner.validate = self.learner.validate
        learner.train(md.task)
        self.state = learner
        return [None]

    def _check_output_shape(self, md: ModelDescriptor) -> None:
        """The network must end in one output per class (1 for regression), before any training."""
        from jupytorch.nn.encode import output_dim_for

        shape = md.pointer_shape
        if md.pointer is None or shape is None:
            return
        wanted = output_dim_for(md.task)
        if len(shape) in (2, 3) and shape[-1] == wanted:  # 3-d: (batch, ensemble members, outputs), averaged
            return
        last = md.pointer[0]
        what = f"{len(md.task.class_names)} classes" if md.task.task_type == "classif" else "a regression target"
        hint = (f"add nn('flatten') before the first linear layer after a {len(shape) - 2}-d feature map"
                if len(shape) > 2 else f"end the network with nn('head') or a layer with out_features={wanted}")
        raise ShapeError(
            f"PipeOp {self.id!r}: the network ends in layer {last!r} with output shape {tuple(shape)}, but task "
            f"{md.task.id!r} ({what}) needs (None, {wanted}); {hint}."
        )

    def _predict(self, inputs: list[Any]) -> list[Any]:
        trained = self.state
        if trained.predict_type != self.learner.predict_type:
            trained.predict_type = self.learner.predict_type
        return [trained.predict(inputs[0])]


class PipeOpTorchModelClassif(PipeOpTorchModel):
    """``po("torch_model_classif", epochs=..., batch_size=...)``: train a classification network.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional
    predict_type : {"response", "prob"}, optional

    Examples
    --------
    >>> from jupytorch import po
    >>> po("torch_model_classif", epochs=1, batch_size=16, predict_type="prob").learner.predict_type
    'prob'
    """

    def __init__(self, id: str = "torch_model_classif", param_vals: Mapping[str, Any] | None = None,
                 predict_type: str | None = None):
        super().__init__("classif", id=id, param_vals=param_vals, predict_type=predict_type)


class PipeOpTorchModelRegr(PipeOpTorchModel):
    """``po("torch_model_regr", epochs=..., batch_size=...)``: train a regression network.

    Parameters
    ----------
    id : str
    param_vals : mapping, optional
    """

    def __init__(self, id: str = "torch_model_regr", param_vals: Mapping[str, Any] | None = None,
                 predict_type: str | None = None):
        super().__init__("regr", id=id, param_vals=param_vals, predict_type=predict_type)
