"""``classif.mlp`` / ``regr.mlp``: a multilayer perceptron on numeric features or one 2-d lazy tensor."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

import torch

from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.core.paramset import ParamDbl, ParamInt, ParamSet, ParamUty
from jupytorch.nn.encode import output_dim_for
from jupytorch.nn.ingress import ingress_ltnsr, ingress_num
from jupytorch.nn.learner_torch import LearnerTorch
from jupytorch.nn.modules import make_mlp

__all__ = ["LearnerTorchMLP", "classif_mlp", "regr_mlp"]


def _neurons_check(value: Any) -> bool | str:
    items = [value] if isinstance(value, numbers.Integral) else value
    if isinstance(items, (list, tuple)) and all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0 for n in items):
        return True
    return "a positive integer or a tuple of them (empty: no hidden layer)"


def _activation_check(value: Any) -> bool | str:
    return (isinstance(value, type) and issubclass(value, torch.nn.Module)) or "a torch.nn.Module class such as torch.nn.ReLU"


def _mapping_check(value: Any) -> bool | str:
    return isinstance(value, Mapping) or "a dict of keyword arguments"


def _shape_check(value: Any) -> bool | str:
    return (isinstance(value, (list, tuple)) and len(value) == 2) or "a 2-d shape such as (None, 784)"


class LearnerTorchMLP(LearnerTorch):
    """A multilayer perceptron (mlr3torch's ``LearnerTorchMLP``).

    Parameters
    ----------
    task_type : {"classif", "regr"}
    loss, optimizer, callbacks
        See :class:`LearnerTorch`.

    Notes
    -----
    Parameters (besides the common ones): ``neurons`` (hidden layer widths; default ``()``, no
    hidden layer), ``n_layers`` (repeat a single ``neurons`` value), ``p`` (dropout, 0.1),
    ``activation`` (a ``torch.nn`` class, ``torch.nn.ReLU``), ``activation_args`` (dict),
    ``shape`` (the input shape of a lazy-tensor feature, e.g. ``(None, 784)``).

    Examples
    --------
    >>> import jupytorch as jt
    >>> mlp = jt.lrn("classif.mlp", neurons=(32, 32), epochs=2, batch_size=16, device="cpu")
    >>> mlp.param_set.values["neurons"]
    (32, 32)
    """

    def __init__(self, task_type: str = "classif", loss: Any = None, optimizer: Any = None, callbacks: Any = ()):
        params = ParamSet({
            "neurons": ParamUty((), tags={"train"}, custom_check=_neurons_check),
            "n_layers": ParamInt(1, None, default=None, special_vals=(None,), tags={"train"}),
            "p": ParamDbl(0, 1, default=0.1, tags={"train"}),
            "activation": ParamUty(torch.nn.ReLU, tags={"train"}, custom_check=_activation_check),
            "activation_args": ParamUty({}, tags={"train"}, custom_check=_mapping_check),
            "shape": ParamUty(None, tags={"train"}, custom_check=_shape_check),
        })
        super().__init__(f"{task_type}.mlp", task_type, loss=loss, optimizer=optimizer, callbacks=callbacks,
                         param_set=params, feature_types=("numeric", "integer", "lazy_tensor"),
                         label="Multi Layer Perceptron")
        if task_type == "regr":
            self.param_set.set_values(scale_target=True)

    def _ingress_tokens(self, task: Any, param_vals: dict[str, Any]) -> dict[str, Any]:
        lazy = task.feature_names_of("lazy_tensor")
        if lazy:
            if len(lazy) != 1 or task.n_features != 1:
                raise TaskError(
                    f"Learner {self.id!r} takes numeric features or exactly one lazy-tensor feature; task {task.id!r} "
                    f"has {task.n_features} features of types {sorted(set(task.feature_types))}."
                )
            token = ingress_ltnsr(lazy[0], shape=param_vals["shape"]).bind(task)
            if token.shape is None or len(token.shape) != 2:
                raise TaskError(
                    f"Learner {self.id!r}: lazy tensor {lazy[0]!r} of task {task.id!r} has shape {token.shape}; the MLP "
                    "needs (None, n_features). Flatten it first (po('trafo_reshape', shape=(-1, n))) or set shape."
                )
            return {"x": token}
        return {"x": ingress_num().bind(task)}

    def _network(self, task: Any, param_vals: dict[str, Any]) -> torch.nn.Module:
        d_in = self._ingress_tokens(task, param_vals)["x"].shape[1]
        neurons = param_vals["neurons"]
        n_layers = param_vals["n_layers"]
        if isinstance(neurons, numbers.Integral):
            neurons = (int(neurons),) * (n_layers or 1)
        elif n_layers is not None:
            if len(neurons) != 1:
                raise InvalidParameterError(
                    f"Learner {self.id!r}: n_layers={n_layers} repeats a single width, but neurons={neurons!r}; give "
                    "neurons one value (neurons=64, n_layers=3) or leave n_layers unset."
                )
            neurons = tuple(neurons) * n_layers
        return make_mlp(
            d_in, output_dim_for(task), tuple(neurons), p=param_vals["p"],
            activation=param_vals["activation"], activation_args=param_vals["activation_args"],
        )


def classif_mlp(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchMLP:
    """``lrn("classif.mlp")``."""
    return LearnerTorchMLP("classif", loss=loss, optimizer=optimizer, callbacks=callbacks)


def regr_mlp(loss: Any = None, optimizer: Any = None, callbacks: Any = ()) -> LearnerTorchMLP:
    """``lrn("regr.mlp")``."""
    return LearnerTorchMLP("regr", loss=loss, optimizer=optimizer, callbacks=callbacks)
