"""The PipeOp template: channels, type checks, state, errors with their location, copies."""

from __future__ import annotations

import pickle

import pytest

from jupytorch.core.exceptions import InvalidParameterError, NotTrainedError
from jupytorch.pipelines.channels import NO_OP, Channel, ChannelTypeError
from jupytorch.pipelines.pipeop import PipeOp

from ._ops import Add, Failing, Layer, ModelDescriptor, Split, Sum


def test_train_sets_state_and_predict_reuses_it():
    op = Add(by=None) if False else Add()
    assert op.state is None and not op.is_trained
    assert op.train([1]) == [2.0]
    assert op.is_trained and op.state == {"by": 1.0}
    op.param_set.set_values(by=10.0)  # changing a parameter after training does not change predict
    assert op.predict([5]) == [6.0]


def test_predict_before_train_names_the_id():
    with pytest.raises(NotTrainedError, match="PipeOp 'add' has not been trained"):
        Add().predict([1])


def test_channel_tables():
    op = Layer()
    assert op.input.to_dict("records") == [{"name": "input", "train": "ModelDescriptor", "predict": "Task"}]
    assert op.output_channels == (Channel("output", "ModelDescriptor", "Task"),)
    assert op.innum == 1 and op.outnum == 1


def test_input_type_checked_at_train_and_predict(regr_task):
    op = Layer()
    with pytest.raises(ChannelTypeError,
                       match="PipeOp 'layer': input channel 'input' expects a ModelDescriptor during train\\(\\), got TaskRegr 'toy_regr'"):
        op.train([regr_task])
    op.train([ModelDescriptor(3)])
    with pytest.raises(ChannelTypeError, match="expects a Task during predict"):
        op.predict([ModelDescriptor(3)])


def test_wrong_number_of_inputs():
    with pytest.raises(ChannelTypeError, match="got 2 input\\(s\\)"):
        Add().train([1, 2])
    with pytest.raises(ChannelTypeError, match="takes a list"):
        Add().train(1)


def test_vararg_channel_takes_any_number():
    op = Sum()
    assert op.train([1, 2, 3]) == [6]
    assert op.predict([4]) == [4]
    assert [c.name for c in op.channel_of_inputs(3)] == ["...", "...", "..."]


def test_error_in_train_resets_state_and_names_the_op():
    op = Failing(where="train")
    with pytest.raises(ValueError, match="boom in train") as info:
        op.train([1])
    assert "This happened in PipeOp 'failing' during train()." in info.value.__notes__
    assert op.state is None


def test_error_in_predict_names_the_op():
    op = Failing(where="predict")
    op.train([1])
    with pytest.raises(ValueError) as info:
        op.predict([1])
    assert "This happened in PipeOp 'failing' during predict()." in info.value.__notes__
    assert op.is_trained  # predict failure keeps the trained state


def test_output_types_checked():
    class Bad(PipeOp):
        def __init__(self):
            super().__init__("bad", output=[("output", "Task", "Task")])

        def _train(self, inputs):
            return [42]

    with pytest.raises(ChannelTypeError, match="output channel 'output' should carry a Task during train\\(\\), but the PipeOp produced int"):
        Bad().train([1])


def test_hook_without_state_leaves_empty_dict():
    assert Sum().train([1]) == [1]
    op = Sum()
    op.train([1])
    assert op.state == {}


def test_all_noop_inputs_are_skipped():
    op = Split()
    assert op.train([NO_OP]) == [NO_OP, NO_OP]
    assert op.state is NO_OP
    assert op.predict([NO_OP]) == [NO_OP, NO_OP]
    with pytest.raises(NotTrainedError, match="skipped during train"):
        op.predict([1])


def test_mixed_noop_inputs_are_an_error():
    with pytest.raises(ChannelTypeError, match="NO_OP"):
        Sum().train([1, NO_OP])


def test_ids_must_not_contain_separators():
    with pytest.raises(InvalidParameterError, match="may not contain"):
        Add(id="a.b")
    with pytest.raises(InvalidParameterError, match="use e.g. 'a_b'"):
        Add(id="a__b")
    op = Add()
    op.id = "plus"
    assert op.param_set.owner == "PipeOp 'plus'"


def test_param_values_overlay_defaults_and_reject_tune_tokens():
    from jupytorch.core.tune_token import to_tune

    op = Add()
    assert op.param_values() == {"by": 1.0}
    op.param_set.set_values(by=to_tune(0.0, 1.0))
    with pytest.raises(InvalidParameterError, match="to_tune"):
        op.train([1])


def test_clone_is_deep_and_keeps_state():
    op = Add()
    op.train([1])
    copy = op.clone()
    copy.param_set.set_values(by=5.0)
    assert op.param_set.values == {}
    assert copy.state == op.state and copy.state is not op.state


def test_pickle_roundtrip():
    op = Add()
    op.train([1])
    assert pickle.loads(pickle.dumps(op)).predict([1]) == [2.0]


def test_repr_and_html_escape():
    op = Add(id="x<b>")
    assert "x<b>" in repr(op) and "not trained" in repr(op)
    assert "x&lt;b&gt;" in op._repr_html_() and "<b>x<b>" not in op._repr_html_()


def test_unknown_channel_name():
    with pytest.raises(ChannelTypeError, match="no input channel 'inptu'.*Did you mean 'input'"):
        Add().input_channel("inptu")


def test_interrupt_keeps_state_and_gets_the_note():
    class Interrupted(PipeOp):
        def __init__(self):
            super().__init__("slow")

        def _train(self, inputs):
            self.state = {"epochs_done": 3}
            raise KeyboardInterrupt

    op = Interrupted()
    with pytest.raises(KeyboardInterrupt) as info:
        op.train([1])
    assert op.state == {"epochs_done": 3}
    assert "This happened in PipeOp 'slow' during train()." in info.value.__notes__
