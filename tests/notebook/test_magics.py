"""The magics in an in-process IPython shell (no kernel, no browser)."""

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

import jupytorch as jt
from jupytorch.core import progress


@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "jupytorch")
    yield ip
    ip.reset(new_session=False)
    InteractiveShell.clear_instance()


def test_load_ext_registers_both_magics(shell):
    assert "learner" in shell.magics_manager.magics["cell"]
    assert "jupytorch" in shell.magics_manager.magics["line"]


def test_learner_cell_binds_the_name_and_shows_the_learner(shell, capsys):
    shell.user_ns["cars"] = jt.tsk("mtcars")
    result = shell.run_cell('%%learner tree --task cars --train\npo("scale")\n>> lrn("regr.rpart", maxdepth=2)')
    assert result.success, result.error_in_exec
    tree = shell.user_ns["tree"]
    assert isinstance(tree, jt.GraphLearner) and tree.state is not None
    assert result.result is tree  # the cell's value: a notebook shows it as the graph inspector
    assert "Bound tree (GraphLearner, trained in" in capsys.readouterr().out


def test_learner_cell_resamples_and_prints_the_scores(shell, capsys):
    result = shell.run_cell('%%learner tree --task mtcars --resample "cv folds=3" --measures regr.rmse --seed 1 --quiet\n'
                            'lrn("regr.rpart")')
    assert result.success and result.result is None  # --quiet: nothing shown
    out = capsys.readouterr().out
    assert "tree_rr (ResampleResult)" in out and "Scores: regr.rmse = " in out
    assert shell.user_ns["tree_scores"]["regr.rmse"] > 0


def test_mistakes_are_usage_errors_naming_the_line_or_option(shell):
    result = shell.run_cell('%%learner tree --task mtcars --trian\nlrn("regr.rpart")')
    assert isinstance(result.error_in_exec, UsageError)
    assert "unknown option --trian. Did you mean '--train'" in str(result.error_in_exec)
    result = shell.run_cell('%%learner tree\npo("scale")\nlrn("regr.rpart")')
    assert isinstance(result.error_in_exec, UsageError)
    assert "line 3: lrn(\"regr.rpart\")" in str(result.error_in_exec)  # the %%learner line is line 1
    assert "tree" not in shell.user_ns


def test_an_error_in_the_cell_is_a_short_message_naming_its_line(shell, capsys):
    cell = '%%learner net\npo("scale")\n>> po("torch_ingress_num")\n>> nn("linear", out_features=4)\n' \
           '>> nn("linear", out_features=2)\n>> nn("head")'
    result = shell.run_cell(cell)
    error = result.error_in_exec
    assert isinstance(error, UsageError)  # IPython shows the message alone, not a traceback
    assert str(error).startswith('%%learner cell, line 5: >> nn("linear", out_features=2)\nGraphError: ')
    assert "nn('linear_2', ...)" in str(error) and "net" not in shell.user_ns
    shell.showtraceback()  # what the notebook prints for it
    shown = capsys.readouterr()
    assert "line 5" in shown.out + shown.err and "Traceback" not in shown.out + shown.err
    result = shell.run_cell('%%learner tree\nlrn("regr.rpartt")')
    assert isinstance(result.error_in_exec, UsageError)
    assert "line 2: lrn(\"regr.rpartt\")\nUnknownKeyError: " in str(result.error_in_exec)


def test_errors_from_the_work_itself_are_raised_as_they_are(shell):
    def boom(column):
        raise ZeroDivisionError("in the user's function")

    shell.user_ns["boom"] = boom
    result = shell.run_cell('%%learner tree --task mtcars --train\npo("colapply", applicator=boom) >> lrn("regr.rpart")')
    assert isinstance(result.error_in_exec, ZeroDivisionError)


def test_the_line_magic_lists_registries_and_devices(shell):
    tasks = shell.run_line_magic("jupytorch", "tasks")
    assert isinstance(tasks, pd.DataFrame) and "mtcars" in set(tasks["key"])
    assert "cross_entropy" in set(shell.run_line_magic("jupytorch", "losses")["key"])
    assert shell.run_line_magic("jupytorch", "device").iloc[0]["device"] == "cpu"
    with pytest.raises(UsageError, match="unknown listing 'optimisers'. Did you mean 'optimizers'"):
        shell.run_line_magic("jupytorch", "optimisers")
    with pytest.raises(UsageError, match="takes no more arguments"):
        shell.run_line_magic("jupytorch", "tasks iris")


def test_the_line_magic_prints_help_and_switches_the_progress_view(shell, capsys):
    assert shell.run_line_magic("jupytorch", "") is None
    assert "%jupytorch WHAT" in capsys.readouterr().out
    previous = progress.set_progress_view(None)
    try:
        shell.run_line_magic("jupytorch", "progress none")
        assert progress.progress_view_kind() == "none"
        assert "Automatic progress view: none" in capsys.readouterr().out
        with pytest.raises(UsageError, match="Did you mean 'text'"):
            shell.run_line_magic("jupytorch", "progress txt")
    finally:
        progress.set_progress_view(previous)


def test_outside_a_kernel_learners_and_graphs_display_as_html_and_text(shell):
    graph = jt.po("scale") >> jt.lrn("regr.rpart")
    data, _ = shell.display_formatter.format(graph)
    assert set(data) == {"text/plain", "text/html"}  # no widget without a kernel; nothing raised
    assert "<svg" in data["text/html"]
    data, _ = shell.display_formatter.format(jt.lrn("classif.rpart"))
    assert "text/html" in data and "application/vnd.jupyter.widget-view+json" not in data
