"""Public names and registry entries of the nn layer (strings only: torch is not imported here)."""

from __future__ import annotations

from jupytorch.core.registry import registry

EXPORTS = {
    "t_loss": "jupytorch.nn.losses:t_loss",
    "t_losses": "jupytorch.nn.losses:t_losses",
    "as_torch_loss": "jupytorch.nn.losses:as_torch_loss",
    "TorchLoss": "jupytorch.nn.losses:TorchLoss",
    "t_opt": "jupytorch.nn.optimizers:t_opt",
    "t_opts": "jupytorch.nn.optimizers:t_opts",
    "as_torch_optimizer": "jupytorch.nn.optimizers:as_torch_optimizer",
    "TorchOptimizer": "jupytorch.nn.optimizers:TorchOptimizer",
    "t_clbk": "jupytorch.nn.callbacks.sugar:t_clbk",
    "t_clbks": "jupytorch.nn.callbacks.sugar:t_clbks",
    "Callback": "jupytorch.nn.callbacks.base:Callback",
    "torch_callback": "jupytorch.nn.callbacks.function:torch_callback",
    "as_lr_scheduler": "jupytorch.nn.callbacks.lr_scheduler:as_lr_scheduler",
    "TorchIngressToken": "jupytorch.nn.ingress:TorchIngressToken",
    "ingress_num": "jupytorch.nn.ingress:ingress_num",
    "ingress_categ": "jupytorch.nn.ingress:ingress_categ",
    "ingress_ltnsr": "jupytorch.nn.ingress:ingress_ltnsr",
    "LearnerTorch": "jupytorch.nn.learner_torch:LearnerTorch",
    "LearnerTorchModel": "jupytorch.nn.learners.torch_model:LearnerTorchModel",
    "LearnerTorchModule": "jupytorch.nn.learners.module:LearnerTorchModule",
    "set_validate": "jupytorch.nn.validate:set_validate",
    "auto_device": "jupytorch.nn.device:auto_device",
}

_LEARNERS = {
    "mlp": ("jupytorch.nn.learners.mlp", "Multi Layer Perceptron"),
    "torch_featureless": ("jupytorch.nn.learners.featureless", "Featureless Torch Learner"),
    "module": ("jupytorch.nn.learners.module", "Torch Module"),
    "torch_model": ("jupytorch.nn.learners.torch_model", "Torch Model"),
}

_LOSSES = {
    "mse": ("_mse", "Mean Squared Error", "regr"),
    "l1": ("_l1", "Absolute Error", "regr"),
    "cross_entropy": ("_cross_entropy", "Cross Entropy", "classif"),
}

_OPTIMIZERS = {
    "adam": "Adaptive Moment Estimation",
    "adamw": "Adam with decoupled weight decay",
    "sgd": "Stochastic Gradient Descent",
    "rmsprop": "Root Mean Square Propagation",
    "adagrad": "Adaptive Gradient algorithm",
}

_CALLBACKS = {
    "history": ("jupytorch.nn.callbacks.history:CallbackHistory", "History"),
    "progress": ("jupytorch.nn.callbacks.progress:CallbackProgress", "Progress bars (text)"),
    "checkpoint": ("jupytorch.nn.callbacks.checkpoint:CallbackCheckpoint", "Checkpoints"),
    "unfreeze": ("jupytorch.nn.callbacks.unfreeze:CallbackUnfreeze", "Unfreeze weights"),
    "lr_step": ("jupytorch.nn.callbacks.lr_scheduler:lr_step", "Step learning-rate decay"),
    "lr_cosine_annealing": ("jupytorch.nn.callbacks.lr_scheduler:lr_cosine_annealing", "Cosine annealing"),
    "lr_lambda": ("jupytorch.nn.callbacks.lr_scheduler:lr_lambda", "Learning rate from a function"),
    "lr_multiplicative": ("jupytorch.nn.callbacks.lr_scheduler:lr_multiplicative", "Multiplicative learning rate"),
    "lr_one_cycle": ("jupytorch.nn.callbacks.lr_scheduler:lr_one_cycle", "One-cycle policy (per batch)"),
    "lr_reduce_on_plateau": ("jupytorch.nn.callbacks.lr_scheduler:lr_reduce_on_plateau", "Reduce on plateau"),
}


def register() -> None:
    """Add the torch learners, losses, optimizers and callbacks."""
    learners = registry("learner")
    for name, (module, label) in _LEARNERS.items():
        for task_type in ("classif", "regr"):
            learners.add(f"{task_type}.{name}", f"{module}:{task_type}_{name}", task_type=task_type, label=label,
                         packages="torch")
    losses = registry("loss")
    for key, (factory, label, task_type) in _LOSSES.items():
        losses.add(key, f"jupytorch.nn.losses:{factory}", label=label, task_types=task_type)
    optimizers = registry("optimizer")
    for key, label in _OPTIMIZERS.items():
        optimizers.add(key, f"jupytorch.nn.optimizers:_{key}", label=label)
    callbacks = registry("callback")
    for key, (target, label) in _CALLBACKS.items():
        callbacks.add(key, target, label=label)
