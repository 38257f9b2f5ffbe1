"""Public names and registry entries of the lazy-tensor layer (strings only: nothing heavy is imported)."""

from __future__ import annotations

from jupytorch.core.registry import registry

EXPORTS = {
    "as_lazy_tensor": "jupytorch.lazy.convert:as_lazy_tensor",
    "is_lazy_tensor": "jupytorch.lazy.convert:is_lazy_tensor",
    "lazy_shape": "jupytorch.lazy.convert:lazy_shape",
    "materialize": "jupytorch.lazy.materialize:materialize",
    "DataDescriptor": "jupytorch.lazy.descriptor:DataDescriptor",
    "LazyTensorArray": "jupytorch.lazy.dtype:LazyTensorArray",
    "LazyTensorDtype": "jupytorch.lazy.dtype:LazyTensorDtype",
    "image_folder_task": "jupytorch.lazy.tasks:image_folder_task",
    "PipeOpTaskPreprocTorch": "jupytorch.lazy.pipeops.base:PipeOpTaskPreprocTorch",
}

# key -> (loader in jupytorch.lazy.tasks, nrow of the full data set, ncol (target + features), label).
# The image files are read when the task is built; with only a test split on disk nrow is smaller.
TASKS = {
    "mnist": ("load_mnist", 70000, 2, "MNIST Digit Classification"),
    "fashion_mnist": ("load_fashion_mnist", 70000, 2, "Fashion-MNIST Clothing Classification"),
    "cifar10": ("load_cifar10", 60000, 2, "CIFAR-10 Classification"),
    "cifar100": ("load_cifar100", 60000, 2, "CIFAR-100 Classification"),
    "lazy_iris": ("load_lazy_iris", 150, 2, "Iris Flowers"),
    "digits": ("load_digits", 1797, 2, "Handwritten Digits (8x8 images)"),
    "melanoma": ("load_melanoma", 32701, 5, "Melanoma Classification"),
    "tiny_imagenet": ("jupytorch.lazy.tiny_imagenet:load_tiny_imagenet", 110000, 2, "Tiny ImageNet Classification"),
}

# lazy-tensor preprocessing PipeOps: key -> label. The classes are built from the tables in
# jupytorch.lazy.pipeops.trafo / .augment and named by the rule "trafo_resize" -> "PipeOpTrafoResize".
PREPROC_PIPEOPS = {
    "trafo_nop": "Pass lazy tensors on unchanged",
    "trafo_reshape": "Reshape each row of a lazy tensor",
    "trafo_resize": "Resize images",
    "trafo_normalize": "Normalize image channels",
    "trafo_pad": "Pad images",
    "trafo_grayscale": "Convert images to grayscale",
    "trafo_rgb_to_grayscale": "Convert RGB images to grayscale",
    "trafo_adjust_gamma": "Gamma-correct images",
    "trafo_adjust_brightness": "Adjust image brightness",
    "trafo_adjust_hue": "Adjust image hue",
    "trafo_adjust_saturation": "Adjust image saturation",
    "augment_crop": "Crop images to a fixed box (train only)",
    "augment_center_crop": "Crop the centre of images (train only)",
    "augment_resized_crop": "Crop images to a fixed box and resize (train only)",
    "augment_hflip": "Flip images horizontally (train only)",
    "augment_vflip": "Flip images vertically (train only)",
    "augment_random_horizontal_flip": "Random horizontal flips, per row (train only)",
    "augment_random_vertical_flip": "Random vertical flips, per row (train only)",
    "augment_rotate": "Rotate images (train only)",
    "augment_random_crop": "Random crops, per row (train only)",
    "augment_random_resized_crop": "Random resized crops, per row (train only)",
    "augment_random_affine": "Random affine warps, per row (train only)",
    "augment_color_jitter": "Random colour jitter, per row (train only)",
    "augment_random_choice": "One of several transforms per row (train only)",
    "augment_random_order": "Several transforms in a random order (train only)",
}


def _preproc_target(key: str) -> str:
    module = "trafo" if key.startswith("trafo_") else "augment"
    return f"jupytorch.lazy.pipeops.{module}:PipeOp" + "".join(part.capitalize() for part in key.split("_"))


def register() -> None:
    """Add the image tasks (data is read when a task is built) and the lazy-tensor preprocessing PipeOps."""
    tasks = registry("task")
    for key, (loader, nrow, ncol, label) in TASKS.items():
        target = loader if ":" in loader else f"jupytorch.lazy.tasks:{loader}"
        tasks.add(key, target, task_type="classif", nrow=nrow, ncol=ncol, label=label)
    pipeops = registry("pipeop")
    for key, label in PREPROC_PIPEOPS.items():
        pipeops.add(key, _preproc_target(key), kind="preprocessing", label=label)
    pipeops.add("preproc_torch", "jupytorch.lazy.pipeops.custom:PipeOpPreprocTorch", kind="preprocessing",
                label="A function as a lazy-tensor preprocessing step")
