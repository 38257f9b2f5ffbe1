"""Automatic progress views: core's auto_view, the switch, the notebook's factory, resample/benchmark."""

import io
import threading

import pytest
from progress_events import Recorder

import jupytorch as jt
from jupytorch.core import progress
from jupytorch.core.exceptions import InvalidParameterError
from jupytorch.core.progress_text import TextProgress
from jupytorch.notebook import progress_bridge
from jupytorch.notebook.progress_bridge import WidgetProgress, auto_progress_view


@pytest.fixture
def factory(monkeypatch):
    """Replace the view factory with one that records the kinds it was asked for and its views."""
    made = []

    def make(kind):
        view = Recorder()
        made.append((kind, view))
        return view

    monkeypatch.setattr(progress, "_view_factory", make)
    monkeypatch.setattr(progress, "_view_kind", None)
    monkeypatch.delenv(progress.ENV_VAR, raising=False)
    return made


def test_auto_view_opens_one_view_listens_and_closes_it(factory):
    with progress.auto_view() as view:
        assert progress.active_listeners() == [view]
        progress.emit("train", "begin", total=1)
    assert factory == [("auto", view)] and view.closed
    assert [e["level"] for e in view.events] == ["train"]
    assert not progress.has_listeners()


def test_nested_work_shares_the_outermost_view(factory):
    with progress.auto_view() as outer:
        with progress.auto_view() as inner:
            progress.emit("epoch", "begin", total=3)
    assert inner is None and len(factory) == 1 and len(outer.events) == 1


def test_a_view_the_user_registered_is_used_instead(factory):
    mine = Recorder()
    with progress.listen(mine), progress.auto_view() as view:
        progress.emit("train", "begin", total=1)
    assert view is None and factory == [] and len(mine.events) == 1


def test_the_switch_and_the_environment_variable(factory, monkeypatch):
    monkeypatch.setenv(progress.ENV_VAR, "none")
    with progress.auto_view() as view:
        pass
    assert view is None and progress.progress_view_kind() == "none"
    monkeypatch.setenv(progress.ENV_VAR, "text")
    assert progress.progress_view_kind() == "text"
    assert progress.set_progress_view("widget") is None  # the previous setting
    with progress.auto_view():
        pass
    assert factory[-1][0] == "widget"  # the function wins over the variable
    assert progress.set_progress_view(None) == "widget"
    monkeypatch.setenv(progress.ENV_VAR, "bogus")
    assert progress.progress_view_kind() == "auto"
    with pytest.raises(InvalidParameterError, match="got 'widgt'.*Did you mean 'widget'"):
        progress.set_progress_view("widgt")


def test_a_view_that_cannot_be_built_never_stops_the_work(monkeypatch, caplog):
    def broken(kind):
        raise RuntimeError("no display")

    monkeypatch.setattr(progress, "_view_factory", broken)
    monkeypatch.setattr(progress, "_view_kind", "auto")
    with progress.auto_view() as view:
        progress.emit("train", "begin", total=1)
    assert view is None and "could not open a progress view" in caplog.text


def test_the_factory_is_named_by_a_string_and_imported_on_first_use(monkeypatch):
    monkeypatch.setattr(progress, "_view_factory", "jupytorch.notebook.progress_bridge:auto_progress_view")
    assert progress._resolve_factory() is auto_progress_view
    assert progress._view_factory is auto_progress_view  # resolved once
    with pytest.raises(ValueError, match="'module:attribute' string or a callable"):
        progress.set_view_factory("no colon")


def test_jupytorch_import_points_core_at_the_notebook_factory():
    assert progress._view_factory in ("jupytorch.notebook.progress_bridge:auto_progress_view", auto_progress_view)


# -- what the default views are -------------------------------------------------------------------
class FakeStream(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


def test_scripts_draw_text_only_on_a_terminal_and_only_for_long_work(monkeypatch):
    monkeypatch.setattr("sys.stderr", FakeStream(tty=False))
    assert progress.default_view("auto") is None  # pipes, CI logs, pytest: silent
    text = progress.default_view("text")
    assert isinstance(text, TextProgress) and text.delay == 0
    monkeypatch.setattr("sys.stderr", FakeStream(tty=True))
    terminal = progress.default_view("auto")
    assert isinstance(terminal, TextProgress) and terminal.delay == progress.TEXT_DELAY
    assert progress.default_view("none") is None


def test_worker_threads_never_draw(monkeypatch):
    monkeypatch.setattr("sys.stderr", FakeStream(tty=True))
    seen = []
    thread = threading.Thread(target=lambda: seen.append(progress.default_view("text")))
    thread.start()
    thread.join()
    assert seen == [None]


def test_a_delayed_text_bar_stays_silent_for_quick_work():
    out = io.StringIO()
    view = TextProgress(file=out, mininterval=0, delay=30)
    view.on_event({"level": "train", "stage": "begin", "total": 2, "completed": 0, "info": {}})
    view.on_event({"level": "train", "stage": "end", "total": 2, "completed": 2, "info": {}})
    assert out.getvalue() == ""


def test_the_notebook_factory_gives_the_widget_in_a_kernel(monkeypatch):
    monkeypatch.setattr(progress_bridge, "in_kernel", lambda: True)
    assert isinstance(auto_progress_view("auto"), WidgetProgress)
    assert isinstance(auto_progress_view("widget"), WidgetProgress)
    assert isinstance(auto_progress_view("text"), TextProgress)
    assert auto_progress_view("none") is None
    monkeypatch.setattr(progress_bridge, "in_kernel", lambda: False)
    monkeypatch.setattr("sys.stderr", FakeStream(tty=False))
    assert auto_progress_view("auto") is None and auto_progress_view("widget") is None


# -- resample and benchmark open it --------------------------------------------------------------
def test_resample_opens_a_view_for_its_iterations(factory):
    jt.resample(jt.tsk("mtcars"), jt.lrn("regr.rpart"), jt.rsmp("cv", folds=3), seed=1)
    assert len(factory) == 1
    view = factory[0][1]
    assert [(e["level"], e["stage"]) for e in view.events] == [
        ("resample", "begin"), ("resample", "advance"), ("resample", "advance"), ("resample", "advance"),
        ("resample", "end")]
    assert view.closed


def test_benchmark_opens_one_view_for_everything_inside(factory):
    design = jt.benchmark_grid(jt.tsk("mtcars"), [jt.lrn("regr.featureless"), jt.lrn("regr.rpart")], jt.rsmp("cv", folds=2))
    jt.benchmark(design, seed=1)
    assert len(factory) == 1
    levels = [e["level"] for e in factory[0][1].events]
    assert levels[0] == "benchmark" and levels[-1] == "benchmark" and levels.count("resample") > 2


def test_a_widget_view_from_resample_in_a_kernel_finishes(monkeypatch):
    monkeypatch.setattr(progress_bridge, "in_kernel", lambda: True)
    monkeypatch.setattr(progress, "_view_kind", "auto")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    jt.resample(jt.tsk("mtcars"), jt.lrn("regr.rpart"), jt.rsmp("cv", folds=3), seed=1)
    (monitor,) = shown
    assert monitor.status == "finished" and monitor.bars[0]["completed"] == 3
    assert monitor.message == ""  # no stale "Now: ..." once the run is over
