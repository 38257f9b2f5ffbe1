"""The inference loop: outputs in row order whatever the batch size, eval mode, hooks, inputs by name."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch.nn.ingress import ingress_num
from jupytorch.nn.predict_loop import make_forward, predict_loop
from jupytorch.nn.task_dataset import TaskDataset


@pytest.fixture
def dataset():
    frame = pd.DataFrame({"a": [float(i) for i in range(7)], "b": [2.0 * i for i in range(7)], "y": [0.0] * 7})
    task = jt.as_task_regr(frame, target="y")
    return TaskDataset(task, {"x": ingress_num().bind(task)})


class RowSum(torch.nn.Module):
    """Sums each row and counts its calls; dropout shows whether it ran in eval mode."""

    def __init__(self):
        super().__init__()
        self.dropout = torch.nn.Dropout(p=0.999)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return self.dropout(x).sum(dim=1, keepdim=True)


@pytest.mark.parametrize("batch_size", [1, 3, 7, 100])
def test_outputs_follow_the_rows_whatever_the_batch_size(dataset, batch_size):
    net = RowSum()
    out = predict_loop(net, dataset, batch_size, make_forward(net, ["x"]))
    assert out.tolist() == [[3.0 * i] for i in range(7)]  # a + b, dropout off
    assert net.calls == -(-7 // batch_size)


def test_a_training_network_runs_in_eval_mode_and_is_put_back(dataset):
    net = RowSum().train()
    predict_loop(net, dataset, 4, make_forward(net, ["x"]))
    assert net.training
    net.eval()
    predict_loop(net, dataset, 4, make_forward(net, ["x"]))
    assert not net.training


def test_no_graph_is_recorded(dataset):
    net = torch.nn.Linear(2, 1)
    out = predict_loop(net, dataset, 3, make_forward(net, ["x"]))
    assert not out.requires_grad and out.shape == (7, 1)


def test_the_hooks_see_each_batch_before_and_its_output_after(dataset):
    seen = []
    net = RowSum()
    hooks = (lambda batch: seen.append(("before", batch.index.tolist())), lambda y_hat: seen.append(("after", y_hat.shape[0])))
    predict_loop(net, dataset, 4, make_forward(net, ["x"]), on_batch=hooks)
    assert seen == [("before", [0, 1, 2, 3]), ("after", 4), ("before", [4, 5, 6]), ("after", 3)]


def test_the_autocast_context_wraps_every_forward_pass(dataset):
    entered = []

    class Recording:
        def __enter__(self):
            entered.append(True)

        def __exit__(self, *exc):
            return False

    net = RowSum()
    predict_loop(net, dataset, 2, make_forward(net, ["x"]), autocast=Recording)
    assert len(entered) == net.calls == 4


def test_an_empty_dataset_gives_no_rows():
    task = jt.as_task_regr(pd.DataFrame({"a": [1.0], "y": [0.0]}), target="y").filter([])
    empty = TaskDataset(task, {"x": ingress_num().bind(task)})
    net = torch.nn.Linear(1, 1)
    assert predict_loop(net, empty, 8, make_forward(net, ["x"])).shape[0] == 0


def test_one_input_is_passed_by_position_several_by_name():
    assert make_forward(torch.nn.Identity(), ["x"])({"x": torch.ones(2)}).tolist() == [1.0, 1.0]

    def two(num, categ):
        return num + categ

    forward = make_forward(two, ["num", "categ"])
    assert forward({"categ": torch.ones(1), "num": torch.full((1,), 2.0)}).tolist() == [3.0]
