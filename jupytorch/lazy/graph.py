"""The preprocessing graph of a lazy tensor: a chain of batch steps with stage tags and shapes.

A :class:`PreprocGraph` starts at one field of a dataset (``input_key``) and runs an ordered
chain of :class:`PreprocStep`. Each step is a callable applied to a whole batch ``(B, ...)`` and
carries a stage tag: ``"both"`` steps always run, ``"train"`` steps (augmentation) only when a
batch is materialized for training, ``"predict"`` steps only at predict time. Graphs are
immutable; :class:`~jupytorch.lazy.descriptor.DataDescriptor` holds one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError

__all__ = ["Shape", "Stage", "STAGES", "PreprocStep", "PreprocGraph", "shape_to_str", "check_shape", "shape_matches"]

Shape = tuple[int | None, ...]
Stage = Literal["both", "train", "predict"]
STAGES = ("both", "train", "predict")


def shape_to_str(shape: Shape | None) -> str:
    """Format a shape without its batch dimension: ``(None, 1, 28, 28)`` -> ``"1x28x28"``."""
    if shape is None:
        return "?"
    return "x".join("?" if d is None else str(d) for d in shape[1:])


def check_shape(shape: Any, what: str) -> Shape | None:
    """Validate a shape (a tuple whose first entry, the batch dimension, is None); ``what`` names it in errors."""
    if shape is None:
        return None
    if isinstance(shape, torch.Size):
        shape = tuple(shape)
    if not isinstance(shape, (tuple, list)) or not shape:
        raise InvalidParameterError(f"{what} must be a tuple like (None, 1, 28, 28), got {shape!r}.")
    shape = tuple(shape)
    if shape[0] is not None:
        raise InvalidParameterError(
            f"{what} {shape!r} must start with None, the batch dimension: e.g. (None, {', '.join(map(str, shape[1:]))})."
        )
    for d in shape[1:]:
        if d is not None and (not isinstance(d, int) or isinstance(d, bool) or d < 0):
            raise InvalidParameterError(f"{what} {shape!r}: dimensions must be non-negative integers or None.")
    return shape


def shape_matches(declared: Shape | None, actual: tuple[int | None, ...]) -> bool:
    """Whether ``actual`` fits ``declared`` (None matches any size; the batch dimension is not compared)."""
    if declared is None:
        return True
    if len(declared) != len(actual):
        return False
    return all(d is None or d == a for d, a in zip(declared[1:], actual[1:]))


@dataclass(frozen=True)
class PreprocStep:
    """One step of a preprocessing graph.

    Attributes
    ----------
    name : str
        Unique within its graph (the PipeOp id, e.g. ``"trafo_resize"``).
    fn : callable
        ``fn(batch) -> batch`` on a tensor ``(B, ...)``; with ``rowwise=True``, on one row
        ``(...)`` at a time. Must be picklable for tasks and learners to pickle.
    stage : {"both", "train", "predict"}
        When the step runs.
    shape_train, shape_predict : tuple or None
        Output shape (batch dimension ``None``) on the train resp. predict path.
    rowwise : bool
        Apply ``fn`` to each row instead of the batch (slow; for functions that cannot batch).
    uid : str
        Random identity, part of the graph hash.
    """

    name: str
    fn: Callable[[torch.Tensor], torch.Tensor]
    stage: str
    shape_train: Shape | None
    shape_predict: Shape | None
    rowwise: bool = False
    uid: str = ""

    def runs_in(self, stage: str) -> bool:
        """Whether the step runs when materializing for ``stage`` ("train" or "predict")."""
        return self.stage == "both" or self.stage == stage

    def apply(self, x: torch.Tensor | list[torch.Tensor]) -> torch.Tensor | list[torch.Tensor]:
        """Apply ``fn`` to a batch tensor, or to each row of a list of differently shaped rows."""
        if isinstance(x, list):
            if self.rowwise:
                return [self.fn(row) for row in x]
            return [self.fn(row.unsqueeze(0)).squeeze(0) for row in x]
        if self.rowwise:
            return torch.stack([self.fn(row) for row in x.unbind(0)]) if len(x) else x
        return self.fn(x)


class PreprocGraph:
    """A chain of preprocessing steps reading one field of a dataset.

    The graph is immutable: :meth:`append` returns a new graph. ``pointer`` names the step whose
    output is the lazy tensor (``(step name, "output")``; ``(input_key, "input")`` before any step).

    Parameters
    ----------
    input_key : str
        The dataset field the chain starts from.
    input_shape : tuple or None
        Shape of that field, batch dimension ``None``; None when rows differ in shape.
    steps : tuple of PreprocStep
        The chain.
    """

    def __init__(self, input_key: str, input_shape: Shape | None, steps: tuple[PreprocStep, ...] = ()):
        self.input_key = input_key
        self.input_shape = input_shape
        self.steps = tuple(steps)
        digest = hashlib.sha1(f"input:{input_key}".encode())
        for step in self.steps:
            digest.update(f"|{step.name}:{step.stage}:{step.uid}".encode())
        self.hash = digest.hexdigest()

    @property
    def pointer(self) -> tuple[str, str]:
        """The node whose output is the lazy tensor: ``(step name, "output")`` or ``(input_key, "input")``."""
        return (self.steps[-1].name, "output") if self.steps else (self.input_key, "input")

    @property
    def pointer_shape(self) -> Shape | None:
        """Output shape when materializing for training."""
        return self.steps[-1].shape_train if self.steps else self.input_shape

    @property
    def pointer_shape_predict(self) -> Shape | None:
        """Output shape when materializing for prediction."""
        return self.steps[-1].shape_predict if self.steps else self.input_shape

    def ids(self) -> list[str]:
        """Names of the steps, in order."""
        return [s.name for s in self.steps]

    def append(self, step: PreprocStep) -> PreprocGraph:
        """Return a new graph with ``step`` at the end."""
        return PreprocGraph(self.input_key, self.input_shape, self.steps + (step,))

    def run(self, x: torch.Tensor | list[torch.Tensor], stage: str) -> torch.Tensor | list[torch.Tensor]:
        """Run the steps that belong to ``stage`` on a batch and check each output's shape."""
        for step in self.steps:
            if not step.runs_in(stage):
                continue
            try:
                x = step.apply(x)
            except Exception as error:
                error.add_note(f"This happened in lazy-tensor preprocessing step {step.name!r} (stage {stage!r}).")
                raise
            declared = step.shape_train if stage == "train" else step.shape_predict
            rows = x if isinstance(x, list) else [x]
            for r in rows:
                if not isinstance(r, torch.Tensor):
                    raise JupytorchError(
                        f"Lazy-tensor preprocessing step {step.name!r} returned a {type(r).__name__}, not a tensor."
                    )
                actual = tuple(r.shape) if r is x else (None, *r.shape)
                if not shape_matches(declared, actual):
                    raise JupytorchError(
                        f"Lazy-tensor preprocessing step {step.name!r} returned shape {tuple(r.shape)}, but it declared "
                        f"{declared}; fix the step's shape_out."
                    )
        return x

    def __repr__(self) -> str:
        chain = " -> ".join([self.input_key] + [s.name + ("" if s.stage == "both" else f"[{s.stage}]") for s in self.steps])
        return f"<PreprocGraph {chain}>"
