"""Bad input across the public surface: each case must fail with a clear error.

Every case names the error type and the words its message must carry: the object (task id,
learner id, PipeOp id, parameter id), the bad value where there is one, and what would be valid
or what to do. ``docs/errors.md`` lists the same cases with the message a user sees; a test
keeps the two in step (regenerate the page with ``python tests/test_bad_inputs.py``).
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jupytorch as jt
from jupytorch import lrn, msr, nn, po, rsmp, t_clbk, t_loss, t_opt, tsk
from jupytorch.core.exceptions import JupytorchError

ERRORS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


class Case(NamedTuple):
    id: str
    call: Callable[[], Any]
    error: type[BaseException] | tuple[type[BaseException], ...]
    words: tuple[str, ...]  # regular expressions that must all occur in the message


def _frame(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame(columns)


def _regr(frame: pd.DataFrame, id: str = "bad") -> Any:
    return jt.as_task_regr(frame, target="y", id=id)


def _classif(frame: pd.DataFrame, id: str = "bad") -> Any:
    return jt.as_task_classif(frame, target="y", id=id)


def _net(*layers: Any, model: str = "torch_model_regr") -> Any:
    graph = po("torch_ingress_num")
    for layer in layers:
        graph = graph >> layer
    return jt.as_learner(graph >> po(model, epochs=1, batch_size=4))


def _images(n: int = 8) -> Any:
    x = np.random.default_rng(0).random((n, 1, 6, 6), dtype=np.float32)
    return _classif(pd.DataFrame({"x": jt.as_lazy_tensor(x), "y": pd.Categorical(["a", "b"] * (n // 2))}), id="imgs")


class _ImageRows:
    """A torch-style dataset whose rows are ``{"image": ..., "label": ...}``."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, i: int) -> dict[str, Any]:
        import torch

        return {"image": torch.zeros(1, 6, 6), "label": torch.tensor(i % 2)}


CASES = [
    # registries: the unknown key and the nearest valid ones
    Case("tsk_unknown", lambda: tsk("mtcrs"), KeyError, ("'mtcrs'", "Did you mean 'mtcars'")),
    Case("lrn_unknown", lambda: lrn("classif.rpat"), KeyError, ("'classif.rpat'", "classif.rpart")),
    Case("po_unknown", lambda: po("scael"), KeyError, ("'scael'", "Did you mean 'scale'")),
    Case("nn_unknown", lambda: nn("lineer"), KeyError, ("'lineer'", "Did you mean 'linear'")),
    Case("msr_unknown", lambda: msr("classif.acuracy"), KeyError, ("'classif.acuracy'", "classif.acc")),
    Case("rsmp_unknown", lambda: rsmp("cvv"), KeyError, ("'cvv'", "Did you mean 'cv'")),
    Case("t_loss_unknown", lambda: t_loss("crossentropy"), KeyError, ("'crossentropy'", "cross_entropy")),
    Case("t_opt_unknown", lambda: t_opt("adamm"), KeyError, ("'adamm'", "'adam'")),
    Case("t_clbk_unknown", lambda: t_clbk("histroy"), KeyError, ("'histroy'", "history")),
    Case("jt_attribute_unknown", lambda: jt.resampel, AttributeError, ("'resampel'", "Did you mean 'resample'")),
    # parameters: owner, parameter id, bad value, valid range
    Case("param_unknown", lambda: lrn("regr.rpart", maxdeph=3), KeyError, ("'regr.rpart'", "'maxdeph'", "maxdepth")),
    Case("param_wrong_type", lambda: lrn("regr.rpart", maxdepth="deep"), ValueError,
         ("'regr.rpart'", "'maxdepth'", r"integer in \[1, 30\]", "'deep'")),
    Case("param_out_of_range", lambda: lrn("regr.rpart", maxdepth=-1), ValueError, ("'maxdepth'", r"\[1, 30\]", "-1")),
    Case("param_level_near_miss", lambda: po("encode", method="onehot"), ValueError,
         ("'encode'", "'method'", "did you mean 'one-hot'", "'onehot'")),
    Case("param_nested_optimizer", lambda: lrn("classif.mlp", opt__lr=-1.0), ValueError, ("'opt__lr'", r"\[0, inf\]", "-1.0")),
    Case("param_epochs_negative", lambda: lrn("classif.mlp", epochs=-1), ValueError, ("'classif.mlp'", "'epochs'", "-1")),
    Case("param_neurons_not_ints", lambda: lrn("classif.mlp", neurons="big"), ValueError, ("'neurons'", "positive integer", "'big'")),
    Case("param_batch_size_zero", lambda: lrn("regr.mlp", batch_size=0), ValueError, ("'batch_size'", r"\[1, inf\]", "0")),
    Case("param_device_unknown", lambda: lrn("regr.mlp", device="tpu"), ValueError, ("'device'", "'cuda'", "'tpu'")),
    Case("predict_type_unsupported", lambda: lrn("regr.rpart", predict_type="prob"), ValueError,
         ("'regr.rpart'", "'prob'", r"\['response'\]")),
    Case("to_tune_bound_outside_range", lambda: lrn("regr.rpart", maxdepth=jt.to_tune(1.5, 5)), ValueError,
         ("'maxdepth'", "to_tune", "1.5")),
    Case("set_validate_ratio", lambda: jt.set_validate(lrn("regr.mlp"), 1.5), ValueError, ("'regr.mlp'", "validate", "1.5", "'test'")),
    # resampling settings
    Case("cv_one_fold", lambda: rsmp("cv", folds=1), ValueError, ("'cv'", "'folds'", r"\[2, inf\]", "1")),
    Case("holdout_ratio_above_one", lambda: rsmp("holdout", ratio=1.5), ValueError, ("'holdout'", "'ratio'", "1.5")),
    Case("repeated_cv_zero_repeats", lambda: rsmp("repeated_cv", repeats=0), ValueError, ("'repeated_cv'", "'repeats'", "0")),
    Case("bootstrap_zero_ratio", lambda: rsmp("bootstrap", ratio=0), ValueError, ("'bootstrap'", "'ratio'", r"\(0, 1\]")),
    Case("partition_ratio_two", lambda: jt.partition(tsk("mtcars"), ratio=2), ValueError, ("'ratio'", "2")),
    Case("resampling_not_instantiated_sets", lambda: rsmp("cv").train_set(0), Exception, ("'cv'", "not instantiated", "instantiate")),
    Case("resampling_other_task", lambda: jt.resample(tsk("mtcars"), lrn("regr.rpart"), rsmp("holdout").instantiate(tsk("diabetes"))),
         ValueError, ("'holdout'", "'diabetes'", "'mtcars'", "uninstantiated")),
    # tasks
    Case("task_target_not_a_column", lambda: _regr(_frame(x=[1.0, 2.0])), ValueError, ("'bad'", "'y'", r"\['x'\]")),
    Case("task_target_missing_values", lambda: _regr(_frame(x=[1.0, 2.0], y=[1.0, None])), ValueError, ("'bad'", "'y'", "missing", "dropna")),
    Case("task_target_infinite", lambda: _regr(_frame(x=[1.0, 2.0], y=[1.0, np.inf])), ValueError, ("'bad'", "'y'", "infinite")),
    Case("task_classif_float_target", lambda: _classif(_frame(x=[1.0, 2, 3], y=[0.5, 1.5, 2.5])), ValueError,
         ("'bad'", "'y'", "floats", "as_task_regr")),
    Case("task_positive_not_binary", lambda: jt.as_task_classif(tsk("iris").data(), target="Species", positive="rose"), ValueError,
         ("positive", "3")),
    Case("task_duplicated_columns", lambda: _regr(pd.DataFrame([[1, 2, 3.0]], columns=["a", "a", "y"])), ValueError, ("'bad'", "duplicated", "'a'")),
    Case("task_select_unknown", lambda: tsk("mtcars").select(["cyll"]), KeyError, ("'mtcars'", "'cyll'", "Did you mean 'cyl'")),
    Case("task_filter_unknown_rows", lambda: tsk("mtcars").filter([1000]), ValueError, ("'mtcars'", "1000", "0 to 31")),
    # learners and tasks that do not fit
    Case("train_wrong_task_type", lambda: lrn("regr.rpart").train(tsk("iris")), ValueError, ("'regr.rpart'", "'iris'", "'classif'")),
    Case("train_not_a_task", lambda: lrn("regr.rpart").train(pd.DataFrame({"a": [1]})), ValueError, ("'regr.rpart'", "DataFrame", "as_task")),
    Case("predict_untrained", lambda: lrn("regr.rpart").predict(tsk("mtcars")), RuntimeError, ("'regr.rpart'", "not been trained", "train")),
    Case("character_feature", lambda: lrn("regr.lm").train(_regr(_frame(x=list("abcd"), y=[1.0, 2, 3, 4]))), ValueError,
         ("'regr.lm'", "x \\(character\\)", "'bad'", "po\\('encode'\\)")),
    Case("missing_features", lambda: lrn("regr.lm").train(_regr(_frame(x=[1.0, np.nan, 3, 4], y=[1.0, 2, 3, 4]))), ValueError,
         ("'regr.lm'", "NaN", "x \\(1\\)", "imputehist")),
    Case("infinite_features", lambda: lrn("regr.rpart").train(_regr(_frame(x=[1.0, np.inf, 3, 4], y=[1.0, 2, 3, 4]))), ValueError,
         ("'regr.rpart'", "infinite", "x \\(1\\)", "'bad'")),
    Case("missing_features_network", lambda: lrn("regr.mlp", epochs=1, batch_size=4).train(_regr(_frame(x=[1.0, np.nan, 3, 4], y=[1.0, 2, 3, 4]))),
         ValueError, ("'regr.mlp'", "NaN", "x \\(1\\)")),
    Case("importance_unsupported", lambda: lrn("regr.lm").train(tsk("mtcars")).importance(), RuntimeError, ("'regr.lm'", "importance")),
    Case("kknn_k_above_rows", lambda: lrn("regr.kknn", k=100).train(tsk("mtcars")), ValueError, ("'regr.kknn'", "'k'", "100", "32", "lower k")),
    Case("ranger_mtry_above_features", lambda: lrn("regr.ranger", mtry=100).train(tsk("mtcars")), ValueError,
         ("'regr.ranger'", "'mtry'", "10", "100")),
    Case("ddp_measures_train", lambda: lrn("regr.mlp", epochs=1, batch_size=8, device="cpu", strategy="ddp", devices=2,
                                           measures_train=msr("regr.rmse")).train(tsk("mtcars")),
         ValueError, ("'regr.mlp'", "measures_train", "strategy='ddp'", "measures_valid")),
    Case("ddp_devices_missing_on_cpu", lambda: lrn("regr.mlp", epochs=1, batch_size=8, device="cpu", strategy="ddp").train(tsk("mtcars")),
         ValueError, ("'regr.mlp'", "strategy='ddp'", "devices=")),
    Case("loss_for_other_task_type", lambda: lrn("regr.mlp", loss=t_loss("cross_entropy"), epochs=1, batch_size=8).train(tsk("mtcars")),
         ValueError, ("'regr.mlp'", "'cross_entropy'", "'regr'")),
    # measures
    Case("measure_for_other_task_type", lambda: lrn("regr.rpart").train(tsk("mtcars")).predict(tsk("mtcars")).score(msr("classif.acc")),
         ValueError, ("'classif.acc'", "classification", "regression")),
    Case("measure_needs_probabilities", lambda: lrn("classif.rpart").train(tsk("iris")).predict(tsk("iris")).score(msr("classif.logloss")),
         ValueError, ("'classif.logloss'", "probabilities", "predict_type='prob'")),
    Case("aggregate_names_learner", lambda: jt.resample(tsk("iris"), lrn("classif.kknn"), rsmp("cv", folds=2)).aggregate(msr("classif.logloss")),
         ValueError, ("'classif.logloss'", "learner 'classif.kknn'", "predict_type")),
    # resample and benchmark
    Case("resample_learner_as_string", lambda: jt.resample(tsk("mtcars"), "regr.rpart", rsmp("cv")), ValueError, ("resample", "Learner", "str")),
    Case("benchmark_grid_task_type", lambda: jt.benchmark_grid(tsk("mtcars"), lrn("classif.rpart"), rsmp("cv")), ValueError,
         ("'classif.rpart'", "'mtcars'", "separately")),
    Case("benchmark_grid_duplicate_ids", lambda: jt.benchmark_grid(tsk("mtcars"), [lrn("regr.rpart"), lrn("regr.rpart")], rsmp("cv")),
         ValueError, ("'regr.rpart'", "distinct ids", "id=")),
    Case("benchmark_not_a_design", lambda: jt.benchmark([lrn("regr.rpart")]), ValueError, ("design", "benchmark_grid")),
    # pipelines
    Case("graph_duplicate_ids", lambda: po("scale") >> po("scale"), ValueError, ("'scale'", "unique", "po\\('scale_2'\\)")),
    Case("graph_learner_then_preprocessing", lambda: lrn("regr.rpart") >> po("scale"), TypeError, ("'regr_rpart'", "'scale'", "Task")),
    Case("graph_without_learner", lambda: jt.as_learner(po("scale") >> po("pca")), ValueError, ("must end in a learner", "lrn\\(")),
    Case("graph_learner_task_type", lambda: jt.as_learner(po("scale") >> lrn("classif.rpart")).train(tsk("mtcars")), ValueError,
         ("'classif'", "'mtcars'")),
    Case("pipeop_input_channel_unknown", lambda: po("scale").input_channel("inptu"), Exception, ("'inptu'", "Did you mean 'input'")),
    Case("as_lazy_tensor_from_string", lambda: jt.as_lazy_tensor("abc"), ValueError, ("as_lazy_tensor", "str", "torch tensor")),
    Case("dataset_returns_other_keys", lambda: jt.as_lazy_tensor(_ImageRows(), {"img": (None, 1, 6, 6)}), ValueError,
         ("_ImageRows", "\\['img'\\]", "\\['image', 'label'\\]", "did you mean 'image'")),
    # networks built from graphs
    Case("layer_required_parameter", lambda: _net(nn("linear"), nn("head")).train(tsk("mtcars")), ValueError,
         ("'linear__out_features'", "set_values")),
    Case("layer_without_ingress",
         lambda: jt.as_learner(nn("linear", out_features=1) >> po("torch_model_regr", epochs=1, batch_size=4)).train(tsk("mtcars")),
         TypeError, ("'linear'", "ModelDescriptor", "torch_ingress_num")),
    Case("ingress_without_numeric_features", lambda: _net(nn("head"), model="torch_model_classif").train(
        _classif(_frame(x=pd.Categorical(["a", "b"] * 4), y=pd.Categorical(["u", "v"] * 4)))), ValueError,
        ("'torch_ingress_num'", "'bad'", "numeric", "factor")),
    Case("network_output_size", lambda: _net(nn("linear", out_features=7), model="torch_model_classif").train(tsk("iris")), ValueError,
         ("'torch_model_classif'", "'linear'", r"\(None, 7\)", r"\(None, 3\)", "nn\\('head'\\)")),
    Case("layer_graph_without_model_op", lambda: jt.as_learner(po("torch_ingress_num") >> nn("linear", out_features=1)), ValueError,
         ("ModelDescriptor", "torch_model_regr")),
    Case("feature_map_into_linear",
         lambda: jt.as_learner(po("torch_ingress_ltnsr") >> nn("conv2d", out_channels=2, kernel_size=3) >> nn("linear", out_features=2)
                               >> po("torch_model_classif", epochs=1, batch_size=4)).train(_images()),
         ValueError, ("'linear'", r"\(None, 2, 4, 2\)", "nn\\('flatten'\\)")),
    Case("nn_graph_without_shapes", lambda: jt.nn_graph(po("scale"), shapes_in={}), ValueError, ("shapes_in", "'scale.input'")),
    Case("autoplot_of_a_number", lambda: jt.autoplot(42), ValueError, ("autoplot", "int", "BenchmarkResult")),
    Case("load_missing_file", lambda: jt.load("/nonexistent/dir/model.jt"), JupytorchError, ("model.jt", "does not exist")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_clearly(case: Case) -> None:
    with pytest.raises(case.error) as info:
        case.call()
    message = str(info.value)
    for words in case.words:
        assert re.search(words, message), f"{case.id}: {words!r} not in the message:\n{message}"


def test_there_are_at_least_sixty_distinct_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 60


def test_errors_page_lists_every_case() -> None:
    page = ERRORS_PAGE.read_text(encoding="utf-8")
    missing = [c.id for c in CASES if f"`{c.id}`" not in page]
    assert not missing, f"docs/errors.md lacks {missing}; regenerate it with `python tests/test_bad_inputs.py`"


# -- property-based: odd data never gives a raw traceback -----------------------------------------
_NAME = st.text(alphabet=string.ascii_letters + string.digits + " ._-äé中", min_size=1, max_size=8)
_COLUMN = st.one_of(
    st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=4, max_size=4),
    st.lists(st.integers(-5, 5), min_size=4, max_size=4),
    st.lists(st.sampled_from(["a", "b", None]), min_size=4, max_size=4),
    st.lists(st.booleans(), min_size=4, max_size=4),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=st.dictionaries(_NAME, _COLUMN, min_size=1, max_size=4), key=st.sampled_from(["regr.rpart", "regr.lm", "regr.featureless"]))
def test_random_frames_train_or_fail_with_a_jupytorch_error(columns: dict[str, list[Any]], key: str) -> None:
    frame = pd.DataFrame(columns).assign(target=[1.0, 2.0, 3.0, 4.0])
    try:
        task = jt.as_task_regr(frame, target="target", id="random")
        lrn(key).train(task).predict(task)
    except JupytorchError as error:
        assert "'random'" in str(error) or f"'{key}'" in str(error)


@settings(max_examples=25, deadline=None)
@given(name=_NAME)
def test_odd_column_names_survive_train_and_predict(name: str) -> None:
    frame = pd.DataFrame({name: [1.0, 2.0, 3.0, 4.0, 5.0], "target": [1.0, 2.0, 2.5, 4.0, 5.5]})
    task = jt.as_task_regr(frame, target="target", id="names")
    assert task.feature_names == [name]
    assert len(lrn("regr.lm").train(task).predict(task).response) == 5


@pytest.mark.parametrize("key", ["regr.rpart", "regr.lm", "regr.featureless", "regr.mlp"])
def test_one_row_and_empty_tasks(key: str) -> None:
    one = jt.as_task_regr(pd.DataFrame({"x": [1.0], "target": [2.0]}), target="target", id="one_row")
    kwargs = {"epochs": 1, "batch_size": 1} if key.endswith("mlp") else {}
    learner = lrn(key, **kwargs)
    try:
        pred = learner.train(one).predict(one)
        assert len(pred.response) == 1
    except JupytorchError as error:
        assert "'one_row'" in str(error)
    empty = one.clone().filter([])
    with pytest.raises(JupytorchError, match=rf"'{re.escape(key)}'.*'one_row' with 0 rows"):
        lrn(key, **kwargs).train(empty)


def _write_errors_page() -> None:
    """Write docs/errors.md from the cases: each case, the error type and the message users see."""
    import warnings

    warnings.simplefilter("ignore")
    lines = [
        "# Errors: what jupytorch says when the input is wrong",
        "",
        "Each row is a case of the bad-input suite (`tests/test_bad_inputs.py`): what was done wrong, the",
        "type of the error and its message. Messages name the object (task, learner, PipeOp, parameter),",
        "the bad value and what would be valid. Every error derives from `jupytorch.core.exceptions.JupytorchError`",
        "and from the matching built-in type (`ValueError`, `KeyError`, `TypeError`, `RuntimeError`), so",
        "`except ValueError` works as it does with scikit-learn.",
        "",
        "| case | error | message |",
        "|---|---|---|",
    ]
    for case in CASES:
        try:
            case.call()
            raise SystemExit(f"case {case.id} raised nothing")
        except Exception as error:  # noqa: BLE001 - the page shows whatever is raised
            text = str(error).split("\n")[0].replace("|", "\\|")
            lines.append(f"| `{case.id}` | `{type(error).__name__}` | {text} |")
    ERRORS_PAGE.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    _write_errors_page()
    sys.exit(0)
