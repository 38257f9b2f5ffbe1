"""PipeOpLearner: a Learner as a step of a Graph (``po("learner", lrn(...))`` or ``op >> lrn(...)``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.paramset import ParamSet
from jupytorch.pipelines.channels import NO_OP, Channel
from jupytorch.pipelines.pipeop import PipeOp

__all__ = ["PipeOpLearner", "task_channel_type", "prediction_channel_type"]


def task_channel_type(task_type: str) -> str:
    """The channel type of tasks of ``task_type`` (``"classif"`` -> ``"TaskClassif"``)."""
    return {"classif": "TaskClassif", "regr": "TaskRegr"}.get(task_type, "Task")


def prediction_channel_type(task_type: str) -> str:
    """The channel type of predictions of ``task_type`` (``"regr"`` -> ``"PredictionRegr"``)."""
    return {"classif": "PredictionClassif", "regr": "PredictionRegr"}.get(task_type, "Prediction")


class PipeOpLearner(PipeOp):
    """Wraps a Learner: trains it on the incoming Task, and predicts with it.

    Its parameters are the learner's. The PipeOp id defaults to the learner id with dots made
    underscores (``regr.rpart`` -> ``regr_rpart``), since dots and ``__`` join parameter ids.

    Channels: input ``input`` (TaskClassif/TaskRegr in train and predict); output ``output``
    (``NULL`` in train, a Prediction in predict). State: the trained learner (a copy).

    Parameters
    ----------
    learner : Learner or str
        The learner, or its key for ``lrn()``.
    id : str, optional
    param_vals : mapping, optional
        Parameter values to set on the learner.
    input : sequence of channels, optional
        Overrides the input channels (subclasses whose learner trains on another object, such as
        the nn layer's ``torch_model_*``, which takes a ModelDescriptor in train).

    Examples
    --------
    >>> from jupytorch import po, lrn, tsk
    >>> op = po("learner", lrn("regr.rpart"), maxdepth=2)
    >>> op.id, op.param_set.values
    ('regr_rpart', {'maxdepth': 2})
    >>> _ = op.train([tsk("mtcars")])
    >>> type(op.predict([tsk("mtcars")])[0]).__name__
    'PredictionRegr'
    """

    kind = "learner"
    tags = ("learner",)

    def __init__(
        self,
        learner: Any,
        id: str | None = None,
        param_vals: Mapping[str, Any] | None = None,
        input: Sequence[Channel | tuple[str, str, str]] | None = None,
    ):
        from jupytorch.core.learner import Learner

        if isinstance(learner, str):
            from jupytorch.core.sugar import lrn

            learner = lrn(learner)
        if not isinstance(learner, Learner):
            raise InvalidParameterError(f"po('learner') needs a Learner, got {type(learner).__name__}.")
        self._learner = learner
        self._state: Any = None
        tt = task_channel_type(learner.task_type)
        super().__init__(
            id or learner.id.replace(".", "_"),
            param_vals=param_vals,
            input=input if input is not None else [("input", tt, tt)],
            output=[("output", "NULL", prediction_channel_type(learner.task_type))],
            label=learner.label or learner.id,
        )

    @property
    def param_set(self) -> ParamSet:
        """The learner's parameters."""
        return self._learner.param_set

    @property
    def learner(self) -> Any:
        """The wrapped learner (its configuration is used for training and prediction)."""
        return self._learner

    @property
    def learner_model(self) -> Any:
        """The trained learner (the state), or the untrained one before training."""
        return self._state if self._state not in (None, NO_OP) else self._learner

    @property
    def state(self) -> Any:
        """The trained learner, ``None`` before training."""
        return self._state

    @state.setter
    def state(self, value: Any) -> None:
        self._state = value
        self._learner.state = getattr(value, "state", None) if value is not NO_OP else None

    def _train(self, inputs: list[Any]) -> list[Any]:
        trained = self._learner.clone().reset()
        try:
            trained.train(inputs[0])
        except KeyboardInterrupt:
            if trained.state is not None:  # an interrupted learner that kept its last good model
                self.state = trained
            raise
        self.state = trained
        return [None]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        self._learner.state = self._state.state
        return [self._learner.predict(inputs[0])]

    def edge_label(self, channel: str) -> str | None:  # noqa: D102 - nothing to show
        return None
