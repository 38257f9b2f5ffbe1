"""The %%learner option line: every option read, its forms, and errors naming the option."""

import pytest

from jupytorch.core.exceptions import CellError
from jupytorch.notebook.cell_options import parse_learner_options


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
