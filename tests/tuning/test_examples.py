"""The seed paper's California example, as written in the API (small budgets)."""

from __future__ import annotations

import jupytorch as jt
from jupytorch import msr, nn, po, ppl, rsmp, t_loss, t_opt, tnr, to_tune, tsk


def test_paper_california_example_tunes_epochs_internally():
    task = tsk("california_housing")
    task.filter(range(300))
    block = nn("linear", out_features=32) >> ppl("branch", {"relu": nn("relu"), "sigmoid": nn("sigmoid")}) >> nn("dropout")
    pipeline = (po("encode", method="one-hot") >> po("imputehist") >> po("torch_ingress_num")
                >> nn("block", block) >> nn("head")
                >> po("torch_loss", loss=t_loss("mse")) >> po("torch_optimizer", optimizer=t_opt("adamw"))
                >> po("torch_model_regr", batch_size=512))
    learner = jt.as_learner(pipeline)
    learner.param_set.set_values(
        block__linear__out_features=to_tune(20, 500),
        block__n_blocks=to_tune(1, 5),
        block__branch__selection=to_tune(["relu", "sigmoid"]),
        block__dropout__p=to_tune(0.1, 0.9),
        torch_optimizer__lr=to_tune(1e-4, 1e-1, logscale=True),
        torch_model_regr__epochs=to_tune(upper=4, internal=True),
        torch_model_regr__patience=1,
        torch_model_regr__measures_valid=msr("regr.mse"))
    jt.set_validate(learner, "test")
    ti = jt.tune(tuner=tnr("mbo"), task=task, learner=learner, resampling=rsmp("holdout"),
                 measure=msr("internal_valid_score", minimize=True), term_evals=2, seed=1)
    values = ti.result_learner_param_vals
    assert 1 <= values["torch_model_regr__epochs"] <= 4
    assert values["block__branch__selection"] in ("relu", "sigmoid")
    assert (ti.archive["state"] == "COMPLETE").all()
    assert ti.archive["internal_valid_score"].notna().all()
    # the tuned learner trains on all the data with the found epochs
    tuned = ti.tuned_learner().train(task)
    assert tuned.is_trained
