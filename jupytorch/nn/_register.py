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
    "lr_find": "jupytorch.nn.lr_find:lr_find",
    # networks from graphs
    "nn_graph": "jupytorch.nn.nn_graph:nn_graph",
    "NNGraph": "jupytorch.nn.nn_graph:NNGraph",
    "PipeOpModule": "jupytorch.nn.nn_graph:PipeOpModule",
    "ModelDescriptor": "jupytorch.nn.model_descriptor:ModelDescriptor",
    "model_descriptor_union": "jupytorch.nn.model_descriptor:model_descriptor_union",
    "model_descriptor_to_module": "jupytorch.nn.model_descriptor:model_descriptor_to_module",
    "model_descriptor_to_learner": "jupytorch.nn.pipeop_model:model_descriptor_to_learner",
    "PipeOpTorch": "jupytorch.nn.pipeop_torch:PipeOpTorch",
    "PipeOpTorchIngress": "jupytorch.nn.pipeop_ingress:PipeOpTorchIngress",
    "ShapeError": "jupytorch.core.exceptions:ShapeError",
}

_LEARNERS = {
    "mlp": ("jupytorch.nn.learners.mlp", "Multi Layer Perceptron"),
    "torch_featureless": ("jupytorch.nn.learners.featureless", "Featureless Torch Learner"),
    "module": ("jupytorch.nn.learners.module", "Torch Module"),
    "torch_model": ("jupytorch.nn.learners.torch_model", "Torch Model"),
    # tabular architectures (issue 13)
    "tab_resnet": ("jupytorch.nn.learners.tab_resnet", "Tabular ResNet"),
    "ft_transformer": ("jupytorch.nn.learners.ft_transformer", "FT-Transformer"),
    "tabm": ("jupytorch.nn.learners.tabm", "TabM (batch-ensembled MLP)"),
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

# networks from graphs: key -> ("module:Class" under jupytorch.nn, kind, label); layers are also nn("<key without nn_>")
_GRAPH_PIPEOPS = {
    "module": ("nn_graph:PipeOpModule", "layer", "A torch module as a node of a module graph"),
    "torch_ingress_num": ("pipeop_ingress:PipeOpTorchIngressNum", "ingress", "Numeric features into a network"),
    "torch_ingress_categ": ("pipeop_ingress:PipeOpTorchIngressCateg", "ingress", "Categorical features into a network"),
    "torch_ingress_ltnsr": ("pipeop_ingress:PipeOpTorchIngressLtnsr", "ingress", "A lazy tensor into a network"),
    "torch_loss": ("pipeop_config:PipeOpTorchLoss", "loss", "Set the loss"),
    "torch_optimizer": ("pipeop_config:PipeOpTorchOptimizer", "optimizer", "Set the optimizer"),
    "torch_callbacks": ("pipeop_config:PipeOpTorchCallbacks", "callbacks", "Add training callbacks"),
    "torch_model_classif": ("pipeop_model:PipeOpTorchModelClassif", "model", "Build and train a classification network"),
    "torch_model_regr": ("pipeop_model:PipeOpTorchModelRegr", "model", "Build and train a regression network"),
}
_LAYERS = {
    "linear": "dense:PipeOpTorchLinear", "head": "dense:PipeOpTorchHead", "identity": "dense:PipeOpTorchIdentity",
    "fn": "dense:PipeOpTorchFn",
    **{f"conv{n}d": f"conv:PipeOpTorchConv{n}d" for n in (1, 2, 3)},
    **{f"conv_transpose{n}d": f"conv:PipeOpTorchConvTranspose{n}d" for n in (1, 2, 3)},
    **{f"max_pool{n}d": f"conv:PipeOpTorchMaxPool{n}d" for n in (1, 2, 3)},
    **{f"avg_pool{n}d": f"conv:PipeOpTorchAvgPool{n}d" for n in (1, 2, 3)},
    **{f"adaptive_avg_pool{n}d": f"conv:PipeOpTorchAdaptiveAvgPool{n}d" for n in (1, 2, 3)},
    **{f"batch_norm{n}d": f"norm:PipeOpTorchBatchNorm{n}d" for n in (1, 2, 3)},
    "layer_norm": "norm:PipeOpTorchLayerNorm", "dropout": "norm:PipeOpTorchDropout",
    "reshape": "reshape:PipeOpTorchReshape", "flatten": "reshape:PipeOpTorchFlatten",
    "squeeze": "reshape:PipeOpTorchSqueeze", "unsqueeze": "reshape:PipeOpTorchUnsqueeze",
    "merge_sum": "merge:PipeOpTorchMergeSum", "merge_prod": "merge:PipeOpTorchMergeProd",
    "merge_cat": "merge:PipeOpTorchMergeCat", "block": "block:PipeOpTorchBlock",
    "tokenizer_num": "tokenizers:PipeOpTorchTokenizerNum", "tokenizer_categ": "tokenizers:PipeOpTorchTokenizerCateg",
    "ft_cls": "tokenizers:PipeOpTorchFTCLS", "ft_transformer_block": "transformer:PipeOpTorchFTTransformerBlock",
    "transformer_encoder_layer": "transformer:PipeOpTorchTransformerEncoderLayer",
    **{k: f"activations:PipeOpTorch{c}" for k, c in (
        ("elu", "ELU"), ("hardshrink", "Hardshrink"), ("hardsigmoid", "Hardsigmoid"), ("hardtanh", "Hardtanh"),
        ("leaky_relu", "LeakyReLU"), ("log_sigmoid", "LogSigmoid"), ("prelu", "PReLU"), ("relu", "ReLU"),
        ("relu6", "ReLU6"), ("rrelu", "RReLU"), ("selu", "SELU"), ("celu", "CELU"), ("gelu", "GELU"),
        ("sigmoid", "Sigmoid"), ("softplus", "Softplus"), ("softshrink", "Softshrink"), ("softsign", "Softsign"),
        ("tanh", "Tanh"), ("tanhshrink", "Tanhshrink"), ("threshold", "Threshold"), ("glu", "GLU"),
        ("reglu", "ReGLU"), ("geglu", "GeGLU"), ("softmax", "Softmax"))},
    # tabular architectures (issue 13)
    "multihead_attention": "attention:PipeOpTorchMultiheadAttention", "one_hot": "tokenizers:PipeOpTorchOneHot",
    "ensemble_view": "ensemble:PipeOpTorchEnsembleView", "ensemble_mean": "ensemble:PipeOpTorchEnsembleMean",
    "linear_batch_ensemble": "ensemble:PipeOpTorchLinearBatchEnsemble",
    "linear_ensemble": "ensemble:PipeOpTorchLinearEnsemble",
}


# -- vision learners (classif.<torchvision name>) ------------------------------------------------
# torchvision's classification models (torchvision.models.list_models(module=torchvision.models));
# a static list so that registering does not import torchvision; tests/nn/learners/test_vision.py
# checks it against torchvision's registry.
VISION_MODELS = (
    "alexnet", "convnext_base", "convnext_large", "convnext_small", "convnext_tiny", "densenet121", "densenet161",
    "densenet169", "densenet201", "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
    "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7", "efficientnet_v2_l",
    "efficientnet_v2_m", "efficientnet_v2_s", "googlenet", "inception_v3", "maxvit_t", "mnasnet0_5", "mnasnet0_75",
    "mnasnet1_0", "mnasnet1_3", "mobilenet_v2", "mobilenet_v3_large", "mobilenet_v3_small", "regnet_x_16gf",
    "regnet_x_1_6gf", "regnet_x_32gf", "regnet_x_3_2gf", "regnet_x_400mf", "regnet_x_800mf", "regnet_x_8gf",
    "regnet_y_128gf", "regnet_y_16gf", "regnet_y_1_6gf", "regnet_y_32gf", "regnet_y_3_2gf", "regnet_y_400mf",
    "regnet_y_800mf", "regnet_y_8gf", "resnet101", "resnet152", "resnet18", "resnet34", "resnet50",
    "resnext101_32x8d", "resnext101_64x4d", "resnext50_32x4d", "shufflenet_v2_x0_5", "shufflenet_v2_x1_0",
    "shufflenet_v2_x1_5", "shufflenet_v2_x2_0", "squeezenet1_0", "squeezenet1_1", "swin_b", "swin_s", "swin_t",
    "swin_v2_b", "swin_v2_s", "swin_v2_t", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
    "vgg19_bn", "vit_b_16", "vit_b_32", "vit_h_14", "vit_l_16", "vit_l_32", "wide_resnet101_2", "wide_resnet50_2",
)
EXPORTS.update({
    "LearnerTorchVision": "jupytorch.nn.learners.vision:LearnerTorchVision",
    "replace_head": "jupytorch.nn.learners.vision:replace_head",
    "balanced_sampler": "jupytorch.nn.loader:balanced_sampler",
})
VISION_CALLBACKS = {
    "tb": ("jupytorch.nn.callbacks.tensorboard:CallbackTensorBoard", "TensorBoard logging"),
}


def _register_vision() -> None:
    learners = registry("learner")
    for name in VISION_MODELS:
        learners.add(f"classif.{name}", f"jupytorch.nn.learners.vision:classif_{name}", task_type="classif",
                     label=f"torchvision {name}", packages="torch,torchvision")
    callbacks = registry("callback")
    for key, (target, label) in VISION_CALLBACKS.items():
        callbacks.add(key, target, label=label)
# -- end of vision learners -------------------------------------------------------------------------


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
    pipeops = registry("pipeop")
    for key, (target, kind, label) in _GRAPH_PIPEOPS.items():
        pipeops.add(key, f"jupytorch.nn.{target}", kind=kind, label=label)
    for key, target in _LAYERS.items():
        pipeops.add(f"nn_{key}", f"jupytorch.nn.layers.{target}", kind="layer", label=f"Network layer {key}")
    _register_vision()
