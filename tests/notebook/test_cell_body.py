"""The %%learner cell body: building a learner from it, its scope, syntax errors and runtime errors by line number."""

import pytest

import jupytorch as jt
from jupytorch.core.exceptions import CellError, UnknownKeyError
from jupytorch.notebook.cell_body import learner_from_cell
from jupytorch.pipelines.channels import GraphError

from .conftest import PIPELINE, TORCH_CELL


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
