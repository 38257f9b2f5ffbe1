"""Targets in, predictions out: how tasks map to network heads (mlr3torch's conventions).

============  ===========================================  ===============================
task          network output                               target tensor
============  ===========================================  ===============================
binary        ``(B, 1)`` logit of ``task.class_names[0]``   ``float32 (B, 1)``, 1 = positive
multiclass    ``(B, K)`` logits, K = number of classes      ``int64 (B,)`` 0-based class codes
regression    ``(B, 1)``                                    ``float32 (B, 1)``
============  ===========================================  ===============================
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from jupytorch.core.exceptions import LearnerError

__all__ = ["encode_output", "main_output", "make_prediction", "output_dim_for", "target_tensor"]


def output_dim_for(task: Any) -> int:
    """Number of network outputs for ``task``: 1 for regression and binary tasks, else K.

    Examples
    --------
    >>> import pandas as pd, jupytorch as jt
    >>> output_dim_for(jt.as_task_classif(pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]}), target="y"))
    3
    """
    if task.task_type == "regr":
        return 1
    n = len(task.class_names)
    return 1 if n == 2 else n


def target_tensor(task: Any) -> torch.Tensor | None:
    """The target of the active rows as the loss expects it (see the module table); None if unknown."""
    truth = task.truth()
    if truth.isna().all() and len(truth):
        return None
    if task.task_type == "regr":
        return torch.from_numpy(truth.to_numpy(dtype=np.float32).reshape(-1, 1).copy())
    codes = truth.cat.codes.to_numpy().astype(np.int64)
    if len(task.class_names) == 2:
        return torch.from_numpy((codes == 0).astype(np.float32).reshape(-1, 1))
    return torch.from_numpy(codes)


def main_output(output: Any) -> Any:
    """The output predictions are made from: the first of several (a network with auxiliary outputs).

    Networks may return a tuple or list of tensors (googlenet's and inception_v3's auxiliary
    classifiers while training); the loss receives all of them, measures and predictions the first.

    Examples
    --------
    >>> main_output((torch.zeros(2, 3), torch.ones(2, 3))).sum().item()
    0.0
    """
    return output[0] if isinstance(output, (tuple, list)) else output


def _check_output(output: torch.Tensor, task_type: str, class_names: list[str] | None, learner_id: str) -> None:
    if not isinstance(output, torch.Tensor):
        raise LearnerError(f"Learner {learner_id!r}: the network returned a {type(output).__name__}, not a tensor.")
    if task_type == "regr":
        if output.dim() > 2 or (output.dim() == 2 and output.shape[1] != 1):
            raise LearnerError(
                f"Learner {learner_id!r}: a regression network must return shape (B, 1), got {tuple(output.shape)}."
            )
        return
    k = len(class_names or [])
    want = 1 if k == 2 else k
    if output.dim() != 2 or output.shape[1] != want:
        what = "one column, the logit of the positive class" if k == 2 else f"{k} columns, one logit per class"
        raise LearnerError(
            f"Learner {learner_id!r}: the network output has shape {tuple(output.shape)}, but a {k}-class task needs "
            f"(B, {want}): {what} (classes {class_names})."
        )


def encode_output(output: torch.Tensor, task_type: str, class_names: list[str] | None = None,
                  learner_id: str = "") -> dict[str, np.ndarray]:
    """Turn network outputs into ``{"response": ...}`` or ``{"prob": ...}`` numpy arrays.

    Probabilities are computed on the output's device; the result crosses to the host once. An
    ensemble's output ``(B, k, out)`` (TabM) gives the members' mean: of the responses for
    regression, of the probabilities for classification.

    Examples
    --------
    >>> out = encode_output(torch.tensor([[0.0], [2.0]]), "classif", ["yes", "no"])
    >>> out["prob"].round(3).tolist()
    [[0.5, 0.5], [0.881, 0.119]]
    """
    output = main_output(output)
    output = output.detach()
    members = isinstance(output, torch.Tensor) and output.dim() == 3
    _check_output(output[:, 0] if members else output, task_type, class_names, learner_id)
    if task_type == "regr":
        if members:
            output = output.float().mean(dim=1)
        return {"response": output.reshape(-1).float().cpu().numpy().astype(np.float64)}
    if output.shape[-1] == 1:
        p = torch.sigmoid(output.float())
        prob = torch.cat([p, 1.0 - p], dim=-1)
    else:
        prob = torch.softmax(output.float(), dim=-1)
    if members:
        prob = prob.mean(dim=1)
    return {"prob": prob.cpu().numpy().astype(np.float64)}


def make_prediction(encoded: dict[str, np.ndarray], row_ids: np.ndarray, truth: Any, task_type: str,
                    class_names: list[str] | None, predict_type: str = "prob") -> Any:
    """Build a core Prediction from :func:`encode_output`'s result."""
    from jupytorch.core.prediction import PredictionClassif, PredictionRegr

    if task_type == "regr":
        return PredictionRegr(row_ids, truth, encoded["response"])
    prob = encoded["prob"]
    names = np.asarray(class_names, dtype=object)
    response = names[prob.argmax(axis=1)] if len(prob) else np.array([], dtype=object)
    return PredictionClassif(row_ids, truth, class_names, response=response, prob=prob if predict_type == "prob" else None)
