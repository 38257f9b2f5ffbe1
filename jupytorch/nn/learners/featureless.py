"""``classif.torch_featureless`` / ``regr.torch_featureless``: a network that learns a constant output."""

from __future__ import annotations

from typing import Any

import torch

from jupytorch.core.task import FEATURE_TYPES
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.ingress import ingress_num
from jupytorch.nn.learner_torch import LearnerTorch
from jupytorch.nn.modules import FeaturelessModule

__all__ = ["LearnerTorchFeatureless", "classif_torch_featureless", "regr_torch_featureless"]


class LearnerTorchFeatureless(LearnerTorch):
    """A torch baseline that ignores the features: one learned output for every row.

    Trained like any torch learner, it learns the class frequencies (classification) or the
    mean (regression); useful to check a training setup.

    Examples
    --------
    >>> import jupytorch as jt
    >>> jt.lrn("regr.torch_featureless").properties >= {"featureless", "missings"}
    True
    """

    def __init__(self, task_type: str = "classif", loss: Any = None, optimizer: Any = None, callbacks: Any = ()):
        super().__init__(f"{task_type}.torch_featureless", task_type, loss=loss, optimizer=optimizer,
                         callbacks=callbacks, feature_types=FEATURE_TYPES, properties=("featureless", "missings"),
                         label="Featureless Torch Learner")

    def _ingress_tokens(self, task: Any, param_vals: dict[str, Any]) -> dict[str, Any]:
        return {"x": ingress_num(features=[]).bind(task)}

    def _network(self, task: Any, param_vals: dict[str, Any]) -> torch.nn.Module:
        return FeaturelessModule(output_dim_for(task))


def classif_torch_featureless(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchFeatureless:
    """``lrn("classif.torch_featureless")``."""
    return LearnerTorchFeatureless("classif", loss=loss, optimizer=optimizer, callbacks=callbacks)


def regr_torch_featureless(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchFeatureless:
    """``lrn("regr.torch_featureless")``."""
    return LearnerTorchFeatureless("regr", loss=loss, optimizer=optimizer, callbacks=callbacks)
