"""torch_callback(): a callback from functions, with parameters and state."""

from __future__ import annotations

import jupytorch as jt

from ..conftest import make_classif, mlp


def test_torch_callback_state_and_params():
    counter = jt.torch_callback(
        "counter", step=1, on_begin=lambda cb: setattr(cb, "n", 0),
        on_epoch_end=lambda cb: setattr(cb, "n", cb.n + cb.step), state_dict=lambda cb: cb.n)
    learner = mlp(epochs=3, callbacks=counter, cb__counter__step=10)
    learner.train(make_classif())
    assert learner.model.callbacks["counter"] == 30
    assert counter.__dict__.get("n") is None  # the template is not touched by training
