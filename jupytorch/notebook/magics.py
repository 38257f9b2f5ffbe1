"""IPython magics: ``%%learner`` and ``%jupytorch`` (``%load_ext jupytorch`` registers them).

Each is a thin shorthand over a plain-Python twin in :mod:`jupytorch.notebook.cell`:

- ``%%learner NAME [--task T] [--train] [--resample SPEC] [--measures LIST] [--device D]
  [--validate V] [--predict-type T] [--seed N] [--quiet]`` -> :func:`~jupytorch.notebook.cell.run_learner_cell`.
  The cell's value is the learner, which a notebook shows as the graph inspector.
- ``%jupytorch tasks|learners|pipeops|measures|resamplings|losses|optimizers|callbacks|device``
  -> :func:`~jupytorch.notebook.cell.listing`; ``%jupytorch progress [auto|widget|text|none]``
  -> :func:`jupytorch.core.progress.set_progress_view`.

Mistakes in the cell or its options (``CellError``) are shown as a short usage error naming the
line or option, without a traceback; errors from the work itself are raised as they are.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from jupytorch.notebook.cell import LISTINGS, CellError, listing, run_learner_cell

__all__ = ["JupytorchMagics", "load_ipython_extension"]

_HELP = (
    "%jupytorch WHAT lists what jupytorch offers; WHAT is one of: "
    + ", ".join(LISTINGS)
    + ".\n%jupytorch progress [auto|widget|text|none] shows or sets the automatic progress view.\n"
    "%%learner NAME [options] builds (and trains, resamples) a learner from a cell; see "
    "help(jupytorch.notebook.magics) or docs/notebook.md."
)


@magics_class
class JupytorchMagics(Magics):
    """The ``%%learner`` cell magic and the ``%jupytorch`` line magic."""

    @cell_magic
    def learner(self, line: str, cell: str) -> Any:
        """Build a learner from a jupytorch expression, one stage per line; bind it to NAME.

        ``%%learner NAME [--task T] [--train] [--resample "cv folds=3"] [--measures "a,b"]
        [--device cpu] [--validate 0.3] [--predict-type prob] [--seed 1] [--quiet]``

        Binds NAME (the learner, trained with --train) and with --resample NAME_rr, NAME_pred
        and NAME_scores. Shows the learner as the graph inspector (nothing with --quiet).
        """
        try:
            result = run_learner_cell(line, cell, self.shell.user_ns, first_line=2)
        except CellError as error:
            raise UsageError(str(error)) from None
        from jupytorch.core.progress import progress_view_kind

        # in a kernel, "auto" and "widget" show the TrainingMonitor, which reports a Stop itself
        print(result.summary(stop_note=progress_view_kind() in ("text", "none")))
        if result.scores:
            print("Scores: " + ", ".join(f"{k} = {_number(v)}" for k, v in result.scores.items()))
        if result.options is not None and result.options.quiet:
            return None
        return result.learner

    @line_magic
    def jupytorch(self, line: str) -> Any:
        """``%jupytorch tasks|learners|pipeops|measures|resamplings|losses|optimizers|callbacks|device``."""
        words = line.split()
        if not words or words[0] in ("help", "-h", "--help"):
            print(_HELP)
            return None
        if words[0] == "progress":
            from jupytorch.core import progress

            if len(words) > 1:
                try:
                    progress.set_progress_view(words[1])
                except Exception as error:  # noqa: BLE001 - an unknown kind: say so without a traceback
                    raise UsageError(str(error)) from None
            print(f"Automatic progress view: {progress.progress_view_kind()}")
            return None
        if len(words) > 1:
            raise UsageError(f"%jupytorch {words[0]} takes no more arguments (got {' '.join(words[1:])!r}).")
        try:
            return listing(words[0])
        except CellError as error:
            raise UsageError(str(error)) from None


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else str(value)


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (called by ``%load_ext jupytorch``), and show lazy-tensor Series as previews."""
    ipython.register_magics(JupytorchMagics)
    formatter = getattr(getattr(ipython, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is not None:
        import pandas as pd

        from jupytorch.notebook.reprs import lazy_series_mimebundle

        formatter.for_type(pd.Series, lazy_series_mimebundle)
