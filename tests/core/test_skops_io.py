"""Learners as skops files: every registered learner kind and GraphLearners load without trusted=True."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
import torch

import jupytorch as jt
from jupytorch import lrn, po, tsk
from jupytorch.core import persistence, skops_io
from jupytorch.core.registry import registry
from jupytorch.nn._register import VISION_MODELS

pytestmark = [
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning"),
]


class Net(torch.nn.Module):
    """A network class defined outside torch and jupytorch (its learner needs trusted=True)."""

    def __init__(self, task):
        super().__init__()
        self.layer = torch.nn.Linear(task.n_features, len(task.class_names) if task.class_names else 1)

    def forward(self, x):
        return self.layer(x)


def _network(task_type: str) -> torch.nn.Module:
    return torch.nn.Sequential(torch.nn.Linear(4 if task_type == "classif" else 10, 8), torch.nn.ReLU(),
                               torch.nn.Linear(8, 3 if task_type == "classif" else 1))


FAST_TORCH = {"epochs": 2, "batch_size": 16, "device": "cpu"}


def _make(key: str):
    """A small instance of every registered learner (construction arguments where the kind needs them)."""
    task_type, kind = key.split(".", 1)
    if kind == "sklearn":
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import Ridge

        return lrn(key, estimator=RandomForestClassifier(n_estimators=5, random_state=1) if task_type == "classif" else Ridge())
    if kind == "module":
        if task_type == "regr":  # a network class of jupytorch's: no trust needed
            from jupytorch.nn.modules import FeaturelessModule

            return lrn(key, module_generator=FeaturelessModule, d_out=1, **FAST_TORCH)
        return lrn(key, module_generator=Net, **FAST_TORCH)
    if kind == "torch_model":
        return lrn(key, network=_network(task_type), ingress_tokens={"x": jt.ingress_num()}).configure(**FAST_TORCH)
    learner = lrn(key)
    if "epochs" in learner.param_set:
        learner.configure(**FAST_TORCH)
    if key.endswith("tab_resnet"):  # its size has no default, as in mlr3torch
        learner.configure(n_blocks=1, d_block=8)
    if "num_trees" in learner.param_set:
        learner.configure(num_trees=10)
    return learner


def _quantiles():
    from sklearn.preprocessing import QuantileTransformer

    return QuantileTransformer(n_quantiles=10)


def _task(key: str):
    return tsk("iris") if key.startswith("classif") else tsk("mtcars")


def _same_predictions(a, b, task):
    pd.testing.assert_frame_equal(a.predict(task).as_data_frame(), b.predict(task).as_data_frame())


# the torchvision classifiers need an image task; tests/nn/learners/test_vision.py saves and loads them
_VISION = {f"classif.{name}" for name in VISION_MODELS}


@pytest.mark.parametrize("key", [key for key in registry("learner").keys() if key not in _VISION])
def test_every_learner_kind_round_trips_without_trusted(key, tmp_path):
    learner = _make(key)
    if "prob" in learner.predict_types:
        learner.predict_type = "prob"
    task = _task(key)
    learner.train(task)
    path = learner.save(tmp_path / "learner.jt")
    if key == "classif.module":  # a network class of the user's: refused unless trusted
        with pytest.raises(persistence.LoadError, match=r"test_skops_io:Net as a module_generator.*trusted=True"):
            jt.load(path)
        loaded = jt.load(path, trusted=True)
    else:
        loaded = jt.load(path)
    assert type(loaded) is type(learner) and loaded.id == learner.id
    _same_predictions(learner, loaded, task)


GRAPHS = {
    "scale_pca_rpart": lambda: po("scale") >> po("pca", rank=3) >> lrn("regr.rpart"),
    "impute_encode_logreg": lambda: po("imputemedian") >> po("imputemode") >> po("encode") >> lrn("classif.log_reg"),
    "impute_ranger": lambda: po("imputemedian") >> po("imputeoor") >> lrn("classif.ranger", num_trees=10, seed=1),
    "scale_mlp": lambda: po("scale") >> lrn("classif.mlp", predict_type="prob", **FAST_TORCH),
    "nn_layers": lambda: po("scale") >> po("torch_ingress_num") >> jt.nn("linear", out_features=8) >> jt.nn("relu")
    >> jt.nn("head") >> po("torch_optimizer", jt.t_opt("adam", lr=0.01)) >> po("torch_model_classif", epochs=2, batch_size=16, seed=1),
    "branch": lambda: jt.ppl("branch", {"pca": po("pca"), "nop": po("nop")}) >> lrn("regr.kknn"),
    "sklearn_transformer": lambda: po("sklearn", transformer=_quantiles()) >> po("removeconstants") >> lrn("regr.lm"),
    "fixfactors_select_balance": lambda: po("fixfactors") >> po("imputeoor") >> po("select", selector=jt.selector_type("numeric"))
    >> po("classbalancing") >> lrn("classif.kknn"),
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_graph_learners_round_trip_without_trusted(name, tmp_path):
    learner = jt.as_learner(GRAPHS[name]())
    task = tsk("penguins") if learner.task_type == "classif" else tsk("mtcars")
    if name in ("scale_mlp", "nn_layers"):
        task = tsk("iris")
    learner.train(task)
    path = learner.save(tmp_path / "graph.jt")
    assert b'"kind": "skops"' in path.read_bytes().split(b"\n", 1)[0]
    loaded = jt.load(path)
    _same_predictions(learner, loaded, task)
    assert sorted(loaded.model) == sorted(learner.model)


def test_pandas_objects_round_trip():
    frame = pd.DataFrame({"x": [1.0, np.nan], "f": pd.Categorical(["a", "b"], categories=["b", "a"], ordered=True),
                          "s": ["u", None], "i": pd.array([1, None], dtype="Int64")}, index=[10, 20])
    data = skops_io.dumps({"frame": frame, "series": frame["x"], "index": pd.Index(["p", "q"], name="n"),
                           "dtype": pd.CategoricalDtype(["lo", "hi"], ordered=True)})
    back = skops_io.loads(data, trusted=False, where="memory")
    pd.testing.assert_frame_equal(back["frame"], frame)
    pd.testing.assert_series_equal(back["series"], frame["x"])
    pd.testing.assert_index_equal(back["index"], pd.Index(["p", "q"], name="n"))
    assert back["dtype"] == pd.CategoricalDtype(["lo", "hi"], ordered=True)


def test_allowed_types():
    assert skops_io.allowed("sklearn.tree._tree", "Tree")
    assert skops_io.allowed("jupytorch.learners.rpart", "LearnerClassifRpart")
    assert skops_io.allowed("jupytorch.pipelines.preproc", "_check_selector", "FunctionNode")
    assert not skops_io.allowed("jupytorch.core.persistence", "write", "FunctionNode")  # a function, not a validator
    assert not skops_io.allowed("jupytorch.core.persistence", "Path")  # pathlib's class, re-exported there
    assert not skops_io.allowed("numpy", "memmap", "ConstructorFromReduceNode")  # a constructor called with file data
    assert not skops_io.allowed("posix", "system", "FunctionNode")
    assert not skops_io.allowed("builtins", "eval", "FunctionNode")
    assert not skops_io.allowed("sklearn.base", "BaseEstimator", "MethodNode")
    assert not skops_io.allowed("jupytorch.core.registry", "Registry")  # resolves "module:attr" strings when asked


# -- crafted skops files --------------------------------------------------------------------------------
def _rewrite(data: bytes, edit) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "schema.json":
                schema = json.loads(content)
                edit(schema)
                content = json.dumps(schema).encode()
            target.writestr(item, content)
    return out.getvalue()


def _schema(obj) -> dict:
    schema = json.loads(zipfile.ZipFile(io.BytesIO(sio.dumps(obj))).read("schema.json"))
    schema.pop("protocol"), schema.pop("_skops_version")
    return schema


def _crafted_file(tmp_path, node: dict):
    learner = lrn("regr.featureless").train(tsk("mtcars"))

    def edit(schema):
        schema["content"]["content"]["label"] = node

    payload = _rewrite(sio.dumps(learner), edit)
    return persistence.write(tmp_path / "crafted.jt", {"kind": "skops", "class": "x", "learner_id": "x"}, payload)


@pytest.mark.parametrize("node", [
    {"__class__": "system", "__module__": "posix", "__loader__": "FunctionNode", "__id__": 987654},
    {"__class__": "write", "__module__": "jupytorch.core.persistence", "__loader__": "FunctionNode", "__id__": 987654},
    {"__class__": "Path", "__module__": "jupytorch.core.persistence", "__loader__": "ObjectNode", "__id__": 987654},
    {"__class__": "Registry", "__module__": "jupytorch.core.registry", "__loader__": "ObjectNode", "__id__": 987654},
], ids=["os.system", "jupytorch-function", "re-export", "registry"])
def test_crafted_skops_types_are_refused(tmp_path, node):
    with pytest.raises(persistence.LoadError, match=rf"crafted\.jt' names types .*{node['__module__']}\.{node['__class__']}"):
        jt.load(_crafted_file(tmp_path, node))


def test_crafted_constructor_call_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "overwritten"
    node = {"__class__": "memmap", "__module__": "numpy", "__loader__": "ConstructorFromReduceNode", "__id__": 987654,
            "content": _schema((str(marker), "uint8", "w+", 0, (4,)))}
    with pytest.raises(persistence.LoadError, match=r"numpy\.memmap \(as ConstructorFromReduceNode\)"):
        jt.load(_crafted_file(tmp_path, node))
    assert not marker.exists()


def test_user_classes_fall_back_to_pickle_that_needs_trusted(tmp_path):
    learner = jt.as_learner(po("colapply", applicator=_double, affect_columns=jt.selector_name(["hp"])) >> lrn("regr.rpart"))
    path = learner.train(tsk("mtcars")).save(tmp_path / "fn.jt")
    header = path.read_bytes().split(b"\n", 1)[0]
    assert b'"kind": "pickle"' in header
    with pytest.raises(persistence.LoadError, match=r"saved with pickle because .*trusted=True"):
        jt.load(path)
    _same_predictions(learner, jt.load(path, trusted=True), tsk("mtcars"))


def _double(column):
    return column * 2
