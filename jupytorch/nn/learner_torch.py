"""``LearnerTorch``: the base class of torch learners (mlr3torch's ``LearnerTorch``).

A concrete torch learner overrides two hooks:

* ``_ingress_tokens(task, param_vals) -> dict[str, TorchIngressToken]``: the network inputs;
* ``_network(task, param_vals) -> torch.nn.Module``: the network, with the head of
  :mod:`jupytorch.nn.encode` (binary: 1 logit, multiclass: K logits, regression: 1 output).
  Learners whose network depends on the bound tokens (categorical cardinalities) override
  ``_network_from_tokens(task, param_vals, tokens)`` instead, which also serves loading.

Everything else is shared: the parameters of :mod:`jupytorch.nn.params`, the loss, optimizer and
callbacks given at construction (their parameters appear as ``loss__*``, ``opt__*`` and
``cb__<id>__*``), validation, early stopping, seeding, the training loop (:class:`Trainer`),
prediction, pickling and ``save``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.learner import Learner
from jupytorch.core.paramset import SEP, ParamSet
from jupytorch.nn._fit import fit_learner, predict_learner
from jupytorch.nn.callbacks.base import Callback
from jupytorch.nn.callbacks.sugar import as_torch_callbacks
from jupytorch.nn.losses import TorchLoss, as_torch_loss
from jupytorch.nn.optimizers import TorchOptimizer, as_torch_optimizer
from jupytorch.nn.params import torch_learner_params

__all__ = ["LearnerTorch"]

_VALIDATE = ("test", "predefined")


class LearnerTorch(Learner):
    """Base class of torch learners for classification and regression.

    Parameters
    ----------
    id : str
        Learner id, e.g. ``"classif.mlp"``.
    task_type : {"classif", "regr"}
    loss : TorchLoss, str or loss class, optional
        Default: ``t_loss("cross_entropy")`` for classification, ``t_loss("mse")`` for regression.
    optimizer : TorchOptimizer, str or optimizer class, optional
        Default: ``t_opt("adam")``.
    callbacks : Callback or list of Callback, optional
    param_set : ParamSet, optional
        The learner's own parameters, added to the common ones.
    feature_types : sequence of str
    properties : iterable of str
        Added to ``validation``, ``internal_tuning``, ``marshal``, ``twoclass``, ``multiclass``.
    label : str

    Notes
    -----
    Common parameters: ``epochs`` and ``batch_size`` (required), ``batch_size_predict``,
    ``device`` ("auto": cuda, then mps, then cpu), ``num_threads`` (1), ``seed`` ("random": drawn
    at train time and kept in ``model.seed``), ``shuffle``, ``eval_freq``, ``measures_train``,
    ``measures_valid``, ``patience`` (> 0 turns on early stopping), ``min_delta``,
    ``restore_best_weights``, ``precision`` (None, "bf16", "fp16"), ``compile``,
    ``tensor_dataset`` (False, True, "device"), ``resume`` (a checkpoint folder or True),
    ``drop_last``, ``sampler`` / ``batch_sampler`` (a torch Sampler or a function task ->
    Sampler such as ``jt.balanced_sampler()``), ``num_workers`` (processes that load batches
    read from files or a user dataset) and ``pin_memory`` (see :mod:`jupytorch.nn.loader`);
    ``strategy`` (None, "ddp", "ddp_spawn", "ddp_notebook") and ``devices`` train one network on
    several processes with torch.distributed (see :mod:`jupytorch.nn.distributed`).
    Regression learners also have ``scale_target`` (see :mod:`jupytorch.nn.target_scale`):
    train on the standardized target and predict in its units; the ready learners (mlp,
    tab_resnet, ft_transformer, tabm) start with ``True``.

    Examples
    --------
    >>> from jupytorch import lrn, tsk
    >>> mlp = lrn("regr.mlp", neurons=(8,), epochs=2, batch_size=8, seed=1).train(tsk("mtcars"))
    >>> isinstance(mlp, LearnerTorch), len(mlp.predict(tsk("mtcars")).response)
    (True, 32)
    """

    trainer_class: type | None = None  # default: jupytorch.nn.trainer.Trainer

    def __init__(self, id: str, task_type: str, loss: Any = None, optimizer: Any = None, callbacks: Any = (),
                 param_set: ParamSet | None = None, feature_types: Iterable[str] = ("numeric", "integer"),
                 properties: Iterable[str] = (), label: str = ""):
        if task_type not in ("classif", "regr"):
            raise InvalidParameterError(f"LearnerTorch {id!r}: task_type must be 'classif' or 'regr', got {task_type!r}.")
        if loss is None:
            loss = "cross_entropy" if task_type == "classif" else "mse"
        self.loss: TorchLoss = as_torch_loss(loss)
        self.optimizer: TorchOptimizer = as_torch_optimizer("adam" if optimizer is None else optimizer)
        self.callbacks: list[Callback] = as_torch_callbacks(callbacks)
        if task_type not in self.loss.task_types:
            raise InvalidParameterError(
                f"LearnerTorch {id!r}: loss {self.loss.id!r} is for {list(self.loss.task_types)} tasks, not {task_type!r}."
            )
        ps = torch_learner_params(task_type)
        for pid, param in (param_set.params.items() if param_set is not None else ()):
            ps.add(pid, param)
        if param_set is not None and param_set.values:
            ps.set_values(**param_set.values)
        ps.add_child("loss", self.loss.param_set)
        ps.add_child("opt", self.optimizer.param_set)
        cb_params = ParamSet()
        for cb in self.callbacks:
            cb_params.add_child(cb.id, cb.param_set)
        ps.add_child("cb", cb_params)
        props = {"validation", "internal_tuning", "marshal"} | set(properties)
        if task_type == "classif":
            props |= {"twoclass", "multiclass"}
        predict_types = ("response", "prob") if task_type == "classif" else ("response",)
        super().__init__(id, task_type, ps, predict_types=predict_types, feature_types=feature_types,
                         properties=props, packages=("torch",), label=label)

    # -- fields ---------------------------------------------------------------------------------
    @property
    def validate(self) -> Any:
        """How to validate during training: None, a ratio in (0, 1), ``"test"`` or ``"predefined"``."""
        return self.__dict__.get("_validate")

    @validate.setter
    def validate(self, value: Any) -> None:
        ok = value is None or value in _VALIDATE or (isinstance(value, float) and 0 < value < 1)
        if not ok:
            raise InvalidParameterError(
                f"Learner {self.id!r}: validate must be None, a ratio in (0, 1), 'test' or 'predefined'. Got {value!r} instead."
            )
        self.__dict__["_validate"] = value

    @property
    def network(self) -> Any:
        """The trained network (``model.network``)."""
        return self.model.network

    @property
    def internal_valid_scores(self) -> dict[str, float] | None:
        """Validation scores of the last training (of the best epoch with early stopping), or None."""
        return None if self.state is None or self.state.get("model") is None else self.model.internal_valid_scores

    @property
    def internal_tuned_values(self) -> dict[str, int] | None:
        """``{"epochs": best epoch}`` after training with early stopping, else None."""
        if self.state is None or self.state.get("model") is None or self.model.best_epoch is None:
            return None
        return {"epochs": self.model.best_epoch}

    def _features_read(self, task: Any) -> list[str]:
        # only the columns the network's inputs take need to be free of missing values; categorical
        # inputs code a missing value as their reserved level
        try:
            tokens = self._ingress_tokens(task, self.param_set.get_values(with_defaults=True))
            read = {name for token in tokens.values() if token.kind != "categ" for name in token.features}
        except Exception:  # noqa: BLE001 - train() reports a bad setup with its own message
            return task.feature_names
        return [name for name in task.feature_names if name in read]

    # -- hooks for subclasses ----------------------------------------------------------------------
    def _ingress_tokens(self, task: Any, param_vals: dict[str, Any]) -> dict[str, Any]:
        """The network inputs for ``task`` as bound ingress tokens (name -> token)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _ingress_tokens().")

    def _network(self, task: Any, param_vals: dict[str, Any]) -> Any:
        """Build the (untrained) network for ``task``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _network().")

    def _loss_fn(self, task: Any, loss_values: dict[str, Any], param_vals: dict[str, Any]) -> Any:
        """Build the loss module for ``task`` (vision learners add their auxiliary outputs' losses)."""
        return self.loss.generate(loss_values, task=task)

    def _network_from_tokens(self, task: Any, param_vals: dict[str, Any], tokens: dict[str, Any]) -> Any:
        """Build the network for ``task`` whose inputs are the bound ``tokens`` (default: ``_network``)."""
        return self._network(task, param_vals)

    def _build_network(self, task: Any, param_vals: dict[str, Any], tokens: dict[str, Any]) -> Any:
        """The network as trained and saved: ``_network_from_tokens``, answering in the target's
        units with ``scale_target``.
        """
        network = self._network_from_tokens(task, param_vals, tokens)
        if self.task_type == "regr" and param_vals.get("scale_target"):
            from jupytorch.nn.target_scale import scale_output, target_moments

            truth = getattr(task, "truth", None)
            mean, sd = target_moments(task) if callable(truth) else (0.0, 1.0)  # loading: buffers come with the weights
            network = scale_output(network, mean, sd)
        return network

    # -- parameter values ------------------------------------------------------------------------
    def _split_values(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
        own: dict[str, Any] = {}
        loss: dict[str, Any] = {}
        opt: dict[str, Any] = {}
        cbs: dict[str, dict[str, Any]] = {cb.id: {} for cb in self.callbacks}
        for key, value in values.items():
            if SEP not in key:  # most keys: the learner's own parameters
                own[key] = value
                continue
            prefix, _, rest = key.partition(SEP)
            if prefix == "loss":
                loss[rest] = value
            elif prefix == "opt":
                opt[rest] = value
            elif prefix == "cb":
                cb_id, _, name = rest.partition(SEP)
                cbs.setdefault(cb_id, {})[name] = value
            else:
                own[key] = value
        return own, loss, opt, cbs

    # -- training -----------------------------------------------------------------------------------
    def train(self, task: Any, row_ids: Any = None) -> LearnerTorch:
        """Train on ``task``, showing progress when nothing listens yet.

        The view is ``jupytorch.core.progress.auto_view()``'s: the TrainingMonitor widget in a
        notebook, a text bar in a terminal; ``jt.set_progress_view("none")`` turns it off.
        """
        from jupytorch.core import progress
        from jupytorch.nn.distributed import quiet_rank

        if quiet_rank(self.param_set.values.get("strategy")):  # torchrun ranks but 0 show nothing
            return super().train(task, row_ids)  # type: ignore[return-value]
        with progress.auto_view():
            return super().train(task, row_ids)  # type: ignore[return-value]

    def _train(self, task: Any, param_values: dict[str, Any]) -> Any:
        return fit_learner(self, task, param_values)

    def _predict(self, task: Any, param_values: dict[str, Any]) -> dict[str, Any]:
        return predict_learner(self, task, param_values)

    def _draw_seed(self, seed: Any) -> int | None:
        if seed == "random":
            return secrets.randbelow(2**31 - 1)
        return None if seed is None else int(seed)

    def _split_validation(self, task: Any, seed: int | None) -> tuple[Any, Any]:
        """Return (training task, validation task or None) according to ``validate``."""
        validate = self.validate
        if validate is None:
            return task, None
        if isinstance(validate, float):
            rng = np.random.default_rng(seed)
            ids = task.row_ids
            n_valid = round(validate * len(ids))
            if n_valid < 1 or n_valid >= len(ids):
                raise TaskError(
                    f"Learner {self.id!r}: validate={validate} leaves {n_valid} of {len(ids)} rows of task {task.id!r} "
                    "for validation; use a ratio that leaves rows on both sides."
                )
            valid_ids = np.sort(rng.choice(ids, size=n_valid, replace=False))
            train_task = task.clone()
            train_task.internal_valid_task = None
            valid_task = train_task.clone()
            valid_task.filter(valid_ids)
            train_task.filter(np.setdiff1d(ids, valid_ids, assume_unique=True))
            return train_task, valid_task
        valid_task = task.internal_valid_task
        if valid_task is None:
            where = ("resample() and benchmark() set the test set as the validation task when validate='test'"
                     if validate == "test" else "set task.internal_valid_task = <row ids or a task> first")
            raise TaskError(f"Learner {self.id!r}: validate={validate!r} needs task {task.id!r} to have an internal "
                            f"validation task; {where}.")
        return task, valid_task

    # -- saving -------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save the learner with its weights; ``jt.load(path)`` restores identical predictions.

        Weights and optimizer state are stored as tensors and the configuration as plain data,
        so loading runs no pickled code. Learners that hold code that cannot be named safely (a
        user network class, a custom loss, lambdas in callbacks) are stored with pickle, and
        ``jt.load`` then asks for ``trusted=True``.
        """
        from jupytorch.nn.persistence import save_learner

        return save_learner(self, path)

    def _persist_blob(self) -> tuple[dict[str, Any], bytes]:
        """Header fields and payload of :meth:`save` (how a GraphLearner's skops file stores this learner)."""
        from jupytorch.nn.persistence import learner_bytes

        return learner_bytes(self)

    def _summary_lines(self) -> list[str]:
        lines = super()._summary_lines()
        extra = [f"* Loss: {self.loss.id}", f"* Optimizer: {self.optimizer.id}",
                 f"* Callbacks: {', '.join(cb.id for cb in self.callbacks) or '-'}"]
        return lines[:1] + extra + lines[1:]

