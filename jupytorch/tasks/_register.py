"""Registry entries of the task catalogue (strings only: no data is read and nothing heavy imported).

``tsks()`` lists the metadata below without building a task; ``tests/tasks/test_catalogue.py``
checks it against the built tasks. Each entry: key -> (factory, task_type, nrow, ncol, label),
where ``ncol`` counts the target and the features (as a task's ``ncol`` does).
"""

from __future__ import annotations

from jupytorch.core.registry import registry

EXPORTS: dict[str, str] = {}

TASKS = {
    "mtcars": ("jupytorch.tasks.tabular:mtcars", "regr", 32, 11, "Motor Trends"),
    "iris": ("jupytorch.tasks.tabular:iris", "classif", 150, 5, "Iris Flowers"),
    "california_housing": ("jupytorch.tasks.tabular:california_housing", "regr", 20640, 10, "California House Values"),
    "penguins": ("jupytorch.tasks.tabular:penguins", "classif", 344, 8, "Palmer Penguins"),
    "breast_cancer": ("jupytorch.tasks.tabular:breast_cancer", "classif", 569, 31, "Wisconsin Diagnostic Breast Cancer"),
    "wine": ("jupytorch.tasks.tabular:wine", "classif", 178, 14, "Wine Cultivars"),
    "diabetes": ("jupytorch.tasks.tabular:diabetes", "regr", 442, 11, "Diabetes Progression"),
}


def register() -> None:
    """Add the catalogue's tasks to ``registry("task")`` with the metadata ``tsks()`` shows."""
    reg = registry("task")
    for key, (factory, task_type, nrow, ncol, label) in TASKS.items():
        reg.add(key, factory, task_type=task_type, nrow=nrow, ncol=ncol, label=label)
