"""Shared studies: the tuning problem travels with the study, and ``jupytorch tune-worker`` joins it.

``tune(..., storage=..., study_name=...)`` stores the problem (task, learner with its tokens,
instantiated resampling, measures, tuner, terminator, pruner, seed) in the study's user
attributes. Any process that reaches the storage can then work on the study with::

    jupytorch tune-worker --storage sqlite:///tune.db --study california --trusted

**Safety.** The problem is stored as a pickle (learners, tasks and pipelines hold arbitrary
Python objects), and unpickling can run code. Whoever can write to the storage could therefore
make a worker run code, so a worker loads the problem only when told that the storage is trusted
(``--trusted`` / ``trusted=True``), exactly like ``jt.load(path, trusted=True)``. Use storages
that only you (or your team) can write to.
"""

from __future__ import annotations

import argparse
import base64
import copy
import pickle
import sys
import zlib
from collections.abc import Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["load_definition", "main", "store_definition", "tune_worker"]

KEY = "jt_definition"
CHUNK = 500_000  # characters per user attribute (databases limit the size of one value)


def store_definition(ti: Any, pruning: bool = False, heartbeat_interval: int | None = 60) -> None:
    """Keep the tuning problem of ``ti`` in its study's user attributes (pickled: see the module's note)."""
    problem = {
        "task": ti.task, "learner": ti.learner, "resampling": ti.resampling, "measures": ti.measures,
        "tuner": ti.tuner, "terminator": ti.terminator, "pruner": ti.study.pruner if pruning else None,
        "seed": ti.seed, "heartbeat_interval": heartbeat_interval,
    }
    text = base64.b64encode(zlib.compress(pickle.dumps(problem, protocol=pickle.HIGHEST_PROTOCOL))).decode("ascii")
    chunks = [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
    study = ti.study
    if study.user_attrs.get(f"{KEY}_chunks") == len(chunks) and all(
        study.user_attrs.get(f"{KEY}_{i}") == chunk for i, chunk in enumerate(chunks)
    ):
        return
    for i, chunk in enumerate(chunks):
        study.set_user_attr(f"{KEY}_{i}", chunk)
    study.set_user_attr(f"{KEY}_chunks", len(chunks))


def load_definition(study: Any, trusted: bool = False) -> dict[str, Any]:
    """The tuning problem stored with ``study``; refuses unless ``trusted`` (unpickling can run code)."""
    attrs = study.user_attrs
    n = attrs.get(f"{KEY}_chunks")
    if n is None:
        raise InvalidParameterError(
            f"Study {study.study_name!r} holds no jupytorch tuning problem; start it with "
            "jt.tune(..., storage=..., study_name=...) first."
        )
    if not trusted:
        raise InvalidParameterError(
            f"Study {study.study_name!r} stores its tuning problem as a pickle, and loading it can run code. Only if you "
            "trust everyone who can write to this storage, pass --trusted (tune_worker(..., trusted=True))."
        )
    text = "".join(attrs[f"{KEY}_{i}"] for i in range(n))
    return pickle.loads(zlib.decompress(base64.b64decode(text)))


def tune_worker(storage: Any, study_name: str, *, trusted: bool = False, seed: int | None = None, n_jobs: int | None = 1) -> Any:
    """Join the study ``study_name`` in ``storage`` and work on it until its terminator says stop.

    Parameters
    ----------
    storage : str or optuna storage
    study_name : str
    trusted : bool
        Required: the stored problem is a pickle (see the module's note on safety).
    seed : int, optional
        Seeds this worker's sampler (workers must differ: by default each draws its own seed).

    Returns
    -------
    TuningInstance
        On the shared study (its archive holds every worker's trials).

    Examples
    --------
    >>> import tempfile, jupytorch as jt
    >>> url = f"sqlite:///{tempfile.mkdtemp()}/tune.db"
    >>> learner = jt.lrn("regr.rpart", maxdepth=jt.to_tune(1, 4))
    >>> ti = jt.tune(jt.tnr("random_search", seed=1), jt.tsk("mtcars"), learner, jt.rsmp("holdout"),
    ...              jt.msr("regr.rmse"), term_evals=2, storage=url, study_name="doc")
    >>> ti = tune_worker(url, "doc", trusted=True, seed=2)   # the study is done: no more trials
    >>> len(ti.archive)
    2
    """
    import optuna

    from jupytorch.tuning.instance import TuningInstance
    from jupytorch.tuning.space import SearchSpace
    from jupytorch.tuning.tune import _make_study, make_pruner, run_tuning

    probe = optuna.load_study(study_name=study_name, storage=storage)
    problem = load_definition(probe, trusted=trusted)
    space = SearchSpace.from_learner(problem["learner"])
    tuner = copy.copy(problem["tuner"])
    tuner.seed = seed  # workers must not all propose the same configurations
    sampler = tuner.sampler(space, seed)
    pruner = problem["pruner"]
    minimize = [bool(m.minimize) for m in problem["measures"]]
    study = _make_study(storage, study_name, minimize, sampler, make_pruner(pruner), problem["heartbeat_interval"])
    ti = TuningInstance(problem["task"], problem["learner"], problem["resampling"], problem["measures"], space,
                        problem["tuner"], problem["terminator"], study, problem["seed"])
    return run_tuning(ti, n_jobs=n_jobs, pruning=pruner is not None)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``jupytorch`` command: ``jupytorch tune-worker --storage URL --study NAME --trusted``."""
    parser = argparse.ArgumentParser(prog="jupytorch", description="jupytorch command line tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    worker = commands.add_parser("tune-worker", help="work on a shared tuning study until it is done")
    worker.add_argument("--storage", required=True, help="an Optuna storage URL (sqlite:///..., postgresql://...)")
    worker.add_argument("--study", required=True, help="the study name given to jt.tune(study_name=...)")
    worker.add_argument("--trusted", action="store_true", help="load the pickled tuning problem from this storage")
    worker.add_argument("--seed", type=int, default=None, help="seed of this worker's sampler")
    worker.add_argument("--n-jobs", type=int, default=1, help="parallel resampling iterations in this worker")
    args = parser.parse_args(argv)
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        ti = tune_worker(args.storage, args.study, trusted=args.trusted, seed=args.seed, n_jobs=args.n_jobs)
    except InvalidParameterError as error:
        print(f"jupytorch tune-worker: {error}", file=sys.stderr)
        return 2
    print(f"jupytorch tune-worker: study {args.study!r} has {ti.n_trials_started()} trials.")
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m jupytorch.tuning.worker
    raise SystemExit(main())
