"""The options of ``%%learner NAME [options]``: what each means, and the parser that reads them.

:data:`OPTIONS` lists every option; :func:`parse_learner_options` turns the magic's line into a
:class:`LearnerCellOptions`, raising a :class:`~jupytorch.core.exceptions.CellError` that names the
option and what would be valid for every mistake (never argparse's exit).
"""

from __future__ import annotations

import argparse
import dataclasses
import keyword
import shlex
from typing import Any

from jupytorch.core.exceptions import CellError, did_you_mean

__all__ = ["OPTIONS", "LearnerCellOptions", "parse_learner_options", "option_error"]


# -- the options --------------------------------------------------------------------------------------
#: option -> (metavar or None for a switch, help). Each option fills the field of
#: :class:`LearnerCellOptions` with its name (``--predict-type`` -> ``predict_type``); an option whose
#: value needs checking or converting has a function in ``_CONVERT``. Adding an option takes these
#: three entries; the parser (argparse) is built from them.
OPTIONS: dict[str, tuple[str | None, str]] = {
    "--task": ("TASK", "a Task variable of the notebook or a tsk() key (iris, mtcars, ...)"),
    "--train": (None, "train on the task (all rows) with live progress; NAME is the trained learner"),
    "--resample": ("SPEC", 'resample on the task, e.g. "cv folds=3" or "holdout ratio=0.8"; binds NAME_rr, NAME_pred, NAME_scores'),
    "--measures": ("LIST", 'measures, e.g. "classif.acc,classif.ce": resampling scores, and per-epoch scores of torch learners'),
    "--device": ("DEVICE", "device of torch learners: auto, cpu, cuda, cuda:1, mps"),
    "--validate": ("VALUE", "validation of torch learners: a ratio in (0, 1), test or predefined"),
    "--predict-type": ("TYPE", "the learner's predict_type: response or prob"),
    "--seed": ("INT", "seed of the resampling and the training"),
    "--tune": ("N", "tune the learner's to_tune() parameters on the task in N trials; binds NAME (tuned, trained) and NAME_ti"),
    "--tuner": ("SPEC", 'the tuner of --tune, e.g. "tpe" (default), "mbo", "random_search seed=1"'),
    "--measure": ("KEY", "the measure --tune optimizes (default: the task type's, e.g. classif.ce)"),
    "--quiet": (None, "show nothing (no graph inspector)"),
}


@dataclasses.dataclass
class LearnerCellOptions:
    """What the ``%%learner`` line says; see :data:`OPTIONS` for the meaning of each field."""

    name: str
    task: str | None = None
    train: bool = False
    resample: str | None = None
    measures: list[str] = dataclasses.field(default_factory=list)
    device: str | None = None
    validate: float | str | None = None
    predict_type: str | None = None
    seed: int | None = None
    tune: int | None = None
    tuner: str | None = None
    measure: str | None = None
    quiet: bool = False


def option_error(option: str, message: str) -> CellError:
    """A :class:`CellError` about ``option``, saying what is wrong with it.

    Examples
    --------
    >>> str(option_error("--seed", "must be an integer, got 'x'."))
    "%%learner option --seed: must be an integer, got 'x'."
    """
    return CellError(f"%%learner option {option}: {message}", option=option)


def _usage() -> str:
    parts = [f"{opt} {meta}" if meta else opt for opt, (meta, _) in OPTIONS.items()]
    return "%%learner NAME [" + "] [".join(parts) + "]"


def _field(option: str) -> str:
    return option[2:].replace("-", "_")


def _parse_validate(value: str) -> float | str | None:
    if value in ("test", "predefined"):
        return value
    if value in ("none", "None"):
        return None
    try:
        ratio = float(value)
    except ValueError:
        raise option_error(
            "--validate", f"{value!r} is not valid; give a ratio in (0, 1) such as 0.3, 'test' or 'predefined'."
            + did_you_mean(value, ["test", "predefined"])
        ) from None
    if not 0 < ratio < 1:
        raise option_error("--validate", f"the ratio must be between 0 and 1 (exclusive), got {value}.")
    return ratio


def _parse_int(option: str) -> Any:
    def parse(value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise option_error(option, f"must be an integer, got {value!r}.") from None

    return parse


def _parse_measures(value: str) -> list[str]:
    keys = [key for key in value.replace(",", " ").split() if key]
    if not keys:
        raise option_error("--measures", 'give measure keys, e.g. --measures "classif.acc,classif.ce".')
    return keys


#: option -> the function that checks and converts its text (raising a CellError naming the option)
_CONVERT: dict[str, Any] = {
    "--measures": _parse_measures,
    "--validate": _parse_validate,
    "--seed": _parse_int("--seed"),
    "--tune": _parse_int("--tune"),
}


class _Once(argparse.Action):
    """Store an option's text (or True for a switch), refusing an option given twice."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: str | None = None) -> None:
        if getattr(namespace, self.dest) is not None:
            raise argparse.ArgumentError(self, "given twice.")
        setattr(namespace, self.dest, True if self.nargs == 0 else values)


class _OptionParser(argparse.ArgumentParser):
    """argparse for the options, with every mistake raised as a :class:`CellError` (never an exit)."""

    def error(self, message: str) -> Any:  # argparse's last resort; the usual mistakes are handled below
        raise CellError(f"%%learner: {message}. Usage: {_usage()}")


def _option_parser() -> _OptionParser:
    parser = _OptionParser(prog="%%learner", add_help=False, allow_abbrev=False, exit_on_error=False)
    for option, (metavar, help) in OPTIONS.items():
        nargs = 0 if metavar is None else None
        parser.add_argument(option, dest=_field(option), action=_Once, nargs=nargs, metavar=metavar, help=help)
    return parser


def _argument_error(error: argparse.ArgumentError) -> CellError:
    """Argparse's complaint about one option, in the words of the other option errors."""
    option = (error.argument_name or "").split("/")[0]
    message = error.message
    if message.startswith("expected one argument"):
        message = f"needs a value: {option} {OPTIONS[option][0]} ({OPTIONS[option][1]})."
    elif message.startswith("ignored explicit argument"):
        message = f"is a switch and takes no value (got {message.partition('argument ')[2]})."
    return option_error(option, message)


def _unexpected(token: str) -> CellError:
    option = token.partition("=")[0]
    if not option.startswith("--"):
        return CellError(f"%%learner: unexpected {token!r} after the name; options start with --. Usage: {_usage()}",
                         option=token)
    return CellError(
        f"%%learner: unknown option {option}.{did_you_mean(option, OPTIONS)} Valid options: {', '.join(OPTIONS)}.",
        option=option,
    )


def parse_learner_options(line: str) -> LearnerCellOptions:
    """Read the ``%%learner`` line (everything after ``%%learner``).

    Parameters
    ----------
    line : str
        ``NAME [--task T] [--train] [--resample SPEC] [--measures LIST] [--device D]
        [--validate V] [--predict-type T] [--seed N] [--quiet]``; ``--opt=value`` works too.

    Returns
    -------
    LearnerCellOptions

    Raises
    ------
    CellError
        Naming the option at fault and the valid choices.

    Examples
    --------
    >>> opts = parse_learner_options('mlp --task iris --train --resample "cv folds=3" --validate 0.3')
    >>> opts.name, opts.task, opts.train, opts.resample, opts.validate
    ('mlp', 'iris', True, 'cv folds=3', 0.3)
    """
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise CellError(f"%%learner line: {error} (check the quotes). Usage: {_usage()}") from None
    if not tokens or tokens[0].startswith("-"):
        raise CellError(f"%%learner needs a name for the learner first, e.g. `%%learner mlp --task iris`. Usage: {_usage()}")
    name = tokens[0]
    if not name.isidentifier() or name in {"True", "False", "None"} or keyword.iskeyword(name):
        raise CellError(f"%%learner name {name!r} is not a valid Python variable name; use letters, digits and _, e.g. mlp.")
    try:
        parsed, rest = _option_parser().parse_known_args(tokens[1:])
    except argparse.ArgumentError as error:
        raise _argument_error(error) from None
    if rest:
        raise _unexpected(rest[0])
    opts = LearnerCellOptions(name=name)
    for option in OPTIONS:
        value = getattr(parsed, _field(option))
        if value is not None:
            setattr(opts, _field(option), _CONVERT.get(option, lambda text: text)(value))
    if (opts.train or opts.resample) and opts.task is None:
        what = "--train" if opts.train else "--resample"
        raise option_error(what, "needs a task to work on: add --task TASK (a Task variable or a tsk() key such as iris).")
    return opts
