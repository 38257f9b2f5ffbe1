"""What the learners on ingress tokens given at construction (``module``, ``torch_model``) share:
binding the tokens to each task, and saving and loading them with the learner's construction.
"""

from __future__ import annotations

from typing import Any

from jupytorch.nn.ingress import TorchIngressToken, tokens_from_config, tokens_to_config
from jupytorch.nn.learner_torch import LearnerTorch

__all__ = ["LearnerTorchGivenTokens"]


class LearnerTorchGivenTokens(LearnerTorch):
    """Base of the learners whose network inputs are the tokens in :attr:`ingress` (input name ->
    token, set by the subclass), bound to each task; ``_init_config`` holds them as
    ``ingress_tokens``, besides ``task_type`` and ``feature_types``.

    Examples
    --------
    >>> import torch, jupytorch as jt
    >>> learner = jt.lrn("regr.torch_model", network=torch.nn.Linear(10, 1), ingress_tokens={"x": jt.ingress_num()})
    >>> isinstance(learner, LearnerTorchGivenTokens), list(learner._ingress_tokens(jt.tsk("mtcars"), {}))
    (True, ['x'])
    """

    ingress: dict[str, TorchIngressToken]

    def _init_config(self) -> dict[str, Any]:
        return {"task_type": self.task_type, "ingress_tokens": tokens_to_config(self.ingress),
                "feature_types": list(self.feature_types)}

    @classmethod
    def _from_init_config(cls, init: dict[str, Any]) -> LearnerTorchGivenTokens:
        """Rebuild from :meth:`_init_config`, its code (a network, a module generator) already resolved by the loader."""
        return cls(**{**init, "ingress_tokens": tokens_from_config(init["ingress_tokens"])})

    def _ingress_tokens(self, task: Any, param_vals: dict[str, Any]) -> dict[str, Any]:
        return {name: token.bind(task) for name, token in self.ingress.items()}
