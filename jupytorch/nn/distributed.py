"""Training one network on several processes: the ``strategy`` and ``devices`` parameters.

``lrn("classif.mlp", ..., strategy="ddp", devices=2)`` trains with
``torch.nn.parallel.DistributedDataParallel`` (what each rank does is in
:mod:`jupytorch.nn.trainer_ddp`). Where the processes come from:

* **torchrun** (``torchrun --nproc-per-node 4 script.py``): the environment holds ``RANK``,
  ``WORLD_SIZE`` and ``LOCAL_RANK``; ``train()`` joins that process group (or the one the script
  already opened), uses ``cuda:<LOCAL_RANK>`` on GPUs, and every rank ends with the same weights;
  the history and the other callbacks' states are in rank 0's learner.
* **started here** (a notebook or a plain script): ``train()`` starts ``devices`` processes with
  ``torch.multiprocessing`` — fresh interpreters for ``"ddp"`` and ``"ddp_spawn"``, forked
  copies of this process for ``"ddp_notebook"`` (which also sees classes defined in a notebook,
  but cannot start once this process has initialized CUDA) — and puts rank 0's model into the
  learner. Progress events of rank 0 reach the view of this process, and its Stop button or a
  Ctrl-C ends the training after the current epoch (a second Ctrl-C ends the processes at once).

The backend is ``nccl`` on CUDA and ``gloo`` on the CPU. If a rank fails, the others are ended
and its error is raised here with a note naming the rank; a rank that waits in a collective
longer than :func:`collective_timeout` (``$JUPYTORCH_DDP_TIMEOUT`` seconds) fails.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import importlib
import os
import pickle
import signal
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.multiprocessing.spawn import ProcessException

from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError, TrainingError, add_note
from jupytorch.nn.device import resolve_device

__all__ = ["TIMEOUT_VAR", "Ranks", "collective_timeout", "fit_distributed", "launched_by_torchrun", "quiet_rank"]

TIMEOUT_VAR = "JUPYTORCH_DDP_TIMEOUT"
"""The environment variable that sets :func:`collective_timeout` in seconds (default 1800)."""

_TORCHRUN = ("RANK", "WORLD_SIZE", "LOCAL_RANK")


@dataclasses.dataclass(frozen=True)
class Ranks:
    """Where this process stands in a data-parallel training.

    Attributes
    ----------
    rank : int
        0 .. ``world_size - 1``; rank 0 runs the callbacks and keeps the history.
    world_size : int
        The number of processes.
    device : torch.device
        This rank's device (``cuda:<local rank>`` on GPUs).

    Examples
    --------
    >>> Ranks(1, 2, torch.device("cpu")).world_size
    2
    """

    rank: int
    world_size: int
    device: torch.device


def launched_by_torchrun() -> bool:
    """Whether this process is a rank started by ``torchrun`` (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` are set).

    Examples
    --------
    >>> import os
    >>> launched_by_torchrun() == all(name in os.environ for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"))
    True
    """
    return all(name in os.environ for name in _TORCHRUN)


def quiet_rank(strategy: Any) -> bool:
    """Whether this process is a torchrun rank other than 0 of a ddp training (it shows no progress).

    Examples
    --------
    >>> quiet_rank(None)
    False
    """
    return strategy is not None and launched_by_torchrun() and os.environ["RANK"] != "0"


def collective_timeout() -> datetime.timedelta:
    """How long a rank waits in a collective (an all-reduce) for the others before it fails.

    ``$JUPYTORCH_DDP_TIMEOUT`` seconds, default 30 minutes (torch's default): longer than any
    validation rank 0 runs while the others wait. The processes a training starts inherit it.

    Examples
    --------
    >>> collective_timeout().total_seconds() == float(os.environ.get(TIMEOUT_VAR, 1800))
    True
    """
    value = os.environ.get(TIMEOUT_VAR, "1800")
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise InvalidParameterError(f"${TIMEOUT_VAR} must be a positive number of seconds, got {value!r}.")
    return datetime.timedelta(seconds=seconds)


def _backend(device: torch.device) -> str:
    return "nccl" if device.type == "cuda" else "gloo"


def _rank_device(value: Any, local_rank: int, owner: str) -> torch.device:
    device = resolve_device(value, owner)
    if device.type == "cuda":
        return torch.device("cuda", local_rank)
    if device.type != "cpu":
        raise InvalidParameterError(
            f"{owner}strategy='ddp' trains on CUDA GPUs (backend nccl) or on the CPU (gloo), not on device {value!r}; "
            "set device='cpu' or 'cuda'."
        )
    return device


def _check(learner: Any, own: dict[str, Any], world_size: int | None) -> None:
    """Refuse what data-parallel training does not support, before any process starts."""
    owner = f"Learner {learner.id!r}: "
    strategy = own["strategy"]
    if own["measures_train"]:
        raise InvalidParameterError(
            f"{owner}measures_train cannot be used with strategy={strategy!r}: each process sees only its part of "
            "the training batches. Score on validation data instead (validate=... and measures_valid=...)."
        )
    for name in ("sampler", "batch_sampler"):
        if own[name] is not None:
            raise InvalidParameterError(
                f"{owner}{name} cannot be used with strategy={strategy!r} yet: every process must draw the same "
                f"batches, and a sampler draws from its own random state. Leave {name}=None (shuffle=True shuffles "
                "with the learner's seed)."
            )
    if world_size is not None and own["batch_size"] < world_size:
        raise InvalidParameterError(
            f"{owner}batch_size={own['batch_size']} is smaller than the {world_size} processes of strategy={strategy!r}; "
            f"each batch is split among them, so use batch_size >= {world_size}."
        )


def fit_distributed(learner: Any, task: Any, param_values: dict[str, Any]) -> Any:
    """Train ``learner`` on ``task`` with its ddp ``strategy``; returns rank 0's model.

    Under torchrun this process is one rank and trains its part; otherwise ``devices``
    processes are started and this one waits for them.

    Examples
    --------
    >>> import jupytorch as jt
    >>> learner = jt.lrn("regr.mlp", epochs=1, batch_size=1, strategy="ddp", devices=2, device="cpu")
    >>> try:
    ...     learner.train(jt.tsk("mtcars"))
    ... except InvalidParameterError as error:
    ...     print("smaller than the 2 processes" in str(error))
    True
    """
    own = learner._split_values(param_values)[0]
    if launched_by_torchrun():
        return _fit_torchrun(learner, task, param_values, own)
    return _fit_spawned(learner, task, param_values, own)


# -- one rank ----------------------------------------------------------------------------------------
def _fit_torchrun(learner: Any, task: Any, param_values: dict[str, Any], own: dict[str, Any]) -> Any:
    owner = f"Learner {learner.id!r}: "
    local_rank = int(os.environ["LOCAL_RANK"])
    local_world = os.environ.get("LOCAL_WORLD_SIZE")
    if own["devices"] is not None and local_world is not None and own["devices"] != int(local_world):
        raise InvalidParameterError(
            f"{owner}devices={own['devices']}, but torchrun started {local_world} processes on this node "
            "(--nproc-per-node); leave devices=None under torchrun."
        )
    device = _rank_device(own["device"], local_rank, owner)
    created = not dist.is_initialized()
    _check(learner, own, int(os.environ["WORLD_SIZE"]) if created else dist.get_world_size())
    if created:
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(_backend(device), timeout=collective_timeout())
    try:
        ranks = Ranks(dist.get_rank(), dist.get_world_size(), device)
        seed = [learner._draw_seed(own["seed"])]  # "random" is drawn once, in rank 0
        dist.broadcast_object_list(seed, src=0, device=device if device.type == "cuda" else None)
        from jupytorch.nn._fit import fit_learner

        model = fit_learner(learner, task, {**param_values, "seed": seed[0]}, ranks=ranks)
    finally:
        if created:
            dist.destroy_process_group()
    return model


# -- processes started here ----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fit_spawned(learner: Any, task: Any, param_values: dict[str, Any], own: dict[str, Any]) -> Any:
    owner = f"Learner {learner.id!r}: "
    strategy = own["strategy"]
    device = _rank_device(own["device"], 0, owner)
    n = own["devices"]
    if n is None:
        if device.type != "cuda":
            raise InvalidParameterError(
                f"{owner}strategy={strategy!r} on the CPU needs devices=<number of processes> (e.g. devices=2); "
                "on CUDA the default is one process per GPU."
            )
        n = torch.cuda.device_count()
    if device.type == "cuda" and n > torch.cuda.device_count():
        raise InvalidParameterError(
            f"{owner}devices={n}, but only {torch.cuda.device_count()} CUDA GPUs are visible; "
            f"use devices <= {torch.cuda.device_count()} (one process per GPU)."
        )
    _check(learner, own, n)
    collective_timeout()  # a bad $JUPYTORCH_DDP_TIMEOUT fails here, not in every rank
    method = "fork" if strategy == "ddp_notebook" else "spawn"
    if method == "fork":
        if sys.platform == "win32":
            raise InvalidParameterError(f"{owner}strategy='ddp_notebook' forks processes, which Windows cannot; "
                                        "use strategy='ddp' (fresh processes).")
        if torch.cuda.is_initialized():
            raise InvalidParameterError(
                f"{owner}strategy='ddp_notebook' forks this process, but CUDA is already initialized in it, and a "
                "forked process cannot use CUDA then. Restart the kernel and train before anything touches the GPU, "
                "use strategy='ddp' (fresh processes; the learner and its parts must then be importable, not defined "
                "in the notebook), or run a script with torchrun."
            )
        importlib.import_module("torch._dynamo")  # torch imports it with the first optimizer: once here, not per rank
    values = {**param_values, "seed": learner._draw_seed(own["seed"])}
    shipped = copy.copy(learner)
    shipped.state = None  # a model of an earlier training need not travel to the ranks
    context = mp.get_context(method)
    events, stop = context.SimpleQueue(), context.Event()
    with tempfile.TemporaryDirectory(prefix="jupytorch-ddp-") as folder:
        procs = mp.start_processes(
            _worker, args=(n, _free_port(), shipped, task, values, folder, events, stop),
            nprocs=n, join=False, start_method=method)
        _wait(procs, events, stop, Path(folder), f"Learner {learner.id!r} (strategy={strategy!r})", n)
        model = torch.load(Path(folder) / "model.pt", map_location="cpu", weights_only=False)  # written by rank 0
    if model.interrupted and not progress.stop_is_shown():
        from jupytorch.nn._fit import warn_interrupted

        warn_interrupted(learner, model.epochs, None)  # the ranks stop together at an epoch's end
    return model


def _wait(procs: Any, events: Any, stop: Any, folder: Path, who: str, n: int) -> None:
    """Wait for the ranks, re-emitting rank 0's progress here; raise the first rank's error."""
    interrupts = 0
    while True:
        try:
            done = procs.join(timeout=0.1)
            while not events.empty():
                event = events.get()
                progress.emit(event["level"], event["stage"], event["total"], event["completed"], **event["info"])
            if done:
                return
            if not stop.is_set() and progress.should_stop():
                stop.set()
        except KeyboardInterrupt:
            interrupts += 1
            if interrupts == 1:  # the ranks stop together at the end of the epoch and keep the model
                stop.set()
                continue
            _end(procs)
            raise
        except ProcessException as failure:  # a rank failed
            _end(procs)
            raise _rank_error(failure, folder, who, n) from None


def _end(procs: Any) -> None:
    for process in procs.processes:
        if process.is_alive():
            process.terminate()
    for process in procs.processes:
        process.join(5)
        if process.is_alive():
            process.kill()


def _rank_error(failure: Exception, folder: Path, who: str, n: int) -> BaseException:
    """The error of the rank that failed first (by the time it recorded), with a note naming it."""
    recorded = []
    for path in folder.glob("error-*.pkl"):
        try:
            recorded.append(pickle.loads(path.read_bytes()))
        except Exception:  # noqa: BLE001 - an error that cannot be unpickled: the text below still names it
            continue
    if recorded:
        _when, rank, error, trace = min(recorded, key=lambda r: r[0])
        if isinstance(error, BaseException):
            add_note(error, f"{who}: this happened in rank {rank} of {n}; the other ranks were ended. "
                            f"The traceback in rank {rank}:\n{trace}")
            if "timed out" in str(error).lower():
                add_note(error, f"Rank {rank} waited for the other ranks longer than ${TIMEOUT_VAR} = "
                                f"{collective_timeout().total_seconds():g} s: one of them is stuck, or slower than that "
                                f"(raise ${TIMEOUT_VAR} for a long validation in rank 0).")
            return error
    rank = getattr(failure, "error_index", "?")
    return TrainingError(
        f"{who}: rank {rank} of {n} failed and the other ranks were ended: {failure}. If it failed while starting, "
        "a script must start the training under `if __name__ == '__main__':` (fresh processes import the script), "
        "and what the learner holds must be importable (not defined in a notebook; strategy='ddp_notebook' forks "
        "instead).")


class _Forward:
    """Rank 0's progress listener: events go to the process that started the ranks, which may ask to stop."""

    reports_stop = False

    def __init__(self, events: Any, stop: Any):
        self.events, self.stop = events, stop

    def on_event(self, event: dict[str, Any]) -> None:
        self.events.put(event)

    def should_stop(self) -> bool:
        return bool(self.stop.is_set())


def _worker(rank: int, world_size: int, port: int, learner: Any, task: Any, values: dict[str, Any], folder: str,
            events: Any, stop: Any) -> None:
    """One rank started by :func:`_fit_spawned` (a torchrun rank in all but the launcher)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    progress._listeners.clear()  # a forked rank must not draw into the parent's views
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank),
                      WORLD_SIZE=str(world_size), LOCAL_WORLD_SIZE=str(world_size))
    try:
        if rank == 0:
            with progress.listen(_Forward(events, stop)):
                model = fit_distributed(learner, task, values)
            torch.save(model, Path(folder) / "model.pt")
        else:
            fit_distributed(learner, task, values)
    except BaseException as error:
        when, trace = time.time(), traceback.format_exc()
        try:
            payload = pickle.dumps((when, rank, error, trace))
        except Exception:  # noqa: BLE001 - an error that does not pickle travels as text
            payload = pickle.dumps((when, rank, TrainingError(f"{type(error).__name__}: {error}"), trace))
        (Path(folder) / f"error-{rank}.pkl").write_bytes(payload)
        raise
