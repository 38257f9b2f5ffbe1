"""Derived parameter sets: a signature and a mapping of values give the same ParamSet."""

from __future__ import annotations

from jupytorch.core.param import NO_DEFAULT
from jupytorch.core.paramset import ParamSet
from jupytorch.core.signature import accepts, params_from_signature, params_from_values, signature_names


def _shape(ps: ParamSet) -> dict[str, tuple]:
    return {
        pid: (type(p).__name__, None if p.default is NO_DEFAULT else p.default, tuple(sorted(p.tags)), tuple(p.special_vals))
        for pid, p in ps.params.items()
    }


def test_a_signature_and_its_values_give_the_same_param_set():
    def make(lr=0.1, momentum: float = 0.0, nesterov=False, steps: int = 3, clip=None, name="sgd"):
        return None

    from_signature = params_from_signature(make)
    from_values = params_from_values({"lr": 0.1, "momentum": 0.0, "nesterov": False, "steps": 3, "clip": None, "name": "sgd"})
    # annotations can only sharpen a type; with plain defaults both read the same
    assert _shape(from_signature)["lr"] == _shape(from_values)["lr"]
    assert _shape(from_signature)["nesterov"] == _shape(from_values)["nesterov"]
    assert _shape(from_signature)["clip"] == _shape(from_values)["clip"]
    assert _shape(from_signature)["name"] == _shape(from_values)["name"]
    assert [type(from_signature[k]).__name__ for k in ("momentum", "steps")] == ["ParamDbl", "ParamInt"]


def test_untyped_values_keep_their_value_as_default():
    ps = params_from_values({"alpha": [1.0, 2.0], "fit_intercept": True}, typed=False, exclude=("fit_intercept",))
    assert ps.ids() == ["alpha"] and type(ps["alpha"]).__name__ == "ParamUty" and ps["alpha"].default == [1.0, 2.0]
    ps.set_values(alpha="anything")  # the owner (scikit-learn) checks the value when it fits


def test_required_parameters_are_tagged():
    def make(size, p=0.5):
        return None

    ps = params_from_signature(make)
    assert "required" in ps["size"].tags and "required" not in ps["p"].tags


def test_a_callback_declares_its_parameters_through_its_signature():
    from jupytorch.nn.callbacks.base import Callback

    class CallbackClip(Callback):
        def __init__(self, max_norm: float = 1.0, every: int = 1, verbose=False):
            self.max_norm, self.every, self.verbose = max_norm, every, verbose

    assert _shape(CallbackClip().param_set) == _shape(params_from_signature(CallbackClip))


def test_a_scikit_learn_learner_and_pipeop_share_one_param_set():
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeRegressor

    from jupytorch import as_learner_sklearn, po

    tree = DecisionTreeRegressor(max_depth=3)
    learner = as_learner_sklearn(tree)
    assert _shape(learner.param_set) == _shape(params_from_values(tree.get_params(deep=False), typed=False))
    assert learner.param_set["max_depth"].default == 3
    scaler = StandardScaler(with_mean=False)
    op = po("sklearn", transformer=scaler)
    expected = _shape(params_from_values(scaler.get_params(deep=False), typed=False))
    assert {k: v for k, v in _shape(op.param_set).items() if k != "affect_columns"} == expected


def test_signature_names_and_accepts():
    def f(x, device="cpu", *args):
        return None

    def g(x, **kwargs):
        return None

    assert signature_names(f) == {"x", "device"} and signature_names(g) is None
    assert accepts(f, "device") and not accepts(g, "device")
