"""``set_validate``: configure validation of a torch learner, also inside a GraphLearner."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError

__all__ = ["set_validate"]


def set_validate(learner: Any, validate: Any, ids: Iterable[str] | None = None) -> Any:
    """Set how ``learner`` validates during training; returns the learner.

    Parameters
    ----------
    learner : Learner
        A learner with the ``validation`` property (torch learners), or a GraphLearner: it gets
        ``validate`` and the learners in its PipeOps (those that support validation, or those
        named in ``ids``) get ``"predefined"``, so they validate on the data the graph
        preprocessed for them (``GraphLearner.set_validate``).
    validate : None, float, "test" or "predefined"
        None: no validation. A ratio in (0, 1): that share of the training rows is held out.
        ``"test"``: the test set of ``resample``/``benchmark``. ``"predefined"``: the task's
        ``internal_valid_task``.
    ids : iterable of str, optional
        For a GraphLearner: the learner PipeOp ids to configure.

    Examples
    --------
    >>> import jupytorch as jt
    >>> mlp = jt.lrn("classif.mlp")
    >>> jt.set_validate(mlp, 0.3).validate
    0.3
    """
    method = getattr(learner, "set_validate", None)
    if callable(method):  # GraphLearner (and anything else that knows how to pass validation on)
        return method(validate, ids=None if ids is None else list(ids))
    if ids is not None:
        raise InvalidParameterError(f"set_validate: ids are for GraphLearners; learner {learner.id!r} is a {type(learner).__name__}.")
    if "validation" not in getattr(learner, "properties", ()):
        raise InvalidParameterError(
            f"Learner {getattr(learner, 'id', learner)!r} does not support validation (it has no 'validation' property)."
        )
    learner.validate = validate
    return learner
