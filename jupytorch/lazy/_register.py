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
    "image_folder_task": "jupytorch.tasks.images:image_folder_task",
}

# key -> (loader in jupytorch.tasks.images, nrow of the full data set, ncol (target + features), label).
# The image files are read when the task is built; with only a test split on disk nrow is smaller.
TASKS = {
    "mnist": ("load_mnist", 70000, 2, "MNIST Digit Classification"),
    "fashion_mnist": ("load_fashion_mnist", 70000, 2, "Fashion-MNIST Clothing Classification"),
    "cifar10": ("load_cifar10", 60000, 2, "CIFAR-10 Classification"),
    "cifar100": ("load_cifar100", 60000, 2, "CIFAR-100 Classification"),
    "lazy_iris": ("load_lazy_iris", 150, 2, "Iris Flowers"),
    "digits": ("load_digits", 1797, 2, "Handwritten Digits (8x8 images)"),
    "melanoma": ("load_melanoma", 32701, 5, "Melanoma Classification"),
}


def register() -> None:
    """Add the image tasks (their data is read when a task is built, from the data directory)."""
    tasks = registry("task")
    for key, (loader, nrow, ncol, label) in TASKS.items():
        tasks.add(key, f"jupytorch.tasks.images:{loader}", task_type="classif", nrow=nrow, ncol=ncol, label=label)
