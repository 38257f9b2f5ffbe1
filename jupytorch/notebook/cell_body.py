"""The body of a ``%%learner`` cell: one jupytorch expression, one stage per line, built into a learner.

Errors name the cell's own line numbers (the magic's line is line 1): a syntax error shows the
line and a caret, the usual slip (a new stage without ``>>`` in front) says what to write, and an
error raised while the expression runs is reported at the stage being joined.
"""

from __future__ import annotations

import ast
import traceback
from collections.abc import Mapping
from typing import Any

from jupytorch.core.exceptions import CellError

__all__ = ["learner_from_cell"]

_FILENAME = "<%%learner cell>"


# -- parsing ----------------------------------------------------------------------------------
def _code_lines(lines: list[str]) -> list[int]:
    """Indices of the lines that hold code (not blank, not only a comment)."""
    return [i for i, text in enumerate(lines) if text.strip() and not text.strip().startswith("#")]


def _parses(lines: list[str]) -> bool:
    try:
        ast.parse("(\n" + "\n".join(lines) + "\n)", mode="eval")
    except SyntaxError:
        return False
    return True


def _where(lines: list[str], index: int, first_line: int) -> str:
    text = lines[index].rstrip() if 0 <= index < len(lines) else ""
    return f"line {index + first_line}: {text.strip()}"


def _syntax_error(body: str, error: SyntaxError, first_line: int) -> CellError:
    lines = body.split("\n")
    code = _code_lines(lines)
    # the usual slip: a new stage on its own line without ">>" in front
    for k, i in enumerate(code[1:], 1):
        stripped = lines[i].strip()
        previous = lines[code[k - 1]].rstrip()
        if stripped.startswith((">>", ")", "]", "}", ",", ".")) or previous.endswith((">>", "(", "[", "{", ",", "\\")):
            continue
        if _parses(lines[: i]) and not _parses(lines[: i + 1]):
            return CellError(
                f"%%learner cell, {_where(lines, i, first_line)}\n"
                f"This line starts a new stage, but a stage must continue the expression above it: "
                f"write it as `>> {stripped}`.",
                line=i + first_line,
            )
    index = min(max((error.lineno or 1) - 2, 0), len(lines) - 1)  # "(\n" is line 1 of the parsed text
    if error.lineno is not None and error.lineno - 2 >= len(lines) and code:
        index = code[-1]  # the error shows at the closing bracket: the last line is unfinished
    shown = "    " + lines[index].rstrip()
    if error.offset and error.lineno and 0 <= error.lineno - 2 < len(lines):
        shown += "\n" + " " * (4 + error.offset - 1) + "^"
    return CellError(
        f"%%learner cell, line {index + first_line}:\n{shown}\n"
        f"Syntax error: {error.msg}. The cell holds one jupytorch expression, one stage per line; "
        "lines that continue it start with `>>`.",
        line=index + first_line,
    )


def _scope(tree: ast.AST, namespace: Mapping[str, Any] | None) -> dict[str, Any]:
    """The caller's names, with the jupytorch names (and torch) the expression uses put on top."""
    import jupytorch

    scope = dict(namespace or {})
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    for name in sorted(used):
        if name in jupytorch.__all__:
            scope[name] = getattr(jupytorch, name)
        elif name == "torch" and "torch" not in scope:
            import torch

            scope["torch"] = torch
    return scope


def _runtime_line(error: BaseException, tree: ast.AST) -> int | None:
    """The body line (0-based) where evaluating the cell raised ``error``.

    The innermost frame of the cell points at an expression. A failing ``a >> b`` spans every line
    from the start of the chain down to ``b``, so its line is the line of its right side, the
    stage being joined; any other expression (a call) is reported at its first line.
    """
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == _FILENAME and f.lineno]
    if not frames:
        return None
    frame = frames[-1]
    where = (frame.lineno, frame.colno, frame.end_lineno, frame.end_colno)
    line = frame.lineno
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset) == where:
            line = node.right.lineno
            break
    return line - 2  # "(\n" is line 1 of the parsed text


def _as_learner(value: Any) -> Any:
    from jupytorch.core.learner import Learner
    from jupytorch.pipelines.graph import Graph
    from jupytorch.pipelines.graph_learner import as_learner
    from jupytorch.pipelines.pipeop import PipeOp

    if isinstance(value, Learner):
        return value
    if isinstance(value, (Graph, PipeOp)):
        return as_learner(value, clone=False)
    raise CellError(
        f"A %%learner cell must give a Learner, a Graph or a PipeOp, but it gave {value!r:.80} "
        f"(type {type(value).__name__}). Write a pipeline such as `po(\"scale\") >> lrn(\"classif.rpart\")`."
    )


def learner_from_cell(text: str, namespace: Mapping[str, Any] | None = None, *, first_line: int = 1,
                      short_errors: bool = False) -> Any:
    """Build the learner a ``%%learner`` cell body describes.

    Parameters
    ----------
    text : str
        The cell body: one jupytorch expression, one stage per line; lines starting with ``>>``
        continue it. ``#`` comments and blank lines are allowed.
    namespace : mapping, optional
        Variables the expression may use (a notebook's ``user_ns``). jupytorch's public names and
        ``torch`` are available without imports and take precedence over same-named variables.
    first_line : int, default 1
        Number of the body's first line in messages (the magic passes 2: the ``%%learner`` line is 1).
    short_errors : bool, default False
        Raise an error of the expression as a :class:`CellError` whose message names the line and
        says what went wrong, with the original error as its ``__cause__`` (what the magic shows,
        instead of a traceback through jupytorch's code).

    Returns
    -------
    Learner
        The learner as written, or a GraphLearner for a Graph or PipeOp.

    Raises
    ------
    CellError
        For a syntax error or a result that is not a learner, naming the line.
    Exception
        Errors raised while the expression runs keep their type and get a note naming the line
        (unless ``short_errors``).

    Examples
    --------
    >>> learner = learner_from_cell('''
    ... po("scale")
    ... >> lrn("classif.rpart", maxdepth=3)
    ... ''')
    >>> type(learner).__name__, learner.param_set.values["classif_rpart__maxdepth"]
    ('GraphLearner', 3)
    """
    lines = text.split("\n")
    if not _code_lines(lines):
        raise CellError(
            "The %%learner cell is empty: write a learner or a pipeline in it, one stage per line, "
            "e.g. `po(\"scale\")` and on the next line `>> lrn(\"classif.rpart\")`."
        )
    try:
        tree = ast.parse("(\n" + text + "\n)", filename=_FILENAME, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text, error, first_line) from None
    code = compile(tree, _FILENAME, "eval")
    try:
        value = eval(code, _scope(tree, namespace))  # noqa: S307 - the user's own cell, like any notebook cell
    except Exception as error:
        index = _runtime_line(error, tree)
        where = _where(lines, index, first_line) if index is not None and 0 <= index < len(lines) else None
        if short_errors:
            line = None if where is None else index + first_line
            raise CellError(f"%%learner cell, {where or 'while building the learner'}\n"
                            f"{type(error).__name__}: {error}", line=line) from error
        if where is not None:
            error.add_note(f"This happened in the %%learner cell, {where}")
        raise
    return _as_learner(value)
