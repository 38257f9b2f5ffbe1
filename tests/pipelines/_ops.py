"""Small PipeOps and objects used by the graph tests (no catalogue needed)."""

from __future__ import annotations

from typing import Any

from jupytorch.core.param import ParamDbl
from jupytorch.core.paramset import ParamSet
from jupytorch.pipelines.pipeop import PipeOp


class ModelDescriptor:
    """Stands in for the nn layer's ModelDescriptor (channel types match by class name)."""

    def __init__(self, n: int = 0):
        self.n = n


class Add(PipeOp):
    """Adds ``by`` (learned as the first training input's value when by is None) to numbers."""

    kind = "preprocessing"

    def __init__(self, id: str = "add", param_vals: dict | None = None, innum: int = 1):
        ps = ParamSet({"by": ParamDbl(default=1.0)})
        channels = [("input", "*", "*")] if innum == 1 else [(f"in{i}", "*", "*") for i in range(innum)]
        super().__init__(id, param_set=ps, param_vals=param_vals, input=channels)

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {"by": self.param_values()["by"]}
        return self._predict(inputs)

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return [sum(inputs) + self.state["by"]]


class Sum(PipeOp):
    """Sums any number of inputs (a vararg channel)."""

    kind = "meta"

    def __init__(self, id: str = "sum"):
        super().__init__(id, input=[("...", "*", "*")])

    def _train(self, inputs: list[Any]) -> list[Any]:
        return [sum(inputs)]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return [sum(inputs)]


class Split(PipeOp):
    """Two outputs: the input and its negation."""

    def __init__(self, id: str = "split"):
        super().__init__(id, output=[("pos", "*", "*"), ("neg", "*", "*")])

    def _train(self, inputs: list[Any]) -> list[Any]:
        return [inputs[0], -inputs[0]]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return [inputs[0], -inputs[0]]


class TaskToMd(PipeOp):
    """Task in, ModelDescriptor out (like an ingress)."""

    kind = "ingress"

    def __init__(self, id: str = "ingress"):
        super().__init__(id, input=[("input", "Task", "Task")], output=[("output", "ModelDescriptor", "Task")])

    def _train(self, inputs: list[Any]) -> list[Any]:
        return [ModelDescriptor(inputs[0].n_features)]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return inputs


class Layer(PipeOp):
    """ModelDescriptor in train, Task in predict (like an nn layer); labels its edges with a shape."""

    kind = "layer"

    def __init__(self, id: str = "layer"):
        super().__init__(id, input=[("input", "ModelDescriptor", "Task")], output=[("output", "ModelDescriptor", "Task")])

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {"n": inputs[0].n}
        return [ModelDescriptor(inputs[0].n + 1)]

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return inputs

    def edge_label(self, channel: str) -> str | None:
        return None if self.state is None else f"(None, {self.state['n'] + 1})"


class Failing(PipeOp):
    """Fails in train (after setting a state) or in predict, on request."""

    def __init__(self, id: str = "failing", where: str = "train"):
        self.where = where
        super().__init__(id)

    def _train(self, inputs: list[Any]) -> list[Any]:
        self.state = {"half": True}
        if self.where == "train":
            raise ValueError("boom in train")
        return inputs

    def _predict(self, inputs: list[Any]) -> list[Any]:
        raise ValueError("boom in predict")


class TaskOp(PipeOp):
    """Task in, Task out (like a preprocessing PipeOp); passes the task on."""

    kind = "preprocessing"

    def __init__(self, id: str = "task_op"):
        super().__init__(id, input=[("input", "Task", "Task")], output=[("output", "Task", "Task")])

    def _train(self, inputs: list[Any]) -> list[Any]:
        return inputs

    def _predict(self, inputs: list[Any]) -> list[Any]:
        return inputs
