"""Registration, the PipeOp contract (check_pipeop), pickling, graphs and docstring examples."""

from __future__ import annotations

import doctest
import importlib
import pickle

import pytest
import torch

import jupytorch as jt
from jupytorch import po
from jupytorch.core.registry import REGISTRIES, Registry, registry
from jupytorch.lazy import _register
from jupytorch.lazy.pipeops.base import PipeOpTaskPreprocTorch, class_name
from jupytorch.pipelines.testing import check_pipeop


def scale(x, factor=2.0):
    return x * factor


def test_preproc_ops_register_as_strings(monkeypatch):
    fresh = Registry("pipeop")
    monkeypatch.setitem(REGISTRIES, "pipeop", fresh)
    _register.register()
    keys = [k for k in fresh if k.startswith(("trafo_", "augment_"))]
    assert len(keys) == 25 and "preproc_torch" in fresh
    for key in keys + ["preproc_torch"]:
        assert isinstance(fresh._entries[key], str)
        assert fresh.meta(key)["kind"] == "preprocessing"


@pytest.mark.parametrize("key", sorted(_register.PREPROC_PIPEOPS))
def test_every_key_builds_its_class(key):
    op = po(key)
    assert isinstance(op, PipeOpTaskPreprocTorch)
    assert type(op).__name__ == class_name(key) and op.id == key and op.key == key
    assert op.param_set.values["stages"] == ("train" if key.startswith("augment_") else "both")
    assert key in (type(op).__doc__ or "")
    assert po(f"{key}_2").id == f"{key}_2"


def test_api_examples_build():
    assert po("trafo_resize", size=(224, 224)).param_set.values["size"] == (224, 224)
    assert po("augment_random_vertical_flip", p=0.5).param_set.values["p"] == 0.5
    with pytest.raises(Exception, match="trafo_resize"):
        po("trafo_resise")


@pytest.mark.parametrize(("key", "values"), [
    ("trafo_resize", {"size": (8, 8)}),
    ("trafo_reshape", {"shape": (-1, 960)}),
    ("trafo_normalize", {"mean": (0.5, 0.5, 0.5), "std": (0.2, 0.2, 0.2)}),
    ("augment_random_crop", {"size": 10, "padding": 1}),
    ("augment_color_jitter", {"brightness": 0.3, "hue": 0.1}),
    ("augment_random_affine", {"degrees": 10}),
    ("augment_random_choice", {"transforms": [po("augment_hflip"), po("augment_random_crop", size=(16, 20), padding=2)]}),
    ("augment_random_order", {"transforms": [po("augment_random_vertical_flip"), po("augment_color_jitter", hue=0.1)]}),
])
def test_check_pipeop(key, values, rgb):
    task, _ = rgb
    check_pipeop(po(key, **values), [task])


def test_check_pipeop_preproc_torch(rgb):
    task, _ = rgb
    check_pipeop(po("preproc_torch", fn=scale, factor=0.5), [task])


def test_task_pickles_after_a_chain_of_ops(mnist):
    task = mnist.filter(range(64))
    graph = (po("augment_random_crop", size=28, padding=2) >> po("augment_color_jitter", brightness=0.3)
             >> po("trafo_normalize", mean=0.13, std=0.31) >> po("trafo_reshape", shape=(-1, 784)))
    out = graph.train(task)[0]
    again = pickle.loads(pickle.dumps(out))
    column, column2 = out.data()["image"], again.data()["image"]
    assert repr(column2.iloc[0]) == "<tnsr[784]>"
    assert column2.array.descriptor.graph.ids() == column.array.descriptor.graph.ids()
    for stage in ("train", "predict"):
        torch.manual_seed(0)
        a = jt.materialize(column, rbind=True, stage=stage)
        torch.manual_seed(0)
        b = jt.materialize(column2, rbind=True, stage=stage)
        assert torch.equal(a, b)
    graph2 = pickle.loads(pickle.dumps(graph))
    assert jt.lazy_shape(graph2.predict(task)[0].data()["image"]) == (None, 784)


def test_a_predict_path_shape_error_says_so(mnist):
    task = mnist.filter(range(8))
    graph = po("trafo_pad", padding=2) >> po("augment_random_crop", size=28) >> po("trafo_reshape", shape=(-1, 784))
    with pytest.raises(Exception, match=r"\(None, 1, 32, 32\) at predict time .* 1024 elements"):
        graph.train(task)


def test_graph_of_ops_trains_and_predicts(rgb):
    task, images = rgb
    graph = po("augment_random_vertical_flip", p=0.5) >> po("trafo_resize", size=(32, 32))
    trained = graph.train(task)[0].data()["image"]
    assert trained.array.descriptor.graph.ids() == ["augment_random_vertical_flip", "trafo_resize"]
    predicted = graph.predict(task)[0].data()["image"]
    assert predicted.array.descriptor.graph.ids() == ["trafo_resize"]
    expected = torch.nn.functional.interpolate(images, size=(32, 32), mode="bilinear", antialias=True)
    torch.testing.assert_close(jt.materialize(predicted, rbind=True), expected, atol=1e-5, rtol=0)
    assert jt.as_learner(graph >> jt.lrn("classif.featureless")).train(task).predict(task).response.shape == (8,)


@pytest.mark.parametrize("module", [
    "jupytorch.lazy.pipeops.base", "jupytorch.lazy.pipeops.batch_steps", "jupytorch.lazy.pipeops.trafo",
    "jupytorch.lazy.pipeops.augment", "jupytorch.lazy.pipeops.custom", "jupytorch.lazy.pipeops.random_geometry",
    "jupytorch.lazy.pipeops.random_color",
])
def test_docstring_examples_run(module):
    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_generated_docstring_examples_run():
    for key in ("trafo_reshape", "trafo_resize", "augment_random_crop", "augment_random_horizontal_flip"):
        cls = registry("pipeop").factory(key)
        parser = doctest.DocTestParser()
        test = parser.get_doctest(cls.__doc__, {}, key, None, 0)
        assert test.examples, key
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
        assert runner.failures == 0, key
