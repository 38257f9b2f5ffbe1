import io
import re

from progress_events import ev

from jupytorch.core import progress
from jupytorch.core.progress_text import TextProgress


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
    assert "loss=0.5" in text
    # the per-epoch table: a header and one line per epoch (header again for the second training)
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)  # cursor movements between nested bars
    lines = [line.strip() for line in plain.replace("\r", "\n").splitlines()]
    header = [line for line in lines if line.startswith("epoch") and "train.loss" in line]
    assert len(header) == 2 and header[0].split() == ["epoch", "train.loss", "valid.acc", "duration", "time"]
    rows = [line.split() for line in lines if line[:1].isdigit() and "0.9" in line]
    assert [r[:3] for r in rows] == [["1", "0.5", "0.9"], ["2", "0.5", "0.9"], ["3", "0.5", "0.9"]] * 2
    assert all(r[3].endswith("s") and r[4].count(":") == 2 for r in rows)


def test_the_bar_keeps_its_width_at_120_columns_with_many_measures():
    out = io.StringIO()
    view = TextProgress(file=out, mininterval=0, ncols=120)
    view.on_event(ev("train", "begin", 10, learner_id="classif.torch_model", task_id="mnist"))
    scores = {name: 0.123456 for name in ("loss", "classif.acc", "classif.bacc", "classif.ce", "classif.logloss")}
    view.on_event(ev("epoch", "end", 4, 4, epoch=1, train=scores, valid=scores))
    view.bars["train"].refresh()
    last = out.getvalue().replace("\r", "\n").splitlines()[-1]
    bar = re.search(r"\|([^|]*)\|", last)
    assert bar and len(bar.group(1)) >= 20, last  # a real bar, not squeezed to a character
    assert last.rstrip().endswith("loss=0.1235]")
    view.close()


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
