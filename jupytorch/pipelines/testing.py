"""Conformance checks for PipeOps, for the tests of this and higher layers (nn, lazy).

``check_pipeop(op, train_inputs, predict_inputs)`` runs the contract every PipeOp must keep:
predicting before training fails and names the id; training leaves a state and does not change
its inputs; predicting does not change the state; copies and pickles of a trained PipeOp predict
the same (NumPy's global seed is reset before each compared predict); the printers work.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["check_pipeop", "snapshot"]


def snapshot(value: Any) -> Any:
    """A comparable picture of a channel value (a Task: its data and feature names)."""
    from jupytorch.core.task import Task

    if isinstance(value, Task):
        return (value.id, tuple(value.feature_names), value.data().to_csv())
    if hasattr(value, "as_data_frame"):
        return value.as_data_frame().to_csv()
    return repr(value)


def check_pipeop(op: Any, train_inputs: Sequence[Any], predict_inputs: Sequence[Any] | None = None, check_state: bool = True) -> list[Any]:
    """Check the PipeOp contract on ``op`` (a fresh copy is used); returns the predict outputs.

    Parameters
    ----------
    op : PipeOp
    train_inputs, predict_inputs : list
        Inputs of ``train()`` and ``predict()`` (default: the training inputs).
    check_state : bool
        Check that ``predict()`` leaves the state unchanged (compared by pickling).
    """
    from jupytorch.core.exceptions import NotTrainedError

    predict_inputs = list(train_inputs if predict_inputs is None else predict_inputs)
    op = op.clone()
    assert op.state is None and not op.is_trained, f"{op.id}: a new PipeOp must have state None"
    try:
        op.predict(predict_inputs)
    except NotTrainedError as error:
        assert op.id in str(error), f"{op.id}: the not-trained error must name the PipeOp id: {error}"
    else:
        raise AssertionError(f"{op.id}: predict() before train() must raise NotTrainedError")
    before = [snapshot(x) for x in train_inputs]
    outputs = op.train(list(train_inputs))
    assert len(outputs) == op.outnum, f"{op.id}: train() must return one output per channel"
    assert op.is_trained, f"{op.id}: train() must leave a state"
    assert [snapshot(x) for x in train_inputs] == before, f"{op.id}: train() changed its inputs"
    state_bytes = pickle.dumps(op.state) if check_state else None
    before = [snapshot(x) for x in predict_inputs]
    np.random.seed(0)  # random ops (imputehist) must draw the same in each of the predicts compared
    first = op.predict(list(predict_inputs))
    assert [snapshot(x) for x in predict_inputs] == before, f"{op.id}: predict() changed its inputs"
    if check_state:
        assert pickle.dumps(op.state) == state_bytes, f"{op.id}: predict() changed the state"
    copy = op.clone()
    np.random.seed(0)
    again = copy.predict(list(predict_inputs))
    assert [snapshot(x) for x in again] == [snapshot(x) for x in first], f"{op.id}: a clone predicts differently"
    restored = pickle.loads(pickle.dumps(op))
    np.random.seed(0)
    again = restored.predict(list(predict_inputs))
    assert [snapshot(x) for x in again] == [snapshot(x) for x in first], f"{op.id}: an unpickled copy predicts differently"
    assert op.id in repr(op) and op.id in op._repr_html_(), f"{op.id}: printers must show the id"
    return first
