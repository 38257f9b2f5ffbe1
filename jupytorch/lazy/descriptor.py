"""DataDescriptor: where the rows of a lazy tensor come from and how they are preprocessed.

A descriptor is immutable. It holds a dataset, the shapes of the dataset's fields, and a
:class:`PreprocGraph`: the field to read (``input_key``) followed by an ordered chain of
:class:`PreprocStep`. Each step is a callable applied to a whole batch tensor ``(B, ...)`` and
carries a stage tag: ``"both"`` steps always run, ``"train"`` steps (augmentation) run only when a
batch is materialized for training, ``"predict"`` steps only at predict time.

PipeOps that preprocess lazy tensors (``trafo_*``, ``augment_*``) call
:meth:`DataDescriptor.with_step` (or :meth:`LazyTensorArray.with_step
<jupytorch.lazy.dtype.LazyTensorArray.with_step>`), which returns a new descriptor whose
``pointer`` is the new step and whose ``pointer_shape`` is the step's output shape.
"""

from __future__ import annotations

import hashlib
import uuid
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Literal

import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.lazy.graph import (
    STAGES,
    PreprocGraph,
    PreprocStep,
    Shape,
    Stage,
    check_shape,
    shape_to_str,
)

__all__ = ["DataDescriptor", "PreprocGraph", "PreprocStep", "Shape", "shape_to_str", "dataset_token"]

ShapeOut = Shape | Callable[[Shape], Shape] | Literal["infer"]


_TOKENS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def dataset_token(dataset: Any) -> str:
    """Return a stable identity for a dataset object: the same object always gets the same token."""
    try:
        token = _TOKENS.get(dataset)
        if token is None:
            token = uuid.uuid4().hex
            _TOKENS[dataset] = token
        return token
    except TypeError:  # not weak-referenceable
        return uuid.uuid4().hex


class DataDescriptor:
    """A dataset, the shapes of its fields, and the preprocessing graph of one lazy tensor.

    Descriptors are immutable and shared by every element of a lazy-tensor column; preprocessing
    returns a new descriptor (:meth:`with_step`). ``copy.deepcopy`` returns the descriptor itself
    (the dataset is never modified, so there is nothing to copy).

    Parameters
    ----------
    dataset : torch Dataset or dict of tensors
        Rows are dicts of tensors; a dict of tensors (first dimension = rows) is wrapped in a
        :class:`~jupytorch.lazy.datasets.TensorDictDataset`.
    dataset_shapes : dict of str to tuple
        Shape of each field with the batch dimension ``None``, e.g. ``{"image": (None, 1, 28, 28)}``;
        None for a field whose rows differ in shape.
    input_key : str, optional
        The field this lazy tensor reads; needed when there are several.
    graph : PreprocGraph, optional
        The preprocessing so far (default: none).
    dataset_hash : str, optional
        Identity of the dataset, used to share loaded rows between columns (default: a token
        tied to the dataset object).

    Examples
    --------
    >>> import torch
    >>> dd = DataDescriptor({"x": torch.rand(10, 3, 8, 8)}, {"x": (None, 3, 8, 8)})
    >>> dd2 = dd.with_step(lambda b: b.flatten(1), shape_out=(None, 192), name="flat")
    >>> dd.pointer_shape, dd2.pointer_shape, dd2.pointer
    ((None, 3, 8, 8), (None, 192), ('flat', 'output'))
    """

    def __init__(
        self,
        dataset: Any,
        dataset_shapes: Mapping[str, Shape | None],
        input_key: str | None = None,
        graph: PreprocGraph | None = None,
        dataset_hash: str | None = None,
    ):
        if isinstance(dataset, Mapping):
            from jupytorch.lazy.datasets import TensorDictDataset

            dataset = TensorDictDataset(dataset)
        if not callable(getattr(dataset, "__len__", None)):
            raise JupytorchError(f"DataDescriptor: the dataset ({type(dataset).__name__}) must have __len__.")
        if not isinstance(dataset_shapes, Mapping) or not dataset_shapes:
            raise InvalidParameterError(
                f"DataDescriptor: dataset_shapes must be a non-empty dict like {{'x': (None, 3, 8, 8)}}, got {dataset_shapes!r}."
            )
        self.dataset = dataset
        self.dataset_shapes = {
            str(k): check_shape(v, f"DataDescriptor: dataset_shapes[{k!r}]") for k, v in dataset_shapes.items()
        }
        if input_key is None:
            if len(self.dataset_shapes) != 1:
                raise InvalidParameterError(
                    f"DataDescriptor: the dataset has fields {list(self.dataset_shapes)}; name the one to read with input_key."
                )
            input_key = next(iter(self.dataset_shapes))
        if input_key not in self.dataset_shapes:
            raise InvalidParameterError(
                f"DataDescriptor: input_key {input_key!r} is not one of the dataset fields {list(self.dataset_shapes)}."
            )
        if graph is None:  # a new descriptor (not a step of one): do the rows have the declared fields?
            from jupytorch.lazy.datasets import check_fields

            check_fields(dataset, list(self.dataset_shapes), "DataDescriptor")
        self.graph = graph if graph is not None else PreprocGraph(input_key, self.dataset_shapes[input_key])
        if self.graph.input_key != input_key:
            raise InvalidParameterError(
                f"DataDescriptor: the graph reads field {self.graph.input_key!r} but input_key is {input_key!r}."
            )
        self.dataset_hash = dataset_hash or dataset_token(dataset)
        self.hash = hashlib.sha1(f"{self.dataset_hash}|{self.graph.hash}".encode()).hexdigest()

    # -- read-only views ---------------------------------------------------------------------------
    @property
    def input_key(self) -> str:
        """The dataset field the preprocessing graph reads."""
        return self.graph.input_key

    @property
    def pointer(self) -> tuple[str, str]:
        """The graph node whose output is the lazy tensor."""
        return self.graph.pointer

    @property
    def pointer_shape(self) -> Shape | None:
        """Shape of a materialized batch for training (batch dimension None)."""
        return self.graph.pointer_shape

    @property
    def pointer_shape_predict(self) -> Shape | None:
        """Shape of a materialized batch for prediction.

        It differs from ``pointer_shape`` only when train-only or predict-only steps change the shape.
        """
        return self.graph.pointer_shape_predict

    def __len__(self) -> int:
        return len(self.dataset)

    # -- preprocessing -----------------------------------------------------------------------------
    def with_step(
        self,
        fn: Callable[[torch.Tensor], torch.Tensor],
        shape_out: ShapeOut = "infer",
        *,
        stage: Stage = "both",
        name: str | None = None,
        rowwise: bool = False,
    ) -> DataDescriptor:
        """Return a new descriptor with ``fn`` appended to the preprocessing graph.

        Parameters
        ----------
        fn : callable
            ``fn(batch) -> batch`` on a tensor of shape ``(B, *pointer_shape[1:])`` (any module
            or function that works on batches, e.g. a ``torchvision.transforms.v2`` transform).
            It must not modify its input in place and must be picklable (no lambdas) for tasks
            and trained learners to pickle.
        shape_out : tuple, callable or "infer"
            The output shape with the batch dimension ``None``: a tuple, a function
            ``shape_in -> shape_out`` (called with the train and the predict input shape), or
            ``"infer"``: use ``fn.out_shape(shape_in)`` when ``fn`` has that method, else run ``fn``
            once on a zero batch of two rows (needs a known input shape).
        stage : {"both", "train", "predict"}
            ``"train"`` for augmentation (skipped at predict time), ``"both"`` for a trafo.
        name : str, optional
            Id of the step (the PipeOp id); made unique with a numeric suffix.
        rowwise : bool
            ``fn`` takes one row instead of a batch (a slow loop; only for functions that
            cannot batch).

        Returns
        -------
        DataDescriptor
            A new descriptor sharing the dataset; ``self`` is unchanged.

        Examples
        --------
        >>> from torchvision.transforms import v2
        >>> dd = DataDescriptor({"x": torch.rand(4, 1, 28, 28)}, {"x": (None, 1, 28, 28)})
        >>> dd = dd.with_step(v2.Resize((32, 32)), lambda s: (*s[:-2], 32, 32), name="trafo_resize")
        >>> dd = dd.with_step(v2.RandomHorizontalFlip(0.5), "infer", stage="train", name="augment_flip")
        >>> dd.pointer_shape, dd.graph.ids()
        ((None, 1, 32, 32), ['trafo_resize', 'augment_flip'])
        """
        if not callable(fn):
            raise InvalidParameterError(f"DataDescriptor.with_step: fn must be callable, got {fn!r}.")
        if stage not in STAGES:
            raise InvalidParameterError(f"DataDescriptor.with_step: stage {stage!r} is not one of {list(STAGES)}.")
        base = name or getattr(fn, "__name__", None) or type(fn).__name__.lower()
        taken = set(self.graph.ids()) | {self.input_key}
        unique, i = base, 1
        while unique in taken:
            i += 1
            unique = f"{base}_{i}"
        shape_train = self._step_shape(fn, shape_out, self.graph.pointer_shape, stage in ("both", "train"), unique, rowwise)
        if stage == "both" and self.graph.pointer_shape_predict == self.graph.pointer_shape:
            shape_predict = shape_train  # same input, same output: infer once
        else:
            shape_predict = self._step_shape(
                fn, shape_out, self.graph.pointer_shape_predict, stage in ("both", "predict"), unique, rowwise
            )
        step = PreprocStep(unique, fn, stage, shape_train, shape_predict, rowwise, uuid.uuid4().hex)
        return DataDescriptor(self.dataset, self.dataset_shapes, self.input_key, self.graph.append(step), self.dataset_hash)

    @staticmethod
    def _step_shape(
        fn: Callable, shape_out: ShapeOut, shape_in: Shape | None, runs: bool, name: str, rowwise: bool
    ) -> Shape | None:
        if not runs:
            return shape_in
        what = f"Lazy-tensor step {name!r}: shape_out"
        if isinstance(shape_out, str) and shape_out == "infer" and callable(getattr(fn, "out_shape", None)):
            shape_out = fn.out_shape
        if isinstance(shape_out, str):
            if shape_out != "infer":
                raise InvalidParameterError(f"{what} must be a tuple, a function or 'infer', got {shape_out!r}.")
            if shape_in is None or any(d is None for d in shape_in[1:]):
                raise InvalidParameterError(
                    f"{what}: cannot infer the output shape from the input shape {shape_in}; pass shape_out explicitly."
                )
            probe = torch.zeros((2, *shape_in[1:]))
            try:
                with torch.no_grad():
                    out = torch.stack([fn(r) for r in probe]) if rowwise else fn(probe)
            except Exception as error:
                error.add_note(f"This happened while inferring the output shape of lazy-tensor step {name!r} from {shape_in}.")
                raise
            if not isinstance(out, torch.Tensor):
                raise JupytorchError(f"Lazy-tensor step {name!r} returned a {type(out).__name__}, not a tensor.")
            return (None, *out.shape[1:])
        if callable(shape_out):
            try:
                result = shape_out(shape_in)
            except Exception as error:
                error.add_note(f"This happened in the shape function of lazy-tensor step {name!r} for input {shape_in}.")
                raise
            return check_shape(result, f"{what} (returned for input {shape_in})")
        return check_shape(shape_out, what)

    # -- identity, pickling, display ---------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataDescriptor) and other.hash == self.hash

    def __hash__(self) -> int:
        return hash(self.hash)

    def __deepcopy__(self, memo: dict) -> DataDescriptor:
        return self

    def __repr__(self) -> str:
        shape = self.pointer_shape
        predict = "" if self.pointer_shape_predict == shape else f", predict {self.pointer_shape_predict}"
        ds = type(self.dataset).__name__
        return f"<DataDescriptor: {ds} ({len(self)} rows), {self.graph!r}, shape {shape}{predict}>"
