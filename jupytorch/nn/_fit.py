"""What ``LearnerTorch.train`` and ``predict`` do: build the pieces, run the Trainer, keep the model."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, JupytorchWarning, TrainingError
from jupytorch.nn.callbacks.base import Callback
from jupytorch.nn.callbacks.checkpoint import CallbackCheckpoint, load_checkpoint
from jupytorch.nn.callbacks.early_stopping import CallbackEarlyStopping
from jupytorch.nn.context import Context
from jupytorch.nn.device import autocast, resolve_device, seeded, torch_threads
from jupytorch.nn.encode import encode_output
from jupytorch.nn.loader import BatchPlan, attach_workers
from jupytorch.nn.model import TaskSchema, TorchModel
from jupytorch.nn.predict_loop import make_forward, predict_loop
from jupytorch.nn.task_dataset import TaskDataset
from jupytorch.nn.tensor_cache import known_finite
from jupytorch.nn.trainer import Trainer

__all__ = ["fit_learner", "predict_learner", "warn_interrupted"]


def _measures(value: Any, learner: Any, which: str) -> list[Any]:
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return []
    from jupytorch.core.measure import as_measures

    measures = list(as_measures(value if isinstance(value, (list, tuple)) else [value], task_type=learner.task_type))
    for m in measures:
        needs = {"requires_learner", "requires_train_set"} & set(getattr(m, "properties", ()))
        if needs:
            raise InvalidParameterError(
                f"Learner {learner.id!r}: {which} cannot use measure {m.id!r}, which needs {sorted(needs)} during training."
            )
    return measures


def _callbacks(learner: Any, cb_values: dict[str, dict[str, Any]], own: dict[str, Any]) -> dict[str, Callback]:
    live = [cb._instantiate(cb_values.get(cb.id, {})) for cb in learner.callbacks]
    if own["patience"] > 0:
        live.append(CallbackEarlyStopping(own["patience"], own["min_delta"], own["restore_best_weights"]))
    live = sorted(live, key=lambda cb: cb.weight)  # stable: the given order within one weight
    return {cb.id: cb for cb in live}


def _resume_folder(learner: Any, resume: Any, callbacks: dict[str, Callback]) -> Path | None:
    if resume is None or resume is False:
        return None
    if resume is True:
        for cb in callbacks.values():
            if isinstance(cb, CallbackCheckpoint) and cb.path is not None:
                return Path(cb.path)
        raise InvalidParameterError(
            f"Learner {learner.id!r}: resume=True continues from the folder of a checkpoint callback, but there is "
            "none; add callbacks=t_clbk('checkpoint', path=...) or pass resume=<folder>."
        )
    return Path(resume)


def _check_validation(learner: Any, own: dict[str, Any], task_valid: Any, measures_valid: list[Any]) -> None:
    if own["patience"] > 0 and (task_valid is None or not measures_valid):
        raise InvalidParameterError(
            f"Learner {learner.id!r}: early stopping (patience={own['patience']}) needs validation and a validation "
            "measure: set validate (e.g. jt.set_validate(learner, 0.3)) and measures_valid=msr(...)."
        )
    if measures_valid and task_valid is None:
        raise InvalidParameterError(
            f"Learner {learner.id!r}: measures_valid is set but there is no validation data; set validate "
            "(jt.set_validate(learner, 0.3), 'test' or 'predefined')."
        )


def wrap_loss(loss_fn: Any, network: Any) -> Any:
    """The loss as training uses it: averaged over ensemble members (TabM), on the standardized
    target (``scale_target``); the model keeps the user's loss (``model.loss_fn``).
    """
    from jupytorch.nn.layers.ensemble import EnsembleLoss, is_ensemble
    from jupytorch.nn.target_scale import ScaledTargetLoss, is_target_scaled

    if is_ensemble(network):
        loss_fn = EnsembleLoss(loss_fn)
    if is_target_scaled(network):
        loss_fn = ScaledTargetLoss(loss_fn, float(network.target_mean), float(network.target_sd))
    return loss_fn


def fit_learner(learner: Any, task: Any, param_values: dict[str, Any], ranks: Any = None) -> TorchModel:
    """Train ``learner`` on ``task`` with ``param_values``; returns its model.

    With a ddp ``strategy`` the training goes to :func:`jupytorch.nn.distributed.fit_distributed`,
    which calls this function again in each rank with ``ranks`` (a ``Ranks``).
    """
    own, loss_values, opt_values, cb_values = learner._split_values(param_values)
    if own["strategy"] is not None and ranks is None:
        from jupytorch.nn.distributed import fit_distributed

        return fit_distributed(learner, task, param_values)  # type: ignore[no-any-return]
    owner = f"Learner {learner.id!r}: "
    seed = learner._draw_seed(own["seed"])
    device = resolve_device(own["device"], owner) if ranks is None else ranks.device
    task_train, task_valid = learner._split_validation(task, seed)
    measures_train = _measures(own["measures_train"], learner, "measures_train")
    measures_valid = _measures(own["measures_valid"], learner, "measures_valid")
    _check_validation(learner, own, task_valid, measures_valid)
    with torch_threads(own["num_threads"]), seeded(seed, device):
        tokens = learner._ingress_tokens(task_train, own)
        network = learner._build_network(task_train, own, tokens).to(device)
        user_loss = learner._loss_fn(task_train, loss_values, own)
        if isinstance(user_loss, torch.nn.Module):
            user_loss = user_loss.to(device)
        loss_fn = wrap_loss(user_loss, network)
        optimizer = learner.optimizer.generate(opt_values, network=network, device=device)
        preload = own["tensor_dataset"]
        ds_train = TaskDataset(task_train, tokens, device, preload=preload, stage="train")
        ds_valid = None if task_valid is None else TaskDataset(task_valid, tokens, device, preload=preload, stage="predict")
        plan = BatchPlan(ds_train.n, own["batch_size"], own["shuffle"], own["drop_last"], own["sampler"],
                         own["batch_sampler"], task=task_train)
        for ds in (ds_train, ds_valid):
            attach_workers(ds, own["num_workers"], device, own["pin_memory"], seed)
        callbacks = _callbacks(learner, cb_values, own)
        if ranks is not None and ranks.rank != 0:  # callbacks run in rank 0, but those that steer training
            callbacks = {cb_id: cb for cb_id, cb in callbacks.items() if cb.every_rank}
        ctx = Context(
            learner=learner, task_train=task_train, task_valid=task_valid, dataset_train=ds_train,
            dataset_valid=ds_valid, network=network, optimizer=optimizer, loss_fn=loss_fn, device=device,
            total_epochs=own["epochs"], n_batches=plan.n_batches,
            measures_train=measures_train, measures_valid=measures_valid, callbacks=callbacks, seed=seed,
        )
        for cb in callbacks.values():
            cb.ctx = ctx
        trainer_class = learner.trainer_class or Trainer
        extra: dict[str, Any] = {}
        if ranks is not None:
            from jupytorch.nn.trainer_ddp import distributed_trainer

            trainer_class, extra = distributed_trainer(trainer_class), {"ranks": ranks}
        trainer = trainer_class(
            ctx, batch_size=own["batch_size"], batch_size_predict=own["batch_size_predict"], shuffle=own["shuffle"],
            eval_freq=own["eval_freq"], precision=own["precision"], compile=own["compile"], seed=seed, batch_plan=plan,
            **extra,
        )
        folder = _resume_folder(learner, own["resume"], callbacks)
        if folder is not None:
            trainer.restore(load_checkpoint(folder, learner_id=learner.id))
        try:
            trainer.fit()
        except TrainingError as error:
            if getattr(error, "diverged", False):  # the last finite weights and the history survive
                error.partial_model = _model(ctx, callbacks, network, optimizer, user_loss, seed, tokens, task_train)
            raise
        finally:
            for ds in (ds_train, ds_valid):
                if ds is not None:
                    ds.workers = None  # the worker processes end with their loader
    if ctx.interrupted and not progress.stop_is_shown() and ranks is None:  # the widget already says so: no second report
        warn_interrupted(learner, ctx.epoch, ctx.step)
    return _model(ctx, callbacks, network, optimizer, user_loss, seed, tokens, task_train)


def _model(ctx: Context, callbacks: dict[str, Any], network: torch.nn.Module, optimizer: Any, loss_fn: Any,
           seed: int | None, tokens: dict[str, Any], task: Any) -> TorchModel:
    """The trained model: the network (ready to predict), optimizer and callback states, bookkeeping."""
    network.eval()
    early = callbacks.get("early_stopping")
    states = {cb_id: cb.state_dict() for cb_id, cb in callbacks.items()}
    for cb in callbacks.values():
        cb.ctx = None
    best_epoch = getattr(early, "best_epoch", None)
    valid_scores = getattr(early, "best_scores", None) if early is not None else ctx.last_scores_valid
    return TorchModel(
        network=network, optimizer=optimizer.state_dict(), loss_fn=loss_fn, callbacks=states, seed=seed,
        epochs=ctx.epoch, interrupted=ctx.interrupted, ingress_tokens=tokens,
        task_schema=TaskSchema.from_task(task), internal_valid_scores=valid_scores, best_epoch=best_epoch,
    )


def predict_learner(learner: Any, task: Any, param_values: dict[str, Any]) -> dict[str, Any]:
    """Predict ``task`` with the trained ``learner``; returns ``response`` (and ``prob``) arrays."""
    own = learner._split_values(param_values)[0]
    model = learner.model
    device = resolve_device(own["device"], f"Learner {learner.id!r}: ")
    network = model.network
    if _device_of(network) != device:
        network = network.to(device)
    preload = own["tensor_dataset"]
    dataset = TaskDataset(task, model.ingress_tokens, device, preload=preload, stage="predict", target=False)
    _check_finite_inputs(learner, task, dataset, model.ingress_tokens)
    attach_workers(dataset, own["num_workers"], device, own["pin_memory"], model.seed)
    batch_size = own["batch_size_predict"] or dataset.predict_batch_size(own.get("batch_size") or 1)
    forward = make_forward(network, list(model.ingress_tokens))
    precision = own["precision"]
    with torch_threads(own["num_threads"]), seeded(model.seed, device):
        output = predict_loop(network, dataset, int(batch_size), forward, lambda: autocast(device, precision))
    class_names = model.task_schema.class_names
    encoded = encode_output(output, learner.task_type, class_names, learner.id)
    if learner.task_type == "regr":
        return {"response": encoded["response"]}
    prob = encoded["prob"]
    response = np.asarray(class_names, dtype=object)[prob.argmax(axis=1)] if len(prob) else np.array([], dtype=object)
    return {"response": response, "prob": prob}


def _check_finite_inputs(learner: Any, task: Any, dataset: TaskDataset, tokens: dict[str, Any]) -> None:
    """Refuse missing or infinite values in the numeric inputs of a prediction, naming the columns
    (training checks the task itself; a network would silently answer NaN).
    """
    counts: dict[str, int] = {}
    for name, token in tokens.items():
        tensor = dataset.tensors.get(name)
        if tensor is None or not tensor.is_floating_point() or tensor.dim() != 2 or known_finite(tensor):
            continue
        finite = torch.isfinite(tensor)
        if not bool(finite.all()):  # the common case costs two small operations
            per_column = (~finite).sum(dim=0).tolist()
            features = list(token.features) if isinstance(token.features, (list, tuple)) else []
            for i, n in enumerate(per_column):
                if n:
                    counts[features[i] if i < len(features) else f"{name}[{i}]"] = int(n)
    learner._refuse_values(task, counts, "cannot predict rows with missing (NaN) or infinite (inf) values",
                           "Impute first, e.g. po('imputehist') >> learner.")


def _device_of(network: torch.nn.Module) -> torch.device | None:
    """The device of the network's first parameter (None without parameters)."""
    for parameter in network.parameters():
        return parameter.device
    return None


def warn_interrupted(learner: Any, epoch: int, step: int | None) -> None:
    """Tell the user training stopped early because they asked it to.

    Examples
    --------
    >>> import warnings, jupytorch as jt
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_interrupted(jt.lrn("regr.mlp"), 2, 5)
    >>> "stopped by the user in epoch 2, batch 5" in str(caught[0].message)
    True
    """
    where = f"at the end of epoch {epoch}" if step is None else f"in epoch {epoch}, batch {step}"
    warnings.warn(
        f"Learner {learner.id!r}: training was stopped by the user {where}; the weights and the "
        "history so far are kept (learner.model.interrupted is True).",
        JupytorchWarning,
        stacklevel=4,
    )
