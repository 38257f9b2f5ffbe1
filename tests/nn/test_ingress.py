"""Ingress tokens and the TaskDataset: tensors built once, batches cut by index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import jupytorch as jt
from jupytorch.core.exceptions import TaskError
from jupytorch.nn.ingress import TorchIngressToken
from jupytorch.nn.task_dataset import TaskDataset


@pytest.fixture
def mixed_task():
    frame = pd.DataFrame({
        "num": [1.0, 2.0, 3.0, 4.0],
        "int": [1, 2, 3, 4],
        "flag": [True, False, True, False],
        "colour": pd.Categorical(["red", "blue", None, "red"], categories=["blue", "red"]),
        "y": [0.5, 1.5, 2.5, 3.5],
    })
    return jt.as_task_regr(frame, target="y", id="mixed")


def test_ingress_num_selects_numbers_and_gives_float32(mixed_task):
    token = jt.ingress_num().bind(mixed_task)
    assert token.features == ["num", "int"] and token.shape == (None, 2)
    x = token.get(mixed_task.data(cols=token.features))
    assert x.dtype == torch.float32 and x.tolist() == [[1, 1], [2, 2], [3, 3], [4, 4]]
    flags = jt.ingress_num(["flag"]).bind(mixed_task)
    assert flags.get(mixed_task.data(cols=["flag"])).reshape(-1).tolist() == [1.0, 0.0, 1.0, 0.0]


def test_ingress_categ_codes_with_a_reserved_index(mixed_task):
    token = jt.ingress_categ().bind(mixed_task)
    assert token.features == ["flag", "colour"] and token.shape == (None, 2)
    assert token.cardinalities == [3, 3]  # levels + the reserved missing/unseen index
    codes = token.get(mixed_task.data(cols=token.features))
    assert codes.dtype == torch.int64
    assert codes.tolist() == [[1, 1], [0, 0], [1, 2], [0, 1]]  # missing colour -> 2
    unseen = pd.DataFrame({"flag": [None], "colour": pd.Categorical(["green"])})
    assert token.get(unseen).tolist() == [[2, 2]]  # unseen level and missing flag -> reserved index


def test_tokens_check_features(mixed_task):
    with pytest.raises(TaskError, match="'nmu' is not a feature of task 'mixed'.*Did you mean 'num'"):
        jt.ingress_num(["nmu"]).bind(mixed_task)
    with pytest.raises(TaskError, match="categorical ingress takes"):
        jt.ingress_categ(["num"]).bind(mixed_task)
    selector = jt.ingress_num(lambda task: [n for n in task.feature_names if n.startswith("n")]).bind(mixed_task)
    assert selector.features == ["num"]


def test_task_dataset_builds_tensors_once_and_slices(mixed_task):
    calls = []

    def getter(data):
        calls.append(len(data))
        return torch.from_numpy(np.array(data.to_numpy(dtype=np.float32)))

    tokens = {"a": TorchIngressToken(["num"], getter, (None, 1)), "b": jt.ingress_categ().bind(mixed_task)}
    ds = TaskDataset(mixed_task, tokens)
    assert calls == [4]  # one call for all rows
    x, y = ds.get_batch(torch.tensor([3, 1]))
    assert calls == [4]  # batches do not call the getter again
    assert x["a"].tolist() == [[4.0], [2.0]] and x["b"].tolist() == [[0, 1], [0, 0]]
    assert y.tolist() == [[3.5], [1.5]]
    assert ds.truth.tolist() == [0.5, 1.5, 2.5, 3.5]


def test_preload_device_stores_tensors_on_the_device(mixed_task):
    ds = TaskDataset(mixed_task, {"x": jt.ingress_num().bind(mixed_task)}, device="cpu", preload="device")
    assert ds.storage_device == torch.device("cpu") and ds.get_batch == ds._get_fast


def test_binary_and_multiclass_targets():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": ["no", "yes", "no"]})
    binary = jt.as_task_classif(frame, target="y", positive="yes")
    ds = TaskDataset(binary, {"x": jt.ingress_num().bind(binary)})
    assert ds.y.tolist() == [[0.0], [1.0], [0.0]]  # 1 = the positive class, class_names[0]
    multi = jt.as_task_classif(frame.assign(y=["a", "b", "c"]), target="y")
    assert TaskDataset(multi, {"x": jt.ingress_num().bind(multi)}).y.tolist() == [0, 1, 2]


def test_ingress_ltnsr_materializes_per_batch():
    images = torch.arange(24, dtype=torch.float32).reshape(6, 4)
    frame = pd.DataFrame({"x": jt.as_lazy_tensor(images), "y": [0.0, 1, 2, 3, 4, 5]})
    task = jt.as_task_regr(frame, target="y", id="lazy")
    token = jt.ingress_ltnsr().bind(task)
    assert token.features == ["x"] and token.shape == (None, 4) and token.per_batch
    ds = TaskDataset(task, {"x": token})
    assert ds.lazy and not ds.tensors
    x, _ = ds.get_batch(torch.tensor([5, 0]))
    assert torch.equal(x["x"], images[[5, 0]])
    preloaded = TaskDataset(task, {"x": token}, preload=True)
    assert torch.equal(preloaded.tensors["x"], images)


def test_mlp_trains_on_a_2d_lazy_tensor():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(60, 5)).astype(np.float32)
    frame = pd.DataFrame({"x": jt.as_lazy_tensor(torch.from_numpy(values)), "y": values.sum(axis=1)})
    task = jt.as_task_regr(frame, target="y", id="lazy_regr")
    learner = jt.lrn("regr.mlp", neurons=(8,), epochs=2, batch_size=16, device="cpu", seed=1).train(task)
    assert learner.model.network[0].in_features == 5
    assert learner.predict(task).response.shape == (60,)


def test_token_config_round_trip(mixed_task):
    token = jt.ingress_categ().bind(mixed_task)
    again = TorchIngressToken.from_config(token.to_config())
    frame = mixed_task.data(cols=token.features)
    assert torch.equal(again.get(frame), token.get(frame))
    assert jt.ingress_num(lambda t: ["num"]).to_config() is None  # a function cannot be written as data
