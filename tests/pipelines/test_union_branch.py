"""po("nop"), po("featureunion"), po("branch"), po("unbranch") and ppl("branch")."""

from __future__ import annotations

import pytest

import jupytorch as jt
from jupytorch import gunion, po, ppl, selector_name, selector_type
from jupytorch.core.exceptions import InvalidParameterError, TaskError
from jupytorch.pipelines.channels import NO_OP, ChannelTypeError, GraphError

from ._ops import Add


def test_nop_passes_through(regr_task):
    assert po("nop").train([regr_task])[0] is regr_task


def test_featureunion_merges_two_paths(regr_task):
    graph = [po("select_1", selector=selector_type("factor")), po("pca", rank=2)] >> po("featureunion")
    assert graph.ids() == ["select_1", "pca", "featureunion"]
    out = graph.train(regr_task)[0]
    assert out.feature_names == ["f", "PC1", "PC2"] and out.target_names == ["y"]
    predicted = graph.predict(regr_task.clone().filter([1, 2]))[0]
    assert predicted.feature_names == ["f", "PC1", "PC2"] and list(predicted.row_ids) == [1, 2]


def test_featureunion_same_columns_kept_once_clash_is_error(regr_task):
    same = [po("nop_1") if False else po("nop"), po("select", selector=selector_name(["x1"]))] >> po("featureunion")
    assert same.train(regr_task)[0].feature_names == ["x1", "x2", "n", "f"]
    clash = [po("nop"), po("scale")] >> po("featureunion")
    with pytest.raises(TaskError, match="feature 'x1' comes from inputs 1 and 2 with different values") as info:
        clash.train(regr_task)
    assert "This happened in PipeOp 'featureunion' during train()." in info.value.__notes__


def test_featureunion_named_inputs_prefix(regr_task):
    graph = gunion([po("nop"), po("scale")]) >> po("featureunion", innum=["raw", "scaled"])
    out = graph.train(regr_task)[0]
    assert out.feature_names[:2] == ["raw.x1", "raw.x2"] and "scaled.x1" in out.feature_names
    assert [c.name for c in graph.pipeops["featureunion"].input_channels] == ["raw", "scaled"]


def test_featureunion_needs_same_rows(regr_task):
    op = po("featureunion", innum=2)
    with pytest.raises(TaskError, match="other rows"):
        op.train([regr_task, regr_task.clone().filter([0, 1])])


def test_branch_routes_and_unbranch_joins():
    branch = po("branch", options=["a", "b"])
    assert [c.name for c in branch.output_channels] == ["a", "b"]
    assert branch.param_set.values == {"selection": "a"}
    assert branch.train([5]) == [5, NO_OP]
    numbered = po("branch", options=3, selection=2)
    assert numbered.train([5]) == [NO_OP, 5, NO_OP]
    with pytest.raises(InvalidParameterError, match="one of 'a', 'b'"):
        branch.param_set.set_values(selection="c")
    unbranch = po("unbranch")
    assert unbranch.train([NO_OP, 4, NO_OP]) == [4]
    with pytest.raises(ChannelTypeError, match="got 2 inputs that are not NO_OP"):
        unbranch.train([1, 2])


def test_ppl_branch_selection_changes_the_path():
    graph = ppl("branch", {"plus1": Add("plus1"), "plus10": Add("plus10", param_vals={"by": 10.0})})
    assert graph.ids() == ["branch", "plus1", "plus10", "unbranch"]
    assert graph.param_set.params["branch__selection"].levels == ["plus1", "plus10"]
    assert graph.train(0) == [1.0]
    assert graph.pipeops["plus10"].state is NO_OP and graph.pipeops["plus1"].state == {"by": 1.0}
    graph.param_set.set_values(branch__selection="plus10")
    assert graph.train(0) == [10.0] and graph.predict(1) == [11.0]
    assert graph.pipeops["plus1"].state is NO_OP


def test_ppl_branch_with_tasks_and_tuning_token(regr_task):
    graph = ppl("branch", {"pca": po("pca"), "nop": po("nop")}) >> jt.lrn("regr.rpart")
    learner = jt.as_learner(graph)
    learner.param_set.set_values(branch__selection=jt.to_tune(["pca", "nop"]))
    with pytest.raises(InvalidParameterError, match="to_tune"):
        learner.train(regr_task)
    learner.param_set.set_values(branch__selection="pca")
    learner.train(regr_task)
    assert learner.model["regr_rpart"].state["feature_names"] == ["f", "PC1", "PC2", "PC3"]
    learner.param_set.set_values(branch__selection="nop")
    learner.train(regr_task)
    assert learner.model["regr_rpart"].state["feature_names"] == ["x1", "x2", "n", "f"]


def test_ppl_branch_list_prefixes_and_checks():
    graph = ppl("branch", [Add("a"), Add("b")], prefix_branchops="act_", prefix_paths=True)
    assert graph.ids() == ["act_branch", "1_a", "2_b", "act_unbranch"]
    assert graph.param_set.params["act_branch__selection"].upper == 2
    graph.param_set.set_values(act_branch__selection=2)
    assert graph.train(1) == [2.0]
    with pytest.raises(GraphError, match="path 'two' has 2 free inputs"):
        ppl("branch", {"one": Add("a"), "two": gunion([Add("b"), Add("c")])})


def test_selection_change_after_training_needs_retraining():
    graph = ppl("branch", {"x": Add("x"), "y": Add("y")})
    graph.train(0)
    graph.param_set.set_values(branch__selection="y")
    with pytest.raises(jt.JupytorchError, match="skipped during train"):
        graph.predict(0)


def test_featureunion_merges_validation_tasks(regr_task):
    task = regr_task.clone()
    task.internal_valid_task = [6, 7]
    graph = [po("select", selector=selector_type("factor")), po("scale", affect_columns=selector_type("numeric"))] >> po("featureunion")
    out = graph.train(task)[0]
    valid = out.internal_valid_task
    assert valid.feature_names == out.feature_names and list(valid.row_ids) == [6, 7]
    center = graph.pipeops["scale"].state["center"]["x1"]
    assert center == 3.5 and valid.data()["x1"].iloc[0] > 0  # scaled with the training statistics


def test_graph_learner_predicts_new_data(regr_task):
    learner = jt.as_learner(po("encode") >> jt.lrn("regr.rpart")).train(regr_task)
    frame = regr_task.data(cols=["x1", "x2", "n", "f"]).head(3)
    prediction = learner.predict_newdata(frame)
    assert len(prediction) == 3 and prediction.response.notna().all()
