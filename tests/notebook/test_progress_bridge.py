import pytest

from jupytorch.core import progress
from jupytorch.core.progress_text import TextProgress
from jupytorch.notebook._training_monitor import TrainingMonitor
from jupytorch.notebook.progress_bridge import WidgetProgress, progress_view


def fake_training(epochs=5, n_batches=20):
    """What the trainer does, through jupytorch.core.progress."""
    history = []
    progress.emit("train", "begin", total=epochs, learner_id="classif.mlp", task_id="toy")
    epoch = 0
    stopped = False
    for epoch in range(1, epochs + 1):
        progress.emit("epoch", "begin", total=n_batches, epoch=epoch)
        for i in range(1, n_batches + 1):
            progress.emit("batch", "advance", total=n_batches, completed=i, loss=1.0 / epoch)
            if progress.should_stop():
                stopped = True
                break
        history.append(epoch)
        progress.emit("epoch", "end", total=n_batches, completed=i, epoch=epoch, train={"loss": 1.0 / epoch})
        if stopped:
            break
    progress.emit("train", "end", total=epochs, completed=epoch, stopped=stopped)
    return history, stopped


def test_the_widget_view_follows_a_training_through_core_progress():
    view = WidgetProgress(display=False)
    with progress.listen(view):
        history, stopped = fake_training()
    assert (history, stopped) == ([1, 2, 3, 4, 5], False)
    monitor = view.monitor
    assert monitor.status == "finished"
    assert [row["epoch"] for row in monitor.history] == [1, 2, 3, 4, 5]
    assert monitor.bars[0]["completed"] == 5


def test_stop_ends_the_training_and_keeps_the_history():
    monitor = TrainingMonitor()
    view = WidgetProgress(monitor, display=False)
    calls = []

    def should_stop():
        calls.append(1)
        if len(calls) == 30:  # the user clicks Stop during epoch 2
            monitor.set_state({"stop_requested": True})
        return WidgetProgress.should_stop(view)

    view.should_stop = should_stop
    with progress.listen(view):
        history, stopped = fake_training()
    assert stopped and history == [1, 2]
    assert monitor.status == "stopped"
    assert [row["epoch"] for row in monitor.history] == [1, 2]


def test_the_widget_is_displayed_once(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    view = WidgetProgress()
    view.on_event({"level": "train", "stage": "begin", "total": 1, "completed": 0, "info": {}})
    view.on_event({"level": "train", "stage": "end", "total": 1, "completed": 1, "info": {}})
    assert shown == [view.monitor]


def test_progress_view_outside_a_kernel_is_text():
    assert isinstance(progress_view(), TextProgress)
    assert isinstance(progress_view("widget"), WidgetProgress)
    assert progress_view("none").disable
    with pytest.raises(ValueError, match="'auto', 'widget', 'text' or 'none'"):
        progress_view("gui")
