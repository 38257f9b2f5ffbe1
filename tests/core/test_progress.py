"""Progress events: listeners, emit and should_stop."""

from __future__ import annotations

from jupytorch.core import progress


class Stopper:
    def __init__(self):
        self.events = []

    def on_event(self, event):
        self.events.append(event)

    def should_stop(self):
        return True


def test_emit_reaches_listeners_only_inside_listen(recorder):
    progress.emit("train", "begin", total=3)  # nobody listens: nothing happens
    assert not progress.has_listeners()
    with progress.listen(recorder):
        assert progress.has_listeners() and progress.active_listeners() == [recorder]
        progress.emit("epoch", "end", total=10, completed=10, epoch=1)
    assert recorder.events == [{"level": "epoch", "stage": "end", "total": 10, "completed": 10, "info": {"epoch": 1}}]
    assert not progress.has_listeners()


def test_nested_listeners_and_should_stop(recorder):
    stopper = Stopper()
    with progress.listen(recorder):
        assert not progress.should_stop()  # a listener without should_stop never stops
        with progress.listen(stopper):
            progress.emit("batch", "advance", completed=1)
            assert progress.should_stop()
        assert not progress.should_stop()
    assert len(recorder.events) == 1 and len(stopper.events) == 1


def test_listener_is_removed_after_an_error(recorder):
    try:
        with progress.listen(recorder):
            raise ValueError("boom")
    except ValueError:
        pass
    assert not progress.has_listeners()
