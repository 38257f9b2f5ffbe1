"""DataDescriptor and its preprocessing graph: steps, stages, shapes, identity, pickling."""

from __future__ import annotations

import copy
import pickle

import pytest
import torch

from jupytorch.core.exceptions import InvalidParameterError, JupytorchError
from jupytorch.lazy.datasets import TensorDictDataset
from jupytorch.lazy.descriptor import DataDescriptor
from jupytorch.lazy.graph import PreprocGraph, shape_to_str
from jupytorch.lazy.steps import BatchFn, Reshape


def add_one(x: torch.Tensor) -> torch.Tensor:
    return x + 1


def crop_half(x: torch.Tensor) -> torch.Tensor:
    return x[..., : x.shape[-1] // 2]


@pytest.fixture
def dd() -> DataDescriptor:
    return DataDescriptor({"x": torch.rand(8, 3, 4, 4)}, {"x": (None, 3, 4, 4)})


def test_base_descriptor(dd):
    assert isinstance(dd.dataset, TensorDictDataset)
    assert dd.pointer == ("x", "input")
    assert dd.pointer_shape == dd.pointer_shape_predict == (None, 3, 4, 4)
    assert len(dd) == 8 and dd.input_key == "x"
    assert "TensorDictDataset" in repr(dd)


def test_with_step_returns_new_descriptor(dd):
    flat = dd.with_step(Reshape((-1, 48)), name="trafo_reshape")
    assert flat is not dd
    assert flat.pointer == ("trafo_reshape", "output") and flat.pointer_shape == (None, 48)
    assert dd.pointer_shape == (None, 3, 4, 4) and dd.graph.steps == ()  # unchanged
    assert flat.dataset is dd.dataset and flat.dataset_hash == dd.dataset_hash
    assert flat.hash != dd.hash
    again = dd.with_step(Reshape((-1, 48)), name="trafo_reshape")
    assert again.hash != flat.hash  # every appended step is a new identity


def test_step_names_are_made_unique(dd):
    two = dd.with_step(add_one, name="op").with_step(add_one, name="op").with_step(add_one)
    assert two.graph.ids() == ["op", "op_2", "add_one"]
    assert dd.with_step(add_one, name="x").graph.ids() == ["x_2"]  # the input field name is taken


def test_shape_out_forms(dd):
    assert dd.with_step(crop_half, (None, 3, 4, 2)).pointer_shape == (None, 3, 4, 2)
    assert dd.with_step(crop_half, lambda s: (*s[:-1], s[-1] // 2)).pointer_shape == (None, 3, 4, 2)
    assert dd.with_step(crop_half, "infer").pointer_shape == (None, 3, 4, 2)
    assert dd.with_step(Reshape((-1, 3, 16))).pointer_shape == (None, 3, 16)  # fn.out_shape is used


def test_shape_out_errors(dd):
    with pytest.raises(InvalidParameterError, match="must start with None"):
        dd.with_step(add_one, (3, 4, 4))
    with pytest.raises(InvalidParameterError, match="tuple, a function or 'infer'"):
        dd.with_step(add_one, "guess")
    with pytest.raises(InvalidParameterError, match="stage"):
        dd.with_step(add_one, stage="test")
    with pytest.raises(InvalidParameterError, match="callable"):
        dd.with_step(3)
    unknown = DataDescriptor({"x": torch.rand(2, 3)}, {"x": (None, None)})
    with pytest.raises(InvalidParameterError, match="cannot infer"):
        unknown.with_step(add_one)

    def broken(x):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom") as info:
        dd.with_step(broken, name="bad")
    assert "inferring the output shape" in "".join(info.value.__notes__)


def test_stages_and_predict_shape(dd):
    aug = dd.with_step(crop_half, "infer", stage="train", name="augment_crop")
    assert aug.pointer_shape == (None, 3, 4, 2)
    assert aug.pointer_shape_predict == (None, 3, 4, 4)
    both = aug.with_step(Reshape((-1, None)), name="flat")
    assert both.pointer_shape == (None, 24) and both.pointer_shape_predict == (None, 48)
    step = aug.graph.steps[0]
    assert step.runs_in("train") and not step.runs_in("predict")
    assert "augment_crop[train]" in repr(aug.graph)


def test_graph_run_checks_shapes(dd):
    lying = dd.with_step(crop_half, (None, 3, 4, 4), name="liar")
    batch = torch.zeros(2, 3, 4, 4)
    with pytest.raises(JupytorchError, match="'liar' returned shape"):
        lying.graph.run(batch, "predict")
    assert torch.equal(dd.with_step(add_one).graph.run(batch, "predict"), batch + 1)


def test_rowwise_step(dd):
    seen = []

    def per_row(x):
        seen.append(x.dim())
        return x * 2

    step_dd = dd.with_step(per_row, (None, 3, 4, 4), rowwise=True)
    out = step_dd.graph.run(torch.ones(5, 3, 4, 4), "predict")
    assert torch.equal(out, torch.full((5, 3, 4, 4), 2.0)) and seen == [3] * 5


def test_several_fields_need_input_key():
    data = {"a": torch.zeros(3, 2), "b": torch.zeros(3, 5)}
    with pytest.raises(InvalidParameterError, match="input_key"):
        DataDescriptor(data, {"a": (None, 2), "b": (None, 5)})
    dd = DataDescriptor(data, {"a": (None, 2), "b": (None, 5)}, input_key="b")
    assert dd.pointer_shape == (None, 5)
    with pytest.raises(InvalidParameterError, match="not one of the dataset fields"):
        DataDescriptor(data, {"a": (None, 2)}, input_key="c")


def test_identity_deepcopy_and_pickle(dd):
    stepped = dd.with_step(BatchFn(torch.clamp, min=0.5), name="clamp")
    assert copy.deepcopy(stepped) is stepped
    back = pickle.loads(pickle.dumps(stepped))
    assert back.hash == stepped.hash and back == stepped
    assert back.graph.ids() == ["clamp"]
    x = back.dataset.getbatch(torch.tensor([0, 1]))["x"]
    assert torch.equal(back.graph.run(x, "predict"), torch.clamp(x, min=0.5))


def test_same_dataset_object_shares_identity():
    dataset = TensorDictDataset({"x": torch.zeros(4, 2)})
    a = DataDescriptor(dataset, {"x": (None, 2)})
    b = DataDescriptor(dataset, {"x": (None, 2)})
    assert a.dataset_hash == b.dataset_hash and a == b
    assert DataDescriptor({"x": torch.zeros(4, 2)}, {"x": (None, 2)}).dataset_hash != a.dataset_hash


def test_graph_is_immutable():
    graph = PreprocGraph("x", (None, 2))
    assert graph.pointer == ("x", "input")
    dd = DataDescriptor({"x": torch.zeros(4, 2)}, {"x": (None, 2)}, graph=graph)
    dd.with_step(add_one)
    assert graph.steps == () and dd.graph is graph


def test_shape_to_str():
    assert shape_to_str((None, 1, 28, 28)) == "1x28x28"
    assert shape_to_str((None, 3, None, None)) == "3x?x?"
    assert shape_to_str(None) == "?"


def test_random_flip_draws_per_row():
    from jupytorch.lazy.steps import RandomFlip

    torch.manual_seed(0)
    x = torch.arange(2.0).repeat(64, 1).reshape(64, 1, 1, 2)
    out = RandomFlip(p=0.5)(x)
    flipped = out[:, 0, 0, 0] == 1.0
    assert 0 < int(flipped.sum()) < 64  # some rows flipped, some not
    assert torch.equal(out[flipped], x[flipped].flip(-1)) and torch.equal(out[~flipped], x[~flipped])
    assert torch.equal(RandomFlip(p=0.0)(x), x)
    with pytest.raises(InvalidParameterError):
        RandomFlip(p=2)
