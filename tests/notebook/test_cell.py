"""The plain-Python twins of the magics: building learners from cells, the options, running a cell."""

import pandas as pd
import pytest

import jupytorch as jt
from jupytorch.core.exceptions import JupytorchWarning, UnknownKeyError
from jupytorch.notebook.cell import (
    LISTINGS,
    CellError,
    device_info,
    learner_from_cell,
    listing,
    parse_learner_options,
    run_learner_cell,
)
from jupytorch.pipelines.channels import GraphError

PIPELINE = '''
po("scale")   # a comment
>> po("pca", rank=2)

>> lrn("regr.rpart", maxdepth=3)
'''

TORCH_CELL = '''po("torch_ingress_num")
>> nn("linear", out_features=8) >> nn("relu")
>> nn("head")
>> po("torch_loss", t_loss("cross_entropy"))
>> po("torch_optimizer", t_opt("adam", lr=0.05))
>> po("torch_model_classif", epochs=2, batch_size=32)'''


# -- learner_from_cell --------------------------------------------------------------------------------
def test_a_pipeline_becomes_a_graph_learner():
    learner = learner_from_cell(PIPELINE)
    assert isinstance(learner, jt.GraphLearner)
    assert learner.graph.ids() == ["scale", "pca", "regr_rpart"]
    assert learner.param_set.values["pca__rank"] == 2


def test_a_learner_is_kept_and_a_pipeop_becomes_a_graph_learner():
    learner = learner_from_cell('lrn("classif.rpart", maxdepth=2)')
    assert not isinstance(learner, jt.GraphLearner) and learner.param_set.values == {"maxdepth": 2}
    op = learner_from_cell('po("learner", lrn("classif.rpart"))')
    assert isinstance(op, jt.GraphLearner) and op.graph.ids() == ["classif_rpart"]


def test_the_users_variables_are_visible_and_jupytorch_sugar_wins():
    import torch

    namespace = {"depth": 2, "nn": torch.nn, "prep": jt.po("scale")}
    learner = learner_from_cell('prep\n>> lrn("classif.rpart", maxdepth=depth)', namespace)
    assert learner.param_set.values["classif_rpart__maxdepth"] == 2
    graph_learner = learner_from_cell(TORCH_CELL, namespace)  # nn("linear") is jupytorch's nn, not torch.nn
    assert "linear" in graph_learner.graph.ids()
    assert namespace["nn"] is torch.nn  # the user's namespace is not changed


def test_torch_is_in_scope_without_an_import():
    learner = learner_from_cell('lrn("classif.mlp", activation=torch.nn.Tanh, epochs=1, batch_size=8)', {})
    assert learner.param_set.values["activation"].__name__ == "Tanh"


def test_a_stage_without_the_continuation_marker_names_the_line():
    with pytest.raises(CellError, match=r"line 3: lrn\(\"regr.rpart\"\)[\s\S]*write it as `>> lrn") as info:
        learner_from_cell('po("scale")\nlrn("regr.rpart")', first_line=2)
    assert info.value.line == 3


def test_a_syntax_error_shows_the_line_and_where_in_it():
    body = 'po("scale")\n>> lrn("regr.rpart", maxdepth=)'
    with pytest.raises(CellError) as info:
        learner_from_cell(body, first_line=2)
    message = str(info.value)
    assert info.value.line == 3
    lines = message.splitlines()
    assert lines[0] == "%%learner cell, line 3:"
    assert lines[1] == '    >> lrn("regr.rpart", maxdepth=)'
    assert lines[2].index("^") == lines[1].index(")", lines[1].index("maxdepth"))
    assert "Syntax error" in message


def test_an_unclosed_bracket_points_at_the_line_that_opened_it():
    with pytest.raises(CellError, match="line 1:") as info:
        learner_from_cell('po("scale"\n>> lrn("regr.rpart")')
    assert "never closed" in str(info.value)


def test_errors_while_the_cell_runs_keep_their_type_and_name_the_line():
    with pytest.raises(UnknownKeyError, match="Did you mean 'scale'") as info:
        learner_from_cell('lrn("regr.rpart")\n>> po("scael")', first_line=2)
    assert any('line 3: >> po("scael")' in note for note in info.value.__notes__)


LONG_CELL = """po("scale")
>> po("torch_ingress_num")
>> nn("linear", out_features=8) >> nn("relu")
# a second linear layer with the same id
>> nn("linear", out_features=8)
>> nn("head")"""


def test_an_error_in_a_later_stage_names_that_stage_not_the_first_line():
    # `a >> b >> c` spans every line from `a` down; the error belongs to the stage being joined
    with pytest.raises(GraphError) as info:
        learner_from_cell(LONG_CELL, first_line=2)
    assert info.value.__notes__ == ['This happened in the %%learner cell, line 6: >> nn("linear", out_features=8)']
    with pytest.raises(UnknownKeyError) as info:
        learner_from_cell('po("scale")\n>> po("pca",\n      rnak=3)\n>> lrn("classif.rpart")', first_line=2)
    assert "line 3: >> po(\"pca\"," in info.value.__notes__[0]  # a call spanning lines: its first line


def test_short_errors_name_the_line_and_keep_the_error_as_the_cause():
    with pytest.raises(CellError) as info:
        learner_from_cell(LONG_CELL, first_line=2, short_errors=True)
    message = str(info.value)
    assert message.startswith('%%learner cell, line 6: >> nn("linear", out_features=8)\nGraphError: PipeOp id(s)')
    assert "nn('linear_2', ...)" in message and info.value.line == 6
    assert isinstance(info.value.__cause__, GraphError)


def test_a_cell_that_gives_no_learner_is_refused():
    with pytest.raises(CellError, match=r"must give a Learner, a Graph or a PipeOp, but it gave 42 \(type int\)"):
        learner_from_cell("6 * 7")
    with pytest.raises(CellError, match="empty"):
        learner_from_cell("  \n# nothing\n")


# -- options -----------------------------------------------------------------------------------------
def test_every_option_is_read():
    opts = parse_learner_options(
        'mlp --task iris --train --resample "cv folds=3" --measures "classif.acc, classif.ce" '
        "--device cpu --validate 0.3 --predict-type prob --seed 7 --quiet"
    )
    assert (opts.name, opts.task, opts.train, opts.resample) == ("mlp", "iris", True, "cv folds=3")
    assert opts.measures == ["classif.acc", "classif.ce"]
    assert (opts.device, opts.validate, opts.predict_type, opts.seed, opts.quiet) == ("cpu", 0.3, "prob", 7, True)


def test_options_take_the_equals_form_and_validate_words():
    opts = parse_learner_options("net --task=iris --validate=test")
    assert (opts.task, opts.validate, opts.train) == ("iris", "test", False)
    assert parse_learner_options("net --validate predefined").validate == "predefined"


@pytest.mark.parametrize(
    ("line", "pattern", "option"),
    [
        ("mlp --tran", r"unknown option --tran\. Did you mean '--train'", "--tran"),
        ("mlp --task", r"option --task: needs a value: --task TASK", "--task"),
        ("mlp --task iris --task mtcars", r"--task: given twice", "--task"),
        ("mlp --train=yes --task iris", r"--train: is a switch and takes no value", "--train"),
        ("mlp --validate 1.5", r"--validate: the ratio must be between 0 and 1", "--validate"),
        ("mlp --validate tset", r"--validate: 'tset' is not valid.*Did you mean 'test'", "--validate"),
        ("mlp --seed x", r"--seed: must be an integer", "--seed"),
        ("mlp --train", r"--train: needs a task to work on: add --task", "--train"),
        ("mlp --resample cv", r"--resample: needs a task", "--resample"),
        ("mlp iris", r"unexpected 'iris' after the name", "iris"),
    ],
)
def test_bad_options_name_the_option_and_what_is_valid(line, pattern, option):
    with pytest.raises(CellError, match=pattern) as info:
        parse_learner_options(line)
    assert info.value.option == option


@pytest.mark.parametrize("line", ["", "--task iris", "1mlp", "class --train", "mlp 'unclosed"])
def test_a_bad_name_or_line_says_how_to_write_it(line):
    with pytest.raises(CellError, match="name|Usage|quotes"):
        parse_learner_options(line)


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
