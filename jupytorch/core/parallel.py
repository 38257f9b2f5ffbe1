"""Where the iterations of ``resample``, ``benchmark`` and ``tune`` run: ``jt.parallel(...)``.

The iterations go through joblib, so any joblib backend runs them. ``jt.parallel`` is a thin
layer over :func:`joblib.parallel_config` that also connects to (or starts) a Dask cluster, so
that one ``with`` line moves a benchmark from this machine to a cluster. joblib's Dask backend
ships each large argument (a task, a learner) to the workers once per run, not once per
iteration, and results stream back as iterations finish, so the progress view advances per
iteration.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError, did_you_mean

__all__ = ["parallel"]

BACKENDS = ("loky", "threading", "multiprocessing", "sequential", "dask", "ray")


@contextlib.contextmanager
def parallel(backend: str = "loky", *, n_jobs: int | None = -1, address: Any = None, n_workers: int | None = None,
             **config: Any) -> Iterator[Any]:
    """Run the iterations of ``resample``, ``benchmark`` and ``tune`` on a joblib backend.

    Parameters
    ----------
    backend : str
        ``"loky"`` (worker processes on this machine, the default of ``n_jobs=``),
        ``"threading"``, ``"sequential"``, ``"dask"`` (a ``dask.distributed`` cluster) or ``"ray"``
        (joblib's Ray backend, registered here: the Ray cluster this process is connected to with
        ``ray.init(...)``, else a local one that Ray starts; needs ``pip install ray``).
    n_jobs : int, optional
        How many iterations run at once; -1: as many as the backend has workers.
    address : str or dask.distributed.Client, optional
        ``backend="dask"``: the scheduler to connect to (``"tcp://host:8786"``) or a Client.
        Without it a ``LocalCluster`` of ``n_workers`` processes is started for the block and
        closed after it.
    n_workers : int, optional
        Workers of the local Dask cluster (default: one per core).
    **config
        Passed on to :func:`joblib.parallel_config`.

    Yields
    ------
    dask.distributed.Client or None
        The Dask client (``backend="dask"``), else None.

    Examples
    --------
    >>> import jupytorch as jt
    >>> with jt.parallel("threading", n_jobs=2):
    ...     rr = jt.resample(jt.tsk("mtcars"), jt.lrn("regr.rpart"), jt.rsmp("cv", folds=3), seed=1)
    >>> rr.iters
    3
    """
    from joblib import parallel_config

    if backend not in BACKENDS:
        raise InvalidParameterError(
            f"parallel(): unknown backend {backend!r}.{did_you_mean(backend, BACKENDS)} Valid backends: {list(BACKENDS)}."
        )
    if backend != "dask":
        if address is not None or n_workers is not None:
            raise InvalidParameterError(f"parallel(): address and n_workers are for backend='dask', not {backend!r}.")
        if backend == "ray":
            _register_ray()
        with parallel_config(backend=backend, n_jobs=n_jobs, **config):
            yield None
        return
    with _dask_client(address, n_workers) as client, parallel_config(backend="dask", n_jobs=n_jobs, **config):
        yield client


def _register_ray() -> None:
    """Make joblib's ``"ray"`` backend known (Ray ships it; registering twice is harmless)."""
    try:
        from ray.util.joblib import register_ray
    except ImportError as error:
        raise InvalidParameterError(
            "parallel('ray') needs Ray: pip install ray (or pip install 'jupytorch[ray]')."
        ) from error
    register_ray()


def _register_task_size() -> None:
    """Tell Dask how big a task is, so that joblib's Dask backend scatters it once per run.

    joblib sends an argument to the workers ahead of the iterations (once) when Dask's
    ``sizeof`` says it is large; without this a Task looks like a few bytes and travels with
    every iteration.
    """
    from dask.sizeof import sizeof

    from jupytorch.core.task import Task

    @sizeof.register(Task)
    def _task_size(task: Task) -> int:
        return int(sizeof(task._data))


@contextlib.contextmanager
def _dask_client(address: Any, n_workers: int | None) -> Iterator[Any]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as error:
        raise InvalidParameterError(
            "parallel('dask') needs dask.distributed: pip install 'dask[distributed]'."
        ) from error
    _register_task_size()
    if isinstance(address, Client):
        yield address
        return
    if address is not None:
        with Client(address) as client:
            yield client
        return
    # one thread per worker process: torch and BLAS threads inside each iteration would fight
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client
