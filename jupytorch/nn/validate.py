"""``set_validate``: configure validation of a torch learner, also inside a GraphLearner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["set_validate"]


def _torch_learners(learner: Any, ids: Iterable[str] | None) -> list[Any]:
    """The learners inside ``learner`` whose ``validate`` should be set."""
    from jupytorch.nn.learner_torch import LearnerTorch

    if isinstance(learner, LearnerTorch):
        return [learner]
    graph = getattr(learner, "graph", None)
    if graph is None:
        if "validation" in getattr(learner, "properties", ()):
            return [learner]
        raise InvalidParameterError(
            f"Learner {getattr(learner, 'id', learner)!r} does not support validation (it has no 'validation' property)."
        )
    found = []
    for op_id, op in getattr(graph, "pipeops", {}).items():
        if ids is not None and op_id not in ids:
            continue
        inner = getattr(op, "learner", None) or getattr(op, "learner_model", None)
        if isinstance(inner, LearnerTorch) or (inner is not None and "validation" in getattr(inner, "properties", ())):
            found.append(inner)
        elif isinstance(op, LearnerTorch) or ("validation" in getattr(op, "properties", ()) and hasattr(op, "validate")):
            found.append(op)
    if not found:
        raise InvalidParameterError(
            f"GraphLearner {getattr(learner, 'id', '')!r}: no PipeOp{' among ' + str(list(ids)) if ids else ''} holds a "
            "learner that supports validation."
        )
    return found


def set_validate(learner: Any, validate: Any, ids: Iterable[str] | None = None) -> Any:
    """Set how ``learner`` validates during training; returns the learner.

    Parameters
    ----------
    learner : Learner
        A torch learner, or a GraphLearner: the GraphLearner gets ``validate`` and the learners in
        its PipeOps (those with validation support, or those named in ``ids``) get
        ``"predefined"``, so they validate on the data the graph preprocessed for them.
    validate : None, float, "test" or "predefined"
        None: no validation. A ratio in (0, 1): that share of the training rows is held out.
        ``"test"``: the test set of ``resample``/``benchmark``. ``"predefined"``: the task's
        ``internal_valid_task``.
    ids : iterable of str, optional
        For a GraphLearner: the PipeOp ids to configure.

    Examples
    --------
    >>> import jupytorch as jt
    >>> mlp = jt.lrn("classif.mlp")
    >>> jt.set_validate(mlp, 0.3).validate
    0.3
    """
    targets = _torch_learners(learner, ids)
    if targets == [learner]:
        learner.validate = validate
        return learner
    # mlr3's rule for graphs: the GraphLearner splits off (or receives) the validation data and sends
    # it through the preprocessing; the learners inside use it as their predefined validation task.
    learner.validate = validate
    for target in targets:
        target.validate = None if validate is None else "predefined"
    return learner
