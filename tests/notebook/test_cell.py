"""The plain-Python twins of the magics: running a cell, the listings (options: test_cell_options.py, bodies: test_cell_body.py)."""

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import CellError, JupytorchWarning
from jupytorch.notebook.cell import LISTINGS, device_info, listing, run_learner_cell

from .conftest import PIPELINE, TORCH_CELL


# -- running a cell ----------------------------------------------------------------------------------
def test_resample_binds_the_result_its_prediction_and_scores():
    ns = {}
    result = run_learner_cell(
        'tree --task mtcars --resample "cv folds=3" --measures "regr.rmse,regr.mae" --seed 1',
        PIPELINE, ns,
    )
    assert sorted(ns) == ["tree", "tree_pred", "tree_rr", "tree_scores"]
    assert ns["tree_rr"].iters == 3 and type(ns["tree_pred"]).__name__ == "PredictionRegr"
    assert list(ns["tree_scores"]) == ["regr.rmse", "regr.mae"]
    assert ns["tree_scores"]["regr.rmse"] == pytest.approx(ns["tree_rr"].aggregate(jt.msr("regr.rmse")))
    assert ns["tree"].state is None  # resampling trains copies
    assert result.summary().startswith("Bound tree (GraphLearner), tree_rr (ResampleResult)")


def test_resample_without_measures_scores_the_default_measure():
    ns = {}
    run_learner_cell("tree --task mtcars --resample 'holdout ratio=0.7' --seed 3", 'lrn("regr.rpart")', ns)
    assert list(ns["tree_scores"]) == ["regr.mse"] and ns["tree_rr"].iters == 1


def test_train_on_a_task_variable_binds_the_trained_learner():
    task = jt.tsk("iris")
    ns = {"flowers": task}
    result = run_learner_cell("tree --task flowers --train --predict-type prob", 'lrn("classif.rpart")', ns)
    assert ns["tree"] is result.learner and ns["tree"].model is not None
    assert ns["tree"].predict(task).prob.shape == (150, 3)
    assert result.train_seconds is not None and "trained in" in result.summary()
    assert not result.stopped


def test_a_torch_pipeline_trains_with_device_validation_and_measures():
    ns = {}
    result = run_learner_cell(
        "net --task iris --train --device cpu --validate 0.3 --measures classif.acc --seed 1", TORCH_CELL, ns
    )
    learner = ns["net"]
    values = learner.param_set.values
    assert values["torch_model_classif__device"] == "cpu"
    assert [m.id for m in values["torch_model_classif__measures_valid"]] == ["classif.acc"]
    assert learner.validate == 0.3
    model = learner.model["torch_model_classif"].model
    assert model.epochs == 2 and not result.stopped


def test_options_are_checked_against_the_learner():
    with pytest.raises(CellError, match=r"--predict-type: learner 'regr.rpart' predicts response, not 'prob'"):
        run_learner_cell("t --predict-type prob", 'lrn("regr.rpart")', {})
    with pytest.raises(CellError, match=r"--predict-type: .*Did you mean 'prob'"):
        run_learner_cell("t --predict-type prb", 'lrn("classif.rpart")', {})
    with pytest.raises(CellError, match="--device: learner 'regr.rpart' has no device parameter"):
        run_learner_cell("t --device cpu", 'lrn("regr.rpart")', {})
    with pytest.raises(CellError, match="--validate: .*does not support validation"):
        run_learner_cell("t --validate 0.2", 'lrn("regr.rpart")', {})
    with pytest.raises(CellError, match=r"--measures: Unknown measure 'regr.rmsee'\. Did you mean 'regr.rmse'"):
        run_learner_cell("t --task mtcars --resample cv --measures regr.rmsee", 'lrn("regr.rpart")', {})
    with pytest.raises(CellError, match=r"--resample: Unknown resampling 'cvv'\. Did you mean 'cv'"):
        run_learner_cell("t --task mtcars --resample cvv", 'lrn("regr.rpart")', {})


def test_the_task_is_a_variable_or_a_catalogue_key_with_hints():
    ns = {"my_cars": jt.tsk("mtcars"), "number": 3}
    with pytest.raises(CellError, match=r"--task: 'my_car' is neither a Task variable \(Task variables here: my_cars\).*"
                                        r"Did you mean 'my_cars'"):
        run_learner_cell("t --task my_car --train", 'lrn("regr.rpart")', ns)
    with pytest.raises(CellError, match="--task: 'number' is a int, not a Task"):
        run_learner_cell("t --task number --train", 'lrn("regr.rpart")', ns)
    with pytest.raises(CellError, match="is for regr tasks, but task 'iris' is a classif task"):
        run_learner_cell("t --task iris --train", 'lrn("regr.rpart")', ns)
    assert "t" not in ns  # nothing is bound when the options are wrong


def test_a_stopped_resample_skips_training_and_says_so():
    from jupytorch.core import progress

    class StopAfterFirst:
        def __init__(self):
            self.iterations = 0

        def on_event(self, event):
            if event["level"] == "resample" and event["stage"] == "advance":
                self.iterations += 1

        def should_stop(self):
            return self.iterations >= 1

    ns = {}
    with progress.listen(StopAfterFirst()), pytest.warns(JupytorchWarning, match="was stopped after 1 of 3 iterations"):
        result = run_learner_cell("t --task mtcars --resample 'cv folds=3' --train", 'lrn("regr.rpart")', ns)
    assert result.stopped and ns["t_rr"].iters == 1
    assert ns["t"].state is None and result.train_seconds is None
    assert "Stopped on request" in result.summary()
    assert "Stopped on request" not in result.summary(stop_note=False)  # the widget already said so


def test_progress_of_a_trained_cell_names_the_cell_learner():
    from jupytorch.core import progress

    titles = []

    class Collect:
        def on_event(self, event):
            if event["level"] == "train" and event["stage"] == "begin":
                titles.append(event["info"]["learner_id"])

    with progress.listen(Collect()):
        run_learner_cell("my_net --task iris --train", 'po("scale") >> lrn("classif.mlp", neurons=(4,), epochs=1, batch_size=50)', {})
    assert titles == ["my_net"]


# -- listings ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("what", [w for w in LISTINGS if w != "device"])
def test_every_listing_is_a_table_of_keys(what):
    table = listing(what)
    assert isinstance(table, pd.DataFrame) and len(table) > 0 and "key" in table.columns


def test_the_device_listing_names_the_cpu_and_says_whether_a_gpu_is_there():
    import torch

    table = device_info()
    assert table.iloc[0]["device"] == "cpu" and "threads" in table.iloc[0]["name"]
    gpus = table[table["device"].str.startswith("cuda")]
    if torch.cuda.is_available():
        assert len(gpus) == torch.cuda.device_count() and gpus["memory_total_gb"].gt(0).all()
    else:
        assert gpus["available"].tolist() == [False]


def test_an_unknown_listing_suggests_the_closest():
    with pytest.raises(CellError, match="unknown listing 'leaners'. Did you mean 'learners'"):
        listing("leaners")


def test_measures_that_nothing_would_use_are_refused():
    with pytest.raises(CellError, match=r"--measures: nothing to score with them: learner 'classif.rpart' .* add --resample"):
        run_learner_cell("t --task iris --train --measures classif.acc", 'lrn("classif.rpart")', {})


def test_the_seed_reaches_every_seed_parameter_of_a_graph():
    ns = {}
    run_learner_cell("net --seed 11", TORCH_CELL, ns)
    assert ns["net"].param_set.values["torch_model_classif__seed"] == 11
