import io

from jupytorch.core import progress
from jupytorch.core.progress_text import TextProgress


def ev(level, stage, total=None, completed=0, **info):
    return {"level": level, "stage": stage, "total": total, "completed": completed, "info": info}


def test_nested_bars_count_iterations_epochs_and_batches():
    out = io.StringIO()
    view = TextProgress(file=out, mininterval=0)
    view.on_event(ev("resample", "begin", 2, learner_id="classif.mlp", task_id="iris"))
    for _ in range(2):
        view.on_event(ev("train", "begin", 3))
        for epoch in (1, 2, 3):
            view.on_event(ev("epoch", "begin", 4, epoch=epoch))
            for i in range(1, 5):
                view.on_event(ev("batch", "advance", 4, i, loss=0.5))
            assert view.bars["epoch"].n == 4
            view.on_event(ev("epoch", "end", 4, 4, epoch=epoch, train={"loss": 0.5}, valid={"acc": 0.9}))
            assert "epoch" not in view.bars
        assert view.bars["train"].n == 3
        view.on_event(ev("train", "end", 3, 3))
    assert view.bars["resample"].n == 2
    view.on_event(ev("resample", "end", 2, 2))
    assert view.bars == {}
    text = out.getvalue()
    assert "resample classif.mlp iris" in text
    assert "train.loss=0.5" in text and "valid.acc=0.9" in text


def test_it_is_a_core_progress_listener_that_never_stops():
    out = io.StringIO()
    view = TextProgress(file=out, mininterval=0)
    with progress.listen(view):
        progress.emit("train", "begin", total=1)
        assert progress.should_stop() is False
        progress.emit("train", "end", total=1, completed=1, stopped=True)
    assert "stopped" in out.getvalue()


def test_disabled_view_draws_nothing():
    out = io.StringIO()
    view = TextProgress(file=out, disable=True)
    view.on_event(ev("train", "begin", 2))
    view.on_event(ev("train", "end", 2, 2))
    assert out.getvalue() == ""
