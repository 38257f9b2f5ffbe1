"""Learning-rate schedulers as callbacks: step, one-cycle, reduce on plateau."""

from __future__ import annotations

import pytest

import jupytorch as jt
from jupytorch.core.exceptions import InvalidParameterError

from ..conftest import make_regr, mlp


def test_lr_step_and_one_cycle():
    task = make_regr()
    stepped = mlp("regr", epochs=3, optimizer=jt.t_opt("sgd", lr=0.1),
                  callbacks=jt.t_clbk("lr_step", step_size=1, gamma=0.5)).train(task)
    assert stepped.model.optimizer["param_groups"][0]["lr"] == pytest.approx(0.0125)
    assert stepped.model.callbacks["lr_step"]["last_epoch"] == 3
    lrs = []
    spy = jt.torch_callback("spy", on_batch_begin=lambda cb: lrs.append(cb.ctx.optimizer.param_groups[0]["lr"]))
    cycled = mlp("regr", epochs=3, callbacks=[jt.t_clbk("lr_one_cycle", max_lr=0.05), spy]).train(task)
    assert cycled.model.callbacks["lr_one_cycle"]["total_steps"] == 12  # 3 epochs x 4 batches, inferred
    assert len(lrs) == 12 and 0.045 < max(lrs) <= 0.05 and lrs[-1] < 1e-4 and lrs[0] < 0.01


def test_lr_reduce_on_plateau_needs_a_validation_measure():
    with pytest.raises(InvalidParameterError, match="no measures_valid"):
        mlp("regr", callbacks=jt.t_clbk("lr_reduce_on_plateau")).train(make_regr())
    learner = mlp("regr", epochs=3, callbacks=jt.t_clbk("lr_reduce_on_plateau", patience=0, factor=0.5),
                  measures_valid=jt.msr("regr.mse")).configure(validate=0.3)
    learner.train(make_regr())
    assert learner.model.callbacks["lr_reduce_on_plateau"]["mode"] == "min"
