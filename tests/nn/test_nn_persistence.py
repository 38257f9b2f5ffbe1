"""Saving, loading and pickling trained torch learners."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

import jupytorch as jt
from jupytorch.core import persistence
from jupytorch.core.exceptions import JupytorchError

from .conftest import make_classif, make_regr, mlp


def _same_predictions(a, b, task):
    pa, pb = a.predict(task), b.predict(task)
    assert (pa.response.to_numpy() == pb.response.to_numpy()).all()
    if getattr(pa, "prob", None) is not None:
        assert np.array_equal(pa.prob.to_numpy(), pb.prob.to_numpy())


def test_save_load_gives_identical_predictions_without_trusting(tmp_path):
    task = make_classif()
    learner = mlp(neurons=(8, 8), activation=torch.nn.Tanh, activation_args={}, predict_type="prob",
                  measures_valid=[jt.msr("classif.acc")], callbacks=[jt.t_clbk("history"), jt.t_clbk("lr_step", step_size=1)],
                  optimizer=jt.t_opt("adamw", lr=0.01, betas=(0.8, 0.9)))
    learner.configure(validate=0.25).train(task)
    path = learner.save(tmp_path / "mlp.jt")
    header = path.read_bytes().split(b"\n", 1)[0]
    assert b'"storage": "tensors"' in header and b'"code"' not in header  # trust comes from the payload, not the header
    loaded = jt.load(path)  # no trusted=True needed: tensors and plain data only
    assert type(loaded) is type(learner) and loaded.param_set.values["activation"] is torch.nn.Tanh
    assert loaded.param_set.values["opt__betas"] == (0.8, 0.9)
    assert loaded.predict_type == "prob" and loaded.validate == 0.25
    _same_predictions(learner, loaded, task)
    assert loaded.model.callbacks["history"].equals(learner.model.callbacks["history"])
    assert loaded.model.seed == learner.model.seed and loaded.internal_valid_scores == learner.internal_valid_scores
    assert loaded.model.optimizer["param_groups"][0]["lr"] == learner.model.optimizer["param_groups"][0]["lr"]


def test_untrained_learner_round_trips(tmp_path):
    learner = mlp("regr", neurons=(3,), loss=jt.t_loss("l1"))
    loaded = jt.load(learner.save(tmp_path / "untrained.jt"))
    assert loaded.state is None and loaded.loss.id == "l1" and loaded.param_set.values == learner.param_set.values
    loaded.train(make_regr())


def test_pickle_round_trip_and_cpu_state():
    task = make_regr()
    learner = mlp("regr").train(task)
    again = pickle.loads(pickle.dumps(learner))
    _same_predictions(learner, again, task)
    assert all(t.device.type == "cpu" for t in again.model.network.state_dict().values())
    clone = learner.clone()
    _same_predictions(learner, clone, task)


class Tiny(torch.nn.Module):
    def __init__(self, task, width: int = 3):
        super().__init__()
        self.layer = torch.nn.Linear(task.n_features, 1)

    def forward(self, x):
        return self.layer(x)


def test_user_module_class_needs_trusted(tmp_path):
    task = make_regr()
    learner = jt.lrn("regr.module", module_generator=Tiny, width=4, epochs=1, batch_size=32, device="cpu").train(task)
    path = learner.save(tmp_path / "module.jt")
    with pytest.raises(JupytorchError, match=r"refusing to import [a-z_.]*test_nn_persistence:Tiny as a module_generator"):
        jt.load(path)
    loaded = jt.load(path, trusted=True)
    assert loaded.param_set.values["width"] == 4
    _same_predictions(learner, loaded, task)


def test_objects_that_are_not_plain_data_are_pickled_and_need_trusted(tmp_path):
    task = make_regr()
    net = torch.nn.Sequential(torch.nn.Linear(3, 1))
    learner = jt.LearnerTorchModel(net, {"x": jt.ingress_num()}, "regr").configure(epochs=1, batch_size=32, device="cpu")
    path = learner.train(task).save(tmp_path / "model.jt")
    _same_predictions(learner, jt.load(path), task)  # a network object of torch layers: plain data and tensors
    own = jt.LearnerTorchModel(torch.nn.Sequential(Tiny(task)), {"x": jt.ingress_num()}, "regr")
    path = own.configure(epochs=1, batch_size=32, device="cpu").train(task).save(tmp_path / "own.jt")
    with pytest.raises(JupytorchError, match=r"test_nn_persistence:Tiny as a network module class.*trusted=True"):
        jt.load(path)
    _same_predictions(own, jt.load(path, trusted=True), task)
    function = mlp("regr", callbacks=jt.torch_callback("noop", on_epoch_end=_noop)).train(task)
    with pytest.raises(JupytorchError, match="made of functions"):
        jt.load(function.save(tmp_path / "function.jt"))
    lam = mlp("regr", callbacks=jt.torch_callback("noop", on_epoch_end=lambda cb: None)).train(task)
    with pytest.raises(JupytorchError, match="cannot be saved: callback 'noop' is made of functions.*pickling failed"):
        lam.save(tmp_path / "lambda.jt")


def _noop(cb):
    return None


# -- crafted files: loading runs nothing the user did not consent to ----------------------------------
def _craft(path, learner, mutate=None, header=None, payload=None):
    """Write a file as learner.save does, after ``mutate`` changed its payload (or with ``payload`` as is)."""
    from jupytorch.nn.persistence import learner_bytes

    head, data = learner_bytes(learner)
    if payload is None:
        content = torch.load(io.BytesIO(data), weights_only=True)
        if mutate is not None:
            mutate(content)
        buffer = io.BytesIO()
        torch.save(content, buffer)
        payload = buffer.getvalue()
    return persistence.write(path, {"kind": "custom", **head, **(header or {})}, payload)


def _trained_regr():
    return mlp("regr", neurons=(3,), scale_target=False).train(make_regr())  # a network saved as its structure


def test_loss_class_that_walks_to_os_system_is_refused(tmp_path):
    marker = tmp_path / "pwned"

    def mutate(content):
        content["config"]["init"]["loss"] = {"class": "torch.serialization:os.system", "id": "x", "task_types": ["regr"]}
        content["config"]["param_values"]["loss__command"] = f"touch {marker}"

    path = _craft(tmp_path / "loss.jt", _trained_regr(), mutate)
    for trusted in (False, True):  # not defined in torch.serialization, and not an nn.Module: refused even when trusted
        with pytest.raises(persistence.LoadError, match=r"refusing to import torch\.serialization:os\.system as a loss class"):
            jt.load(path, trusted=trusted)
    assert not marker.exists()


@pytest.mark.parametrize("value", ["torch.serialization:os.system", "torch.nn.functional:relu", "os:system"])
def test_activation_paths_other_than_module_classes_are_refused(tmp_path, value):
    marker = tmp_path / "pwned"

    def mutate(content):
        content["config"]["param_values"]["activation"] = {"__code__": value}
        content["config"]["param_values"]["activation_args"] = {"command": f"touch {marker}"}

    path = _craft(tmp_path / "act.jt", _trained_regr(), mutate)
    with pytest.raises(persistence.LoadError, match=rf"refusing to import {value} as a parameter value.*trusted=True"):
        jt.load(path)
    assert not marker.exists()


def test_network_structure_naming_other_code_is_refused(tmp_path):
    def mutate(content):
        structure = content["state"]["model"]["network_structure"]
        structure["__nn_module__"] = "torch.serialization:os.system"

    path = _craft(tmp_path / "net.jt", _trained_regr(), mutate)
    with pytest.raises(persistence.LoadError, match=r"torch\.serialization:os\.system as a network module class"):
        jt.load(path)


def test_callback_class_os_abort_is_refused_in_a_subprocess(tmp_path):
    def mutate(content):
        content["config"]["init"]["callbacks"] = [{"class": "torch.serialization:os.abort", "id": "boom"}]

    path = _craft(tmp_path / "abort.jt", _trained_regr(), mutate)
    script = textwrap.dedent(f"""
        import jupytorch as jt
        try:
            jt.load({str(path)!r})
        except jt.JupytorchError as error:
            print("REFUSED", error)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=os.environ)
    assert done.returncode == 0, done.stderr
    assert "REFUSED" in done.stdout and "torch.serialization:os.abort as a callback class" in done.stdout


def test_emptied_code_list_in_the_header_does_not_skip_the_check(tmp_path):
    learner = jt.lrn("regr.module", module_generator=Tiny, epochs=1, batch_size=32, device="cpu").train(make_regr())
    path = _craft(tmp_path / "code.jt", learner, header={"code": []})
    with pytest.raises(persistence.LoadError, match=r"test_nn_persistence:Tiny as a module_generator.*trusted=True"):
        jt.load(path)


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_disguised_as_tensor_storage_is_refused_without_torch_advice(tmp_path):
    marker = tmp_path / "pwned"
    zipped = io.BytesIO()
    torch.save({"config": _Evil(marker)}, zipped)  # a torch zip whose data.pkl calls os.system
    for name, payload in (("zip", zipped.getvalue()), ("raw", pickle.dumps(_Evil(marker)))):
        path = _craft(tmp_path / f"{name}.jt", _trained_regr(), payload=payload)
        for trusted in (False, True):
            with pytest.raises(persistence.LoadError) as info:
                jt.load(path, trusted=trusted)
            message = str(info.value)
            assert str(path) in message and "weights_only" not in message
            assert ("other than tensors and plain data" in message) or ("damaged" in message)
    assert not marker.exists()


def test_loading_builds_no_loss(tmp_path):
    learner = _trained_regr()
    loaded = jt.load(learner.save(tmp_path / "m.jt"))
    assert loaded.model.loss_fn is None  # generated again when the learner trains
    loaded.train(make_regr())
    assert loaded.model.loss_fn is not None


def test_main_module_class_explains_it_must_be_importable(tmp_path):
    path = tmp_path / "main.jt"
    script = textwrap.dedent(f"""
        import torch, jupytorch as jt
        class Net(torch.nn.Module):
            def __init__(self, task):
                super().__init__()
                self.layer = torch.nn.Linear(task.n_features, 1)
            def forward(self, x):
                return self.layer(x)
        jt.lrn("regr.module", module_generator=Net, epochs=1, device="cpu").save({str(path)!r})
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=os.environ)
    assert done.returncode == 0, done.stderr
    with pytest.raises(persistence.LoadError, match=r"__main__:Net.*importable module"):
        jt.load(path, trusted=True)
