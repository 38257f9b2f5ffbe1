"""The training loop as a ladder (the inference loop it validates with is in :mod:`jupytorch.nn.predict_loop`).

``fit -> _fit_loop -> _run_epoch -> _train_step``, and a training step is
``_infer`` (forward) -> ``_get_loss`` -> ``_backward`` -> ``_optimizer_step``, as in skorch; a
subclass overrides one rung (set ``LearnerTorch.trainer_class``). What an epoch accumulates
(the row order, pending batch losses, kept outputs) is one :class:`EpochState`.

Performance rules (``docs/architecture.md``): batches are cut by index from tensors built once; each batch
(inputs, target, output, loss) is released before the next one is materialized; nothing crosses
from the device to the host per batch. Batch losses stay on the device in a list and are read
(one ``torch.stack(...).cpu()``) a few times a second and at the end of each epoch; that is also
when NaN losses are detected, progress events are emitted and the Stop button and Ctrl-C are
polled. Callbacks are called only at the stages they override.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from jupytorch.core import progress
from jupytorch.core.exceptions import TrainingError, add_note
from jupytorch.nn.callbacks.base import STAGES, Callback
from jupytorch.nn.context import Context
from jupytorch.nn.device import autocast
from jupytorch.nn.encode import encode_output, main_output, make_prediction
from jupytorch.nn.loader import BatchPlan, prefetching
from jupytorch.nn.predict_loop import make_forward, predict_loop
from jupytorch.nn.task_dataset import Batch, TaskDataset

__all__ = ["EpochState", "Trainer"]

@dataclasses.dataclass
class EpochState:
    """What one training epoch accumulates (``trainer.epoch_state``).

    Attributes
    ----------
    order : torch.Tensor
        The positions of the rows in this epoch's order (on the CPU); batch ``k`` holds
        ``order[k * batch_size:(k + 1) * batch_size]``.
    start : float
        ``time.perf_counter()`` at the start of the epoch.
    pending : list of torch.Tensor
        Batch losses on the device not yet read.
    first_pending : int
        The 1-based batch number of ``pending[0]``.
    loss_sum, loss_count : float, int
        Sum and number of the batch losses read so far.
    outputs : list of torch.Tensor
        Detached batch outputs, kept only when ``measures_train`` need them.

    Examples
    --------
    >>> state = EpochState(order=torch.arange(4), start=0.0)
    >>> state.loss_count, state.pending
    (0, [])
    """

    order: torch.Tensor
    start: float
    pending: list[torch.Tensor] = dataclasses.field(default_factory=list)
    first_pending: int = 1
    loss_sum: float = 0.0
    loss_count: int = 0
    outputs: list[torch.Tensor] = dataclasses.field(default_factory=list)


class Trainer:
    """Runs one training of a network; callbacks read and steer it through ``ctx``.

    Parameters
    ----------
    ctx : Context
        Filled by the learner: network, optimizer, loss_fn, datasets, device, measures,
        callbacks, total_epochs.
    batch_size : int
    batch_size_predict : int, optional
        Rows per validation batch; default: :meth:`TaskDataset.predict_batch_size`.
    shuffle : bool
    eval_freq : int
    precision : {None, "bf16", "fp16"}
    batch_plan : BatchPlan, optional
        The batches of each epoch (sampler, batch_sampler, drop_last); default: slices of
        ``batch_size`` of a shuffled (``shuffle``) order.
    compile : bool
        Run the forward pass through ``torch.compile``.
    seed : int or None
        Seeds the shuffling generator.
    refresh : float
        Seconds between two reads of the running loss (progress, NaN check, Stop polling).

    Subclass and override one rung of the ladder (``_run_epoch``, ``_epoch_batches``,
    ``_train_step``, ``_infer``, ``_get_loss``, ``_backward``, ``_optimizer_step``,
    ``_epoch_loss``, ``_validate``, ``_check_stop``, ``_wrap_network``...) to change the loop; set
    ``LearnerTorch.trainer_class``. With ``strategy="ddp"`` the data-parallel rungs of
    :mod:`jupytorch.nn.trainer_ddp` are mixed into that class.

    Examples
    --------
    >>> from jupytorch import lrn, tsk
    >>> class Halved(Trainer):
    ...     def _get_loss(self, y_hat, y):
    ...         return super()._get_loss(y_hat, y) / 2
    >>> learner = lrn("regr.mlp", neurons=(4,), epochs=1, batch_size=16, seed=1)
    >>> learner.trainer_class = Halved
    >>> learner.train(tsk("mtcars")).model.epochs
    1
    """

    refresh = 0.25
    stops_within_epoch = True  # a stop asked for in a batch (ctx.terminate, Stop, Ctrl-C) ends the epoch there

    def __init__(self, ctx: Context, *, batch_size: int, batch_size_predict: int | None = None, shuffle: bool = True,
                 eval_freq: int = 1, precision: str | None = None, compile: bool = False, seed: int | None = None,
                 batch_plan: BatchPlan | None = None):
        self.ctx = ctx
        ctx.trainer = self
        self.batch_size = int(batch_size)
        if batch_size_predict is None:
            valid = ctx.dataset_valid
            batch_size_predict = self.batch_size if valid is None else valid.predict_batch_size(self.batch_size)
        self.batch_size_predict = int(batch_size_predict)
        self.shuffle = shuffle
        self.batch_plan = batch_plan or BatchPlan(ctx.dataset_train.n, self.batch_size, shuffle)
        self.eval_freq = int(eval_freq)
        ctx.eval_freq = self.eval_freq
        self.precision = precision
        self.generator = torch.Generator()
        if seed is None:
            self.generator.seed()
        else:
            self.generator.manual_seed(int(seed))
        network = ctx.network
        trained = self._wrap_network(network)
        wrapped = trained is not network
        if compile:
            trained = torch.compile(trained)
        self._network_call = trained
        self._forward = make_forward(trained, ctx.dataset_train.order)
        # validation calls the plain network: a wrapper (DDP) holds collectives that only training meets
        self._forward_predict = self._forward if not wrapped else make_forward(
            torch.compile(network) if compile else network, ctx.dataset_train.order)
        self.scaler = torch.amp.GradScaler(ctx.device.type) if precision == "fp16" else None
        ctx.scaler = self.scaler
        self._keep_outputs = bool(ctx.measures_train)
        self._stop_requested = False
        self._emit = False
        self._phase = ""
        self.epoch_state: EpochState | None = None
        self._hooks = self._collect_hooks(ctx.callbacks)

    # -- callbacks ----------------------------------------------------------------------------
    @staticmethod
    def _collect_hooks(callbacks: Mapping[str, Callback]) -> dict[str, list[Callable[[], None]]]:
        hooks: dict[str, list[Callable[[], None]]] = {stage: [] for stage in STAGES}
        for cb in callbacks.values():
            for stage in cb._active_stages():
                hooks[stage].append(getattr(cb, stage))
        return hooks

    def _wrap_network(self, network: torch.nn.Module) -> Any:
        """The module the training forward pass calls (a subclass wraps it, e.g. in DDP); default: ``network``."""
        return network

    def _call(self, stage: str) -> None:
        for hook in self._hooks[stage]:
            hook()

    def _autocast(self) -> Any:
        return autocast(self.ctx.device, self.precision)

    # -- the ladder -----------------------------------------------------------------------------
    def fit(self) -> Context:
        """Train for ``ctx.total_epochs`` epochs (from ``ctx.epoch``); returns the context."""
        ctx = self.ctx
        previous_handler = self._install_interrupt()
        error: BaseException | None = None
        try:
            self._call("on_begin")
            self._emit = progress.has_listeners()
            # one refresh clock across epochs, so that short epochs still report and see Stop
            self._next_refresh = time.perf_counter() + self.refresh
            if self._emit:
                progress.emit("train", "begin", total=ctx.total_epochs, completed=ctx.epoch,
                              learner_id=ctx.learner.id, task_id=ctx.task_train.id, device=self._device_info())
            self._keep_good_weights()
            try:
                self._fit_loop()
            except KeyboardInterrupt:
                self._first_interrupt()
            self._call("on_end")
        except BaseException as e:
            error = e
            raise
        finally:
            self._restore_interrupt(previous_handler)
            try:
                if self._emit:
                    info: dict[str, Any] = {"stopped": ctx.interrupted or ctx.terminate}
                    if error is not None:
                        info["error"] = f"{type(error).__name__}: {error}"
                    progress.emit("train", "end", total=ctx.total_epochs, completed=ctx.epoch, **info)
            finally:
                self._call("on_exit")
        return ctx

    def _fit_loop(self) -> None:
        ctx = self.ctx
        while ctx.epoch < ctx.total_epochs and not ctx.terminate:
            ctx.epoch += 1
            ctx.step = 0
            self._call("on_epoch_begin")
            if self._emit:
                progress.emit("epoch", "begin", total=ctx.n_batches, epoch=ctx.epoch)
            self._run_epoch()
            self._end_epoch()
            self._keep_good_weights()
            self._check_stop()

    def _check_stop(self) -> None:
        """After an epoch: stop when the user asked (Ctrl-C, a Stop button)."""
        ctx = self.ctx
        if not ctx.terminate and (self._stop_requested or (self._emit and progress.should_stop())):
            ctx.interrupted = ctx.terminate = True

    def _epoch_order(self) -> torch.Tensor:
        """The order of the rows in this epoch (positions, on the CPU)."""
        n = self.ctx.dataset_train.n
        return torch.randperm(n, generator=self.generator) if self.shuffle else torch.arange(n)

    def _epoch_batches(self) -> list[torch.Tensor]:
        """The batches of this epoch: 1-d position tensors on the CPU (a subclass may shard them)."""
        plan = self.batch_plan
        return plan.batches(self.generator, self._epoch_order() if plan.default else None)

    def _run_epoch(self) -> None:
        ctx = self.ctx
        storage = ctx.dataset_train.storage_device
        batches = self._epoch_batches()
        order = torch.cat(batches) if batches else torch.empty(0, dtype=torch.long)
        state = self.epoch_state = EpochState(order=order, start=time.perf_counter())
        if storage.type != "cpu":
            batches = [b.to(storage) for b in batches]
        ctx.network.train()
        last = len(batches)
        ctx.epoch_complete = last == 0  # until its last batch is done (a checkpoint of a cut epoch is partial)
        next_refresh = self._next_refresh
        train_step, pending, keep, within = self._train_step, state.pending, self._keep_outputs, self.stops_within_epoch
        clock = time.perf_counter
        loading = prefetching(ctx.dataset_train, batches)  # batches loaded ahead by worker processes, if any
        loading.__enter__()
        try:
            for step, index in enumerate(batches, 1):
                ctx.step = step
                ctx.global_step += 1
                pending.append(train_step(index))
                ctx.epoch_complete = step == last
                if keep:
                    state.outputs.append(main_output(ctx.y_hat).detach())
                if within and (ctx.terminate or self._stop_requested):  # Ctrl-C: stop after the running batch
                    break
                if clock() >= next_refresh:
                    self._refresh()
                    if within and (self._stop_requested or (self._emit and progress.should_stop())):
                        ctx.interrupted = ctx.terminate = True
                        break
                    next_refresh = clock() + self.refresh
        except KeyboardInterrupt:
            self._first_interrupt()
        finally:
            self._next_refresh = next_refresh
            ctx.batch = ctx.y_hat = None  # the last batch is not kept through validation
            loading.__exit__(None, None, None)

    def _train_step(self, index: torch.Tensor) -> torch.Tensor:
        """One batch: materialize it, then forward, loss, backward and optimizer step; the detached loss."""
        ctx = self.ctx
        ctx.batch = ctx.y_hat = ctx.last_loss = None  # release the previous batch before making this one
        x, y = ctx.dataset_train.get_batch(index)
        ctx.batch = Batch(x, y, index)
        ctx.optimizer.zero_grad(set_to_none=True)
        self._phase = "callbacks (on_batch_begin)"
        try:
            for hook in self._hooks["on_batch_begin"]:
                hook()
            with self._autocast():
                self._phase = "forward pass"
                ctx.y_hat = y_hat = self._infer(x)
                self._phase = "loss"
                ctx.last_loss = loss = self._get_loss(y_hat, y)
            self._phase = "backward pass"
            self._backward(loss)
            self._phase = "optimizer step"
            self._optimizer_step()
            self._phase = "callbacks (on_batch_end)"
            for hook in self._hooks["on_batch_end"]:
                hook()
        except Exception as error:
            add_note(error, self._step_note(self._phase, x, y, ctx.y_hat))
            raise
        return loss.detach()

    def _infer(self, x: dict[str, torch.Tensor]) -> Any:
        """The forward pass of one batch (inside the autocast context)."""
        return self._forward(x)

    def _get_loss(self, y_hat: Any, y: torch.Tensor | None) -> torch.Tensor:
        """The loss of one batch (inside the autocast context)."""
        return self.ctx.loss_fn(y_hat, y)

    def _backward(self, loss: torch.Tensor) -> None:
        """Gradients of ``loss`` (scaled with fp16), then the ``on_after_backward`` callbacks."""
        scaler = self.scaler
        (loss if scaler is None else scaler.scale(loss)).backward()
        after_backward = self._hooks["on_after_backward"]
        if after_backward:
            self._phase = "callbacks (on_after_backward)"
            if scaler is not None:
                scaler.unscale_(self.ctx.optimizer)  # callbacks see true gradients
            for hook in after_backward:
                hook()

    def _optimizer_step(self) -> None:
        """Update the weights (through the gradient scaler with fp16)."""
        optimizer, scaler = self.ctx.optimizer, self.scaler
        if scaler is None:
            optimizer.step()
        else:
            scaler.step(optimizer)
            scaler.update()

    def _step_note(self, phase: str, x: Mapping[str, torch.Tensor], y: Any, y_hat: Any) -> str:
        ctx = self.ctx
        inputs = ", ".join(f"{k}: {_shape(v)}" for k, v in x.items())
        parts = [f"inputs {{{inputs}}}", f"target {_shape(y)}"]
        if y_hat is not None:
            parts.append(f"output {_shape(y_hat)}")
        return (f"This happened in Learner {ctx.learner.id!r} during the {phase} of epoch {ctx.epoch}, batch {ctx.step} "
                f"({', '.join(parts)}).")

    # -- losses, progress, stopping --------------------------------------------------------------
    def _read_losses(self) -> None:
        """Move the pending batch losses to the host (one sync), check them, update the running mean."""
        state = self.epoch_state
        pending = state.pending
        if not pending:
            return
        values = torch.stack(pending).float().cpu()
        finite = torch.isfinite(values)
        if not bool(finite.all()):
            bad = int((~finite).nonzero()[0, 0])
            self._raise_nan(state.first_pending + bad, float(values[bad]))
        state.loss_sum += float(values.sum())
        state.loss_count += len(pending)
        state.first_pending += len(pending)
        pending.clear()
        self.ctx.running_loss = state.loss_sum / state.loss_count

    def _keep_good_weights(self) -> None:
        """Remember the weights after an epoch whose losses were all finite (one copy per epoch)."""
        self._good_weights = (self.ctx.epoch, {k: v.detach().clone() for k, v in self.ctx.network.state_dict().items()})

    def _raise_nan(self, batch: int, value: float) -> None:
        ctx = self.ctx
        good_epoch, weights = self._good_weights
        ctx.network.load_state_dict(weights)  # the diverged weights are of no use; the last finite ones are
        ctx.epoch = good_epoch
        kept = f"after epoch {good_epoch}" if good_epoch else "from before training"
        error = TrainingError(
            f"Learner {ctx.learner.id!r}: the training loss became {value} in epoch {good_epoch + 1}, batch {batch}. "
            f"Training stopped; learner.model keeps the weights {kept} (the last with finite losses) and the "
            "history of the finished epochs. Common causes: a learning rate that is too high (try opt__lr 10x "
            "smaller), unscaled inputs (add po('scale')), NaN or infinite values in the features, or a loss that "
            "does not fit the targets."
        )
        error.epoch, error.batch = good_epoch + 1, batch  # type: ignore[attr-defined]
        error.diverged = True  # type: ignore[attr-defined]
        raise error

    def _refresh(self) -> None:
        self._read_losses()
        if self._emit:
            ctx = self.ctx
            seen = min(ctx.step * self.batch_size, ctx.dataset_train.n)
            elapsed = max(time.perf_counter() - self.epoch_state.start, 1e-9)
            progress.emit("batch", "advance", total=ctx.n_batches, completed=ctx.step, epoch=ctx.epoch,
                          loss=ctx.running_loss, samples=seen, samples_per_s=seen / elapsed, device=self._device_info())

    def _device_info(self) -> dict[str, Any]:
        from jupytorch.nn.device import device_status

        return device_status(self.ctx.device)

    def _install_interrupt(self) -> Any:
        """First Ctrl-C: stop cleanly after the current batch; a second one raises as usual."""
        if threading.current_thread() is not threading.main_thread():
            return None
        previous = signal.getsignal(signal.SIGINT)
        if previous is not signal.default_int_handler:
            return None

        def handler(signum: int, frame: Any) -> None:
            self._stop_requested = True
            progress.interrupt()  # resample, benchmark and tune stop after this training too
            signal.signal(signal.SIGINT, previous)  # a second Ctrl-C raises KeyboardInterrupt

        signal.signal(signal.SIGINT, handler)
        return previous

    def _first_interrupt(self) -> None:
        """A KeyboardInterrupt reached the loop.

        After our SIGINT handler took a first Ctrl-C, this is the second one and it raises. Otherwise
        (no handler could be installed, or something raised it directly) it counts as the first: training
        stops cleanly and keeps the weights and history.
        """
        if self._stop_requested:  # set only by the SIGINT handler
            raise  # the KeyboardInterrupt being handled
        self.ctx.interrupted = self.ctx.terminate = True
        progress.interrupt()

    @staticmethod
    def _restore_interrupt(previous: Any) -> None:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)

    # -- end of an epoch: scores, validation ------------------------------------------------------
    def _end_epoch(self) -> None:
        ctx = self.ctx
        ctx.epoch_loss = self._epoch_loss()
        if self._stop_requested:
            ctx.interrupted = ctx.terminate = True
        evaluate = ctx.epoch % self.eval_freq == 0 or ctx.epoch >= ctx.total_epochs or ctx.terminate
        ctx.last_scores_train = ctx.last_scores_valid = None
        ctx.valid_loss = float("nan")
        if evaluate:
            ctx.last_scores_train = self._train_scores()
        self.epoch_state.outputs = []
        self._call("on_before_valid")
        if evaluate and ctx.dataset_valid is not None:
            ctx.last_scores_valid = self._validate()
            self._call("on_valid_end")
        self._call("on_epoch_end")
        if self._emit:
            elapsed = max(time.perf_counter() - self.epoch_state.start, 1e-9)
            train = {"loss": ctx.epoch_loss, **(ctx.last_scores_train or {})}
            progress.emit("epoch", "end", total=ctx.n_batches, completed=ctx.step, epoch=ctx.epoch, train=train,
                          valid=self._valid_info(), samples_per_s=ctx.dataset_train.n / elapsed,
                          device=self._device_info())
            progress.emit("train", "advance", total=ctx.total_epochs, completed=ctx.epoch)

    def _epoch_loss(self) -> float:
        """The mean training loss of the epoch (after reading the pending batch losses)."""
        self._read_losses()
        return self.ctx.running_loss

    def _valid_info(self) -> dict[str, float]:
        ctx = self.ctx
        if ctx.last_scores_valid is None:
            return {}
        return {"loss": ctx.valid_loss, **ctx.last_scores_valid}

    def _train_scores(self) -> dict[str, float]:
        ctx = self.ctx
        state = self.epoch_state
        if not ctx.measures_train or not state.outputs:
            return {}
        output = torch.cat(state.outputs)
        positions = state.order[:output.shape[0]].numpy()  # batches are consecutive slices of the order
        return self._score(ctx.measures_train, output, ctx.dataset_train, positions, ctx.task_train)

    def _validate(self) -> dict[str, float]:
        ctx = self.ctx
        begin, end = self._hooks["on_batch_valid_begin"], self._hooks["on_batch_valid_end"]
        on_batch = None
        if begin or end:
            def before(batch: Batch) -> None:
                ctx.batch = batch
                for hook in begin:
                    hook()

            def after(y_hat: Any) -> None:
                ctx.y_hat = y_hat
                for hook in end:
                    hook()
                ctx.batch = ctx.y_hat = None  # released before the next batch is made

            on_batch = (before, after)
        ds = ctx.dataset_valid
        output = predict_loop(ctx.network, ds, self.batch_size_predict, self._forward_predict, self._autocast, on_batch)
        ctx.valid_loss = self._valid_loss(output, ds)
        if not ctx.measures_valid:
            return {}
        return self._score(ctx.measures_valid, output, ds, np.arange(ds.n), ctx.task_valid)

    def _valid_loss(self, output: torch.Tensor, dataset: TaskDataset) -> float:
        """The loss on the validation data (one extra op on outputs already computed)."""
        if dataset.y is None or not isinstance(output, torch.Tensor):
            return float("nan")
        try:
            with torch.inference_mode():
                loss = self.ctx.loss_fn(output, dataset.y.to(output.device))
            return float(loss) if loss.numel() == 1 else float(loss.float().mean())
        except Exception:  # noqa: BLE001 - a custom loss that cannot score the whole set at once
            return float("nan")

    def _score(self, measures: Sequence[Any], output: torch.Tensor, dataset: TaskDataset, positions: Any,
               task: Any) -> dict[str, float]:
        ctx = self.ctx
        learner = ctx.learner
        encoded = encode_output(output, learner.task_type, getattr(task, "class_names", None), learner.id)
        prediction = make_prediction(encoded, dataset.row_ids[positions], dataset.truth[positions], learner.task_type,
                                     getattr(task, "class_names", None))
        return {m.id: float(m.score(prediction, task=task, learner=learner)) for m in measures}

    # -- checkpoints --------------------------------------------------------------------------------
    def extra_state(self) -> dict[str, Any]:
        """What a checkpoint needs besides weights and callbacks to continue exactly."""
        return {"shuffle": self.generator.get_state(), "torch_rng": torch.get_rng_state(),
                "scaler": None if self.scaler is None else self.scaler.state_dict()}

    def restore(self, checkpoint: Mapping[str, Any]) -> None:
        """Continue from a checkpoint written by ``t_clbk("checkpoint")`` (see ``resume``)."""
        ctx = self.ctx
        ctx.network.load_state_dict(checkpoint["network"])
        ctx.optimizer.load_state_dict(checkpoint["optimizer"])
        ctx.epoch = int(checkpoint["epoch"])
        ctx.epoch_complete = True  # load_checkpoint hands back complete epochs only
        ctx.global_step = int(checkpoint.get("global_step") or 0)
        for cb_id, state in (checkpoint.get("callbacks") or {}).items():
            cb = ctx.callbacks.get(cb_id)
            if cb is not None and state is not None:
                cb.load_state_dict(state)
        extra = checkpoint.get("trainer") or {}
        if extra.get("shuffle") is not None:
            self.generator.set_state(extra["shuffle"])
        if extra.get("torch_rng") is not None:
            torch.set_rng_state(extra["torch_rng"])
        if extra.get("scaler") is not None and self.scaler is not None:
            self.scaler.load_state_dict(extra["scaler"])


def _shape(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return "(" + ", ".join(str(d) for d in value.shape) + ")"
    if value is None:
        return "none"
    return type(value).__name__
