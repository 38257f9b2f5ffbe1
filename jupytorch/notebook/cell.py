"""The plain-Python twins of the notebook magics: everything ``%%learner`` and ``%jupytorch`` do.

``%%learner NAME [options]`` (see :mod:`jupytorch.notebook.magics`) is a thin shorthand over
:func:`run_learner_cell`, which builds the learner with :func:`learner_from_cell`, reads the
options with :func:`~jupytorch.notebook.cell_options.parse_learner_options` and runs the work with the public functions
(``resample``, ``Learner.train``, ``set_validate``...). ``%jupytorch WHAT`` is :func:`listing`.
All of them work without IPython, so they are tested and usable in scripts.

The cell body is a jupytorch expression written one pipeline stage per line; lines that start
with ``>>`` continue it::

    po("scale")
    >> nn("linear", out_features=32) >> nn("relu")
    >> nn("head")

It sees jupytorch's sugar (every public name of ``jupytorch``, and ``torch``) without imports,
and the caller's namespace; where a user variable has the name of a jupytorch function (say
``nn = torch.nn``), the jupytorch function wins inside the cell.
"""

from __future__ import annotations

import ast
import dataclasses
import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from jupytorch.core.exceptions import CellError, JupytorchError, did_you_mean
from jupytorch.notebook.cell_body import learner_from_cell
from jupytorch.notebook.cell_options import OPTIONS, LearnerCellOptions, option_error, parse_learner_options

__all__ = [
    "CellError",
    "LearnerCellOptions",
    "LearnerCellResult",
    "learner_from_cell",
    "parse_learner_options",
    "run_learner_cell",
    "listing",
    "device_info",
    "LISTINGS",
    "OPTIONS",
]


# -- running a cell ---------------------------------------------------------------------------------------
def _resolve_task(name: str, namespace: Mapping[str, Any]) -> Any:
    from jupytorch.core.registry import registry
    from jupytorch.core.sugar import tsk
    from jupytorch.core.task import Task

    value = namespace.get(name)
    if isinstance(value, Task):
        return value
    if value is not None:
        raise option_error("--task", f"{name!r} is a {type(value).__name__}, not a Task; "
                                      "give a Task variable or a tsk() key.")
    if name in registry("task"):
        return tsk(name)
    variables = [k for k, v in namespace.items() if isinstance(v, Task) and not k.startswith("_")]
    hint = did_you_mean(name, [*variables, *registry("task").keys()])
    shown = ", ".join(variables) if variables else "none"
    raise option_error(
        "--task", f"{name!r} is neither a Task variable (Task variables here: {shown}) nor a tsk() key.{hint}"
    )


def _resampling(spec: str) -> Any:
    from jupytorch.core.sugar import rsmp

    key, *pairs = spec.split()
    kwargs: dict[str, Any] = {}
    for pair in pairs:
        param, eq, raw = pair.partition("=")
        if not eq or not param:
            raise option_error(
                "--resample", f"{spec!r}: after the resampling key come key=value pairs, e.g. \"cv folds=3\" (got {pair!r})."
            )
        try:
            kwargs[param] = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            kwargs[param] = raw
    try:
        return rsmp(key, **kwargs)
    except JupytorchError as error:
        raise option_error("--resample", str(error)) from None


def _measures(keys: list[str]) -> list[Any]:
    from jupytorch.core.sugar import msr

    out = []
    for key in keys:
        try:
            out.append(msr(key))
        except JupytorchError as error:
            raise option_error("--measures", str(error)) from None
    return out


def _params_named(learner: Any, name: str) -> list[str]:
    return [pid for pid in learner.param_set.ids() if pid == name or pid.endswith(f"__{name}")]


def _configure(learner: Any, opts: LearnerCellOptions, measures: list[Any]) -> None:
    if opts.predict_type is not None:
        types = list(learner.predict_types)
        if opts.predict_type not in types:
            raise option_error(
                "--predict-type",
                f"learner {learner.id!r} predicts {', '.join(types)}, not {opts.predict_type!r}."
                + did_you_mean(opts.predict_type, types),
            )
        learner.predict_type = opts.predict_type
    if opts.device is not None:
        ids = _params_named(learner, "device")
        if not ids:
            raise option_error("--device", f"learner {learner.id!r} has no device parameter (only torch learners do).")
        try:
            learner.param_set.set_values(**dict.fromkeys(ids, opts.device))
        except JupytorchError as error:
            raise option_error("--device", str(error)) from None
    if opts.validate is not None:
        from jupytorch.nn.validate import set_validate

        try:
            set_validate(learner, opts.validate)
        except JupytorchError as error:
            raise option_error("--validate", str(error)) from None
    if measures:
        which = "measures_valid" if opts.validate is not None else "measures_train"
        ids = _params_named(learner, which)
        task_type = getattr(learner, "task_type", None)
        fitting = [m for m in measures if getattr(m, "task_type", None) in (None, task_type)]
        if ids and fitting:
            learner.param_set.set_values(**dict.fromkeys(ids, fitting))
        elif opts.resample is None:
            raise option_error(
                "--measures", f"nothing to score with them: learner {learner.id!r} records no per-epoch scores "
                "(only torch learners do); add --resample \"cv folds=3\" to score it."
            )
    if opts.seed is not None:
        ids = _params_named(learner, "seed")
        if ids:
            learner.param_set.set_values(**dict.fromkeys(ids, opts.seed))


@dataclasses.dataclass
class LearnerCellResult:
    """What :func:`run_learner_cell` did: the learner, the results and the names it bound."""

    learner: Any
    bound: dict[str, Any]
    options: LearnerCellOptions | None = None
    resample_result: Any = None
    scores: Any = None
    train_seconds: float | None = None
    stopped: bool = False

    def summary(self, stop_note: bool = True) -> str:
        """One line naming what was bound (what the magic prints); ``stop_note=False`` leaves out a Stop
        that the progress widget already reported.
        """
        parts = []
        for name, value in self.bound.items():
            what = type(value).__name__
            if name == next(iter(self.bound)) and self.train_seconds is not None:
                what += f", trained in {self.train_seconds:.1f} s"
            parts.append(f"{name} ({what})")
        line = "Bound " + ", ".join(parts) + "."
        if self.stopped and stop_note:
            line += " Stopped on request: the results so far are kept."
        return line


def run_learner_cell(line: str, body: str, namespace: MutableMapping[str, Any], *, first_line: int = 2) -> LearnerCellResult:
    """Do what a ``%%learner`` cell does, without IPython: build, configure, run, bind.

    Parameters
    ----------
    line : str
        The options line (after ``%%learner``), see :func:`parse_learner_options`.
    body : str
        The cell body, see :func:`learner_from_cell`.
    namespace : dict
        Where names are read from and bound (a notebook's ``user_ns``).
    first_line : int, default 2
        Line number of the body's first line in messages.

    Returns
    -------
    LearnerCellResult
        The names bound in ``namespace``: ``NAME`` (the learner; trained with ``--train``), and
        with ``--resample``: ``NAME_rr`` (the ResampleResult), ``NAME_pred`` (its combined
        prediction) and ``NAME_scores`` (the aggregated scores, a dict measure -> value).

    Raises
    ------
    CellError
        For a mistake in the options or in the cell body (naming the option or the line); errors
        from the work itself (training, resampling) are raised as they are.

    Examples
    --------
    >>> ns = {}
    >>> result = run_learner_cell("tree --task mtcars --resample 'cv folds=3' --measures regr.rmse --seed 1",
    ...                           'lrn("regr.rpart", maxdepth=2)', ns)
    >>> sorted(ns), list(ns["tree_scores"])
    (['tree', 'tree_pred', 'tree_rr', 'tree_scores'], ['regr.rmse'])
    """
    from jupytorch.core import progress

    opts = parse_learner_options(line)
    learner = learner_from_cell(body, namespace, first_line=first_line, short_errors=True)
    task = _resolve_task(opts.task, namespace) if opts.task is not None else None
    if task is not None and learner.task_type != task.task_type:
        raise option_error(
            "--task", f"learner {learner.id!r} is for {learner.task_type} tasks, but task {task.id!r} is a {task.task_type} task."
        )
    measures = _measures(opts.measures)
    if opts.tune is not None:
        return _tuning_cell(opts, learner, task, namespace, measures)
    if opts.tuner is not None or opts.measure is not None:
        option = "--tuner" if opts.tuner is not None else "--measure"
        raise option_error(option, "belongs to --tune N; add --tune with the number of trials.")
    resampling = _resampling(opts.resample) if opts.resample is not None else None
    _configure(learner, opts, measures)
    name = opts.name
    namespace[name] = learner
    result = LearnerCellResult(learner=learner, bound={name: learner}, options=opts)
    if resampling is not None:
        from jupytorch.core.measure import as_measures
        from jupytorch.core.resample import resample

        rr = resample(task, learner, resampling, seed=opts.seed)
        scores = rr.aggregate(list(as_measures(measures or None, task.task_type)))
        result.resample_result, result.scores = rr, scores
        result.stopped = rr.iters < rr.resampling.iters
        for suffix, value in (("rr", rr), ("pred", rr.prediction()), ("scores", scores)):
            namespace[f"{name}_{suffix}"] = value
            result.bound[f"{name}_{suffix}"] = value
    if opts.train and not result.stopped:
        start = time.perf_counter()
        with progress.auto_view(), progress.learner_name(name):  # the monitor's title names the cell's learner
            learner.train(task)
        result.train_seconds = time.perf_counter() - start
        model = learner.model if learner.state is not None else None
        result.stopped = result.stopped or _interrupted(model)
    return result


def _tuning_cell(opts: LearnerCellOptions, learner: Any, task: Any, namespace: MutableMapping[str, Any],
                 measures: list[Any]) -> LearnerCellResult:
    """``--tune N``: tune on the task (resampling ``--resample``, default holdout), bind NAME and NAME_ti."""
    from jupytorch.core import progress
    from jupytorch.notebook.cell_tuning import run_tuning_cell

    if task is None:
        raise option_error("--tune", "needs --task: the task to tune on.")
    if opts.train:
        raise option_error("--train", "is implied by --tune (the tuned learner is trained on the whole task).")
    _configure(learner, opts, measures)
    start = time.perf_counter()
    with progress.learner_name(opts.name):
        tuned = run_tuning_cell(opts.name, learner, task, namespace, n_evals=opts.tune, tuner=opts.tuner or "tpe",
                                resample=opts.resample or "holdout", measure=opts.measure, seed=opts.seed)
    result = LearnerCellResult(learner=tuned.learner, bound=dict(tuned.bound), options=opts)
    result.train_seconds = time.perf_counter() - start
    result.stopped = bool(getattr(tuned.tuning_instance, "stopped", False))
    return result


def _interrupted(model: Any) -> bool:
    """Whether training of ``model`` (a TorchModel, or a GraphModel holding one) was stopped early."""
    if model is None:
        return False
    if getattr(model, "interrupted", False):
        return True
    if isinstance(model, Mapping):
        for state in model.values():
            if _interrupted(getattr(state, "model", None)):
                return True
    return False


# -- %jupytorch listings ------------------------------------------------------------------------------------
#: what ``%jupytorch WHAT`` lists -> the sugar that lists it
LISTINGS = {
    "tasks": "tsks",
    "learners": "lrns",
    "pipeops": "pos",
    "measures": "msrs",
    "resamplings": "rsmps",
    "losses": "t_losses",
    "optimizers": "t_opts",
    "callbacks": "t_clbks",
    "device": None,
}


def device_info() -> Any:
    """Return a DataFrame of the compute devices torch sees: the CPU, each GPU (name, memory), MPS.

    Examples
    --------
    >>> device_info().iloc[0]["device"]
    'cpu'
    """
    import pandas as pd

    try:
        from jupytorch.nn.device import device_rows
    except ImportError:
        return pd.DataFrame([{"device": "cpu", "name": "torch is not installed", "available": True}])
    return pd.DataFrame(device_rows())


def listing(what: str) -> Any:
    """What ``%jupytorch WHAT`` shows: a registry as a DataFrame, or the devices.

    Parameters
    ----------
    what : str
        One of :data:`LISTINGS`: tasks, learners, pipeops, measures, resamplings, losses,
        optimizers, callbacks, device.

    Examples
    --------
    >>> "mtcars" in set(listing("tasks")["key"])
    True
    """
    if what not in LISTINGS:
        raise CellError(f"%jupytorch: unknown listing {what!r}.{did_you_mean(what, LISTINGS)} "
                        f"Choose one of {', '.join(LISTINGS)}.", option=what)
    if what == "device":
        return device_info()
    import jupytorch

    return getattr(jupytorch, LISTINGS[what])()
