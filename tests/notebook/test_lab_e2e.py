"""End to end in a real JupyterLab with a kernel, driven by Playwright (recipe Path A).

A notebook shows a GraphView of a hand-made spec and trains a small torch network in a loop that
reports through ``jupytorch.core.progress`` to the TrainingMonitor (about 15 s if not stopped).
The test clicks Stop while the cell runs and checks in the kernel that training ended early with
its history kept, then clicks a graph node and reads its parameters. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails in CI and skips elsewhere
    expect = None

EVIL = "<img src=x onerror=alert(1)>"

GRAPH_CELL = f'''\
from jupytorch.notebook._graph_view import GraphView

EVIL = {EVIL!r}
spec = {{
    "nodes": [
        {{"id": "torch_ingress_num", "kind": "ingress", "label": "torch_ingress_num"}},
        {{"id": "linear", "kind": "layer", "label": "nn_linear", "params": {{"out_features": 64, "note": EVIL}},
          "state": "trained", "n_params": 1344}},
        {{"id": "relu", "kind": "layer", "label": EVIL, "n_params": 0}},
        {{"id": "head", "kind": "layer", "label": "nn_head", "n_params": 130}},
        {{"id": "loss", "kind": "loss", "label": "torch_loss", "params": {{"loss": "cross_entropy"}}}},
        {{"id": "model", "kind": "model", "label": "torch_model_classif",
          "params": {{"epochs": 30, "batch_size": 64}}}},
    ],
    "edges": [
        {{"src": "torch_ingress_num", "dst": "linear", "label": "(None, 20)"}},
        {{"src": "linear", "dst": "relu", "label": "(None, 64)"}},
        {{"src": "relu", "dst": "head", "label": "(None, 64)"}},
        {{"src": "head", "dst": "loss", "label": "(None, 2)"}},
        {{"src": "loss", "dst": "model"}},
    ],
}}
view = GraphView(spec)
view
'''

TRAIN_CELL = '''\
import time
import torch
from jupytorch.core import progress
from jupytorch.notebook.progress_bridge import WidgetProgress

torch.manual_seed(0)
torch.set_num_threads(1)
X, Xv = torch.randn(2048, 20), torch.randn(512, 20)
y, yv = (X[:, :3].sum(1) > 0).long(), (Xv[:, :3].sum(1) > 0).long()
net = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
opt = torch.optim.Adam(net.parameters(), lr=1e-2)
loss_fn = torch.nn.CrossEntropyLoss()
EPOCHS, BS = 30, 64
n_batches = len(X) // BS
history, stopped, epoch = [], False, 0
monitor_view = WidgetProgress()
t0 = time.perf_counter()
with progress.listen(monitor_view):
    progress.emit("train", "begin", total=EPOCHS, learner_id="classif.demo_mlp", task_id="toy",
                  device={"type": "cpu", "name": "kernel CPU"})
    for epoch in range(1, EPOCHS + 1):
        progress.emit("epoch", "begin", total=n_batches, epoch=epoch)
        perm, running = torch.randperm(len(X)), 0.0
        for i in range(n_batches):
            idx = perm[i * BS:(i + 1) * BS]
            opt.zero_grad()
            loss = loss_fn(net(X[idx]), y[idx])
            loss.backward()
            opt.step()
            running += loss.item()
            time.sleep(0.015)  # 32 batches of ~16 ms: about 0.5 s an epoch, 15 s in all
            progress.emit("batch", "advance", total=n_batches, completed=i + 1, loss=running / (i + 1),
                          samples=(i + 1) * BS)
            if progress.should_stop():
                stopped = True
                break
        with torch.no_grad():
            out = net(Xv)
            valid = {"loss": loss_fn(out, yv).item(), "classif.acc": (out.argmax(1) == yv).float().mean().item()}
        history.append({"epoch": epoch, "train_loss": running / (i + 1), **valid})
        progress.emit("epoch", "end", total=n_batches, completed=i + 1, epoch=epoch,
                      train={"loss": running / (i + 1)}, valid=valid)
        if stopped:
            break
    progress.emit("train", "end", total=EPOCHS, completed=epoch, stopped=stopped)
elapsed = time.perf_counter() - t0
'''

CHECK_CELL = '''\
weights_ok = all(bool(torch.isfinite(p).all()) for p in net.parameters())
print(f"RESULT stopped={stopped} epochs={len(history)} monitor_epochs={len(monitor_view.monitor.history)} "
      f"status={monitor_view.monitor.status} weights_ok={weights_ok} elapsed={elapsed:.1f}")
'''


def _wait_for_kernel(page, base: str, name: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = [s for s in page.request.get(f"{base}/api/sessions").json() if s["path"].endswith(name)]
        if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
            return sessions[0]
        time.sleep(0.2)
    raise AssertionError(f"the kernel of {name} did not become idle within {timeout} s")


def test_lab_monitor_stop_and_graph_view(lab, page, artifacts):
    base, root = lab
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (GRAPH_CELL, TRAIN_CELL, CHECK_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "widgets_e2e.ipynb")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(f"{base}/lab/tree/widgets_e2e.ipynb")
    session = _wait_for_kernel(page, base, "widgets_e2e.ipynb")
    try:
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()

        # the graph renders, the monitor counts epochs while the cell runs
        expect(page.locator(".jt-graph .jt-node")).to_have_count(6, timeout=60_000)
        epochs = page.locator('.jt-bar[data-level="train"] .jt-bar-count')
        expect(epochs).to_have_text(re.compile(r"^[2-9]/30$"), timeout=60_000)
        expect(page.locator(".jt-status")).to_have_text("running")
        monitor = page.locator(".jt-monitor")
        monitor.scroll_into_view_if_needed()
        monitor.screenshot(path=str(artifacts / "lab_monitor_running.png"))

        # Stop while the cell is busy: the kernel sees the click through jupyter-ui-poll
        page.locator(".jt-stop").click()
        try:
            expect(page.locator(".jt-status")).to_have_text("stopped", timeout=30_000)
        except AssertionError:
            page.screenshot(path=str(artifacts / "lab_debug.png"), full_page=True)
            print("OUTPUTS", page.locator(".jp-OutputArea-output").all_inner_texts())
            raise
        result = page.locator(".jp-OutputArea-output", has_text="RESULT")
        expect(result).to_be_visible(timeout=30_000)
        text = result.inner_text()
        fields = dict(re.findall(r"(\w+)=(\S+)", text))
        assert fields["stopped"] == "True", text
        assert 2 <= int(fields["epochs"]) < 30, text  # ended early, kept the finished epochs
        assert fields["monitor_epochs"] == fields["epochs"], text
        assert fields["status"] == "stopped" and fields["weights_ok"] == "True", text
        expect(epochs).to_have_text(f"{fields['epochs']}/30")
        assert page.locator(".jt-monitor .jt-chart").count() == 2
        monitor.screenshot(path=str(artifacts / "lab_monitor_stopped.png"))

        # click a node in the graph view: its parameters show, hostile text stays text
        graph = page.locator(".jt-graph")
        graph.scroll_into_view_if_needed()
        graph.locator('.jt-node[data-id="linear"]').click()
        panel = graph.locator(".jt-graph-panel")
        expect(panel.locator(".jt-panel-title")).to_have_text("nn_linear")
        expect(panel.locator('tr[data-param="out_features"] td')).to_have_text("64")
        expect(panel.locator('tr[data-param="note"] td')).to_have_text(EVIL)
        expect(panel.locator(".jt-fact-nparams")).to_have_text("1,344")
        expect(panel.locator(".jt-fact-state")).to_have_text("trained")
        assert graph.locator('.jt-node[data-id="relu"] .jt-node-label').text_content() == EVIL
        assert page.locator(".jp-Notebook img").count() == 0
        graph.screenshot(path=str(artifacts / "lab_graph_view.png"))
        page.screenshot(path=str(artifacts / "lab_notebook.png"))

        # the click reached the kernel too
        page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+a")
        page.keyboard.type('print(f"SELECTED={view.selected}")')
        page.keyboard.press("Control+Enter")
        expect(page.locator(".jp-OutputArea-output", has_text="SELECTED=")).to_contain_text("SELECTED=linear")
        assert dialogs == []
    finally:
        page.request.delete(f"{base}/api/sessions/{session['id']}")


# -- the %%learner magic end to end: a graph-built network, trained from a cell, stopped from the page --

def _toy_task_cell(rows: int, features: int) -> str:
    """A setup cell: ``%load_ext jupytorch`` and a binary task ``toy`` of random features."""
    return f"""\
%load_ext jupytorch
import numpy as np
import pandas as pd
import torch
import jupytorch as jt

torch.set_num_threads(1)
rng = np.random.default_rng(0)
X = rng.normal(size=({rows}, {features})).astype("float32")
toy = pd.DataFrame(X, columns=[f"x{{i}}" for i in range({features})])
toy["y"] = pd.Categorical(np.where(X[:, :3].sum(1) > 0, "pos", "neg"))
toy = jt.as_task_classif(toy, target="y", id="toy")
"""


MAGIC_SETUP_CELL = _toy_task_cell(20_000, 20)

# 16 000 training rows in batches of 16: 1 000 batches, most of a second, per epoch; 100 epochs
# would take more than a minute, so the Stop click lands in the middle of the run.
MAGIC_CELL = '''\
%%learner mlp --task toy --train --validate 0.2 --seed 1
po("torch_ingress_num")
>> nn("linear", out_features=64) >> nn("relu")
>> nn("head")
>> po("torch_loss", t_loss("cross_entropy"))
>> po("torch_optimizer", t_opt("adam", lr=0.01))
>> po("torch_callbacks", t_clbk("history"))
>> po("torch_model_classif", epochs=100, batch_size=16)
'''

MAGIC_CHECK_CELL = '''\
tm = mlp.model["torch_model_classif"].model
history = tm.callbacks["history"]
pred = mlp.predict(toy)
print(f"RESULT epochs={tm.epochs} history_rows={len(history)} interrupted={tm.interrupted} "
      f"network={type(tm.network).__name__} predicted={len(pred.response)}")
'''


def test_lab_learner_magic_trains_stops_and_inspects(lab, page, artifacts):
    base, root = lab
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (MAGIC_SETUP_CELL, MAGIC_CELL, MAGIC_CHECK_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "magic_e2e.ipynb")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    page.goto(f"{base}/lab/workspaces/magic-e2e/tree/magic_e2e.ipynb")  # a fresh workspace: only this notebook
    session = _wait_for_kernel(page, base, "magic_e2e.ipynb")
    try:
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()

        # the monitor appears by itself and counts epochs while the cell runs
        monitor = page.locator(".jt-monitor")
        expect(monitor).to_have_count(1, timeout=90_000)
        epochs = monitor.locator('.jt-bar[data-level="train"] .jt-bar-count')
        expect(epochs).to_have_text(re.compile(r"^[2-9]/100$"), timeout=90_000)
        expect(monitor.locator(".jt-status")).to_have_text("running")
        expect(monitor.locator(".jt-monitor-title")).to_contain_text("toy")
        expect(monitor.locator(".jt-chart")).to_have_count(1)  # the loss, train and valid
        monitor.scroll_into_view_if_needed()
        monitor.screenshot(path=str(artifacts / "lab_magic_monitor_running.png"))

        # Stop while the %%learner cell is busy
        monitor.locator(".jt-stop").click()
        expect(monitor.locator(".jt-status")).to_have_text("stopped", timeout=30_000)
        bound = page.locator(".jp-OutputArea-output", has_text="Bound mlp")
        expect(bound).to_be_visible(timeout=30_000)
        # the Stop is reported once, in the widget: no repeat in the cell, no warning block
        assert "Stopped on request" not in bound.inner_text()
        assert page.locator(".jp-OutputArea-output", has_text="JupytorchWarning").count() == 0
        assert page.locator(".jp-OutputArea-output", has_text="stopped by the user").count() == 0

        # the kernel kept the model and its history; the learner predicts
        result = page.locator(".jp-OutputArea-output", has_text=re.compile("RESULT epochs="))
        expect(result).to_be_visible(timeout=60_000)
        text = result.inner_text()
        fields = dict(re.findall(r"(\w+)=(\S+)", text))
        assert 2 <= int(fields["epochs"]) < 100, text
        assert int(fields["history_rows"]) == int(fields["epochs"]), text
        assert fields["interrupted"] == "True", text
        assert fields["network"] == "NNGraph" and fields["predicted"] == "20000", text
        expect(epochs).to_have_text(re.compile(rf"^{fields['epochs']}/100$"))
        monitor.screenshot(path=str(artifacts / "lab_magic_monitor_stopped.png"))

        # the cell's value is the graph inspector of the trained learner: click a layer
        graph = page.locator(".jt-graph")
        expect(graph.locator(".jt-node")).to_have_count(8)
        graph.scroll_into_view_if_needed()
        graph.locator('.jt-node[data-id="linear"]').click()
        panel = graph.locator(".jt-graph-panel")
        expect(panel.locator(".jt-panel-title")).to_have_text("linear")
        expect(panel.locator('tr[data-param="out_features"] td')).to_have_text("64")
        expect(panel.locator(".jt-fact-nparams")).to_have_text("1,344")  # 20 * 64 + 64
        expect(panel.locator(".jt-fact-state")).to_have_text("trained")
        edge = graph.locator('.jt-edge[data-src="linear"] .jt-edge-label')
        expect(edge).to_have_text("(None, 64)")
        graph.screenshot(path=str(artifacts / "lab_magic_graph_view.png"))
        page.screenshot(path=str(artifacts / "lab_magic_notebook.png"))
        assert dialogs == []
    finally:
        page.request.delete(f"{base}/api/sessions/{session['id']}")


# -- LazyTensorPreview in JupyterLab and in Notebook 7 (the same server serves both front ends) ----

PREVIEW_CELL = '''\
import jupytorch as jt
from jupytorch import po

digits = jt.tsk("digits")
augmented = po("augment_random_horizontal_flip").train([digits])[0]
task = po("trafo_normalize", mean=0.3, std=0.3).train([augmented])[0]
preview = jt.LazyTensorPreview(task, page_size=12)
preview
'''

PREVIEW_CHECK_CELL = 'print(f"PREVIEW page={preview.page} compare={preview.compare} first={preview.samples[0][\'row\']}")'


@pytest.mark.parametrize("front_end", ["lab", "notebook"])
def test_lazy_preview_pages_and_compares_in_lab_and_notebook7(lab, page, artifacts, front_end):
    base, root = lab
    name = f"preview_{front_end}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (PREVIEW_CELL, PREVIEW_CHECK_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / name)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # a fresh workspace, so that notebooks of earlier tests are not open beside this one
    page.goto(f"{base}/lab/workspaces/preview-e2e/tree/{name}" if front_end == "lab" else f"{base}/notebooks/{name}")
    session = _wait_for_kernel(page, base, name)
    try:
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()
        widget = page.locator(".jt-lp")
        expect(widget.locator(".jt-lp-card")).to_have_count(12, timeout=60_000)
        expect(widget.locator(".jt-lp-info")).to_have_text("1,797 rows \u00b7 1x8x8")
        widget.locator(".jt-lp-compare-box").check()
        expect(widget.locator(".jt-lp-before")).to_have_count(12, timeout=20_000)
        widget.locator(".jt-lp-next").click()
        expect(widget.locator(".jt-lp-page")).to_have_text("page 2 / 150", timeout=20_000)
        expect(widget.locator(".jt-lp-meta").first).to_contain_text("#12 ")
        widget.locator(".jt-lp-card").first.click()
        expect(widget.locator(".jt-lp-detail-title")).to_contain_text("row 12", timeout=20_000)
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(artifacts / f"{front_end}_lazy_preview.png"))
        page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        expect(page.locator(".jp-OutputArea-output", has_text="PREVIEW")).to_contain_text(
            "PREVIEW page=1 compare=True first=12", timeout=30_000)
        assert dialogs == []
    finally:
        page.request.delete(f"{base}/api/sessions/{session['id']}")


# -- %%learner --tune: the dashboard fills, Stop ends tuning after the running trial; lr_find's figure --

TUNE_SETUP_CELL = _toy_task_cell(8_000, 10)

# 5 600 training rows in batches of 16, 10 epochs: a trial takes a second or two, so six trials
# run long enough for the Stop click to land while tuning is busy.
TUNE_CELL = """\
%%learner net --task toy --tune 6 --tuner "random_search seed=1" --seed 1
lrn("classif.mlp", neurons=(32,), batch_size=16, epochs=10, opt__lr=to_tune(1e-3, 1e-1, logscale=True))
"""

TUNE_CHECK_CELL = """\
states = net_ti.archive["state"].tolist()
print(f"TUNED started={net_ti.n_trials_started()} rows={len(states)} complete={states.count('COMPLETE')} "
      f"stopped={net_ti.stopped} trained={net.is_trained} "
      f"best_lr={net.param_set.values['opt__lr'] == net_ti.result_learner_param_vals['opt__lr']}")
"""

LR_FIND_CELL = """\
result = jt.lr_find(jt.lrn("classif.mlp", neurons=(16,), batch_size=16, epochs=5, seed=1), jt.tsk("iris"), num_steps=40)
print(f"LRFIND steps={len(result.lr)}")
jt.autoplot(result)
"""


@pytest.mark.parametrize("front_end", ["lab", "notebook"])
def test_learner_tune_dashboard_fills_stops_after_the_trial_then_lr_find_figure(lab, page, artifacts, front_end):
    base, root = lab
    name = f"tune_{front_end}.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in (TUNE_SETUP_CELL, TUNE_CELL, TUNE_CHECK_CELL, LR_FIND_CELL)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / name)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_viewport_size({"width": 1100, "height": 1300})  # the dashboard and the trial's monitor fit
    page.goto(f"{base}/lab/workspaces/tune-e2e/tree/{name}" if front_end == "lab" else f"{base}/notebooks/{name}")
    session = _wait_for_kernel(page, base, name)
    try:
        page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile("^Run All Cells$")).click()

        # %%learner --tune shows the dashboard by itself, with the running trial's monitor under it
        dash = page.locator(".jt-td")
        expect(dash).to_have_count(1, timeout=90_000)
        output = page.locator(".jp-OutputArea-output", has=dash)
        trial_monitor = output.locator(".jt-monitor")
        expect(trial_monitor).to_have_count(1, timeout=60_000)
        expect(dash.locator(".jt-td-title")).to_have_text("Tuning net on toy")  # the cell's name, not the study's
        # it fills while the cell runs: counts, and a dot per complete trial in the history
        counts = dash.locator(".jt-td-counts")
        expect(counts).to_have_text(re.compile(r"^[1-5] trials? \([1-5] complete"), timeout=90_000)
        expect(dash.locator(".jt-td-dot").first).to_be_visible()
        output.screenshot(path=str(artifacts / f"{front_end}_dashboard_running.png"))
        dash.locator(".jt-td-stop").click()
        expect(dash.locator(".jt-td-stop")).to_have_text("Stop requested")

        # the kernel: tuning ended early, every trial started finished whole and was kept
        check = page.locator(".jp-OutputArea-output", has_text="TUNED")
        expect(check).to_be_visible(timeout=90_000)
        fields = dict(re.findall(r"(\w+)=(\S+)", check.inner_text()))
        started = int(fields["started"])
        assert 1 <= started < 6, fields  # stopped before the sixth trial
        assert int(fields["rows"]) == int(fields["complete"]) == started, fields  # none cut short, none lost
        assert fields["stopped"] == "True" and fields["trained"] == "True" and fields["best_lr"] == "True", fields
        expect(counts).to_contain_text(f"{started} trial{'s' if started > 1 else ''} ({started} complete)")
        expect(dash.locator(".jt-td-dot")).to_have_count(started)
        # Stop did not cut the running trial's training, and is reported once, in the widget
        expect(trial_monitor.locator(".jt-status")).to_have_text("finished")
        expect(page.locator(".jp-OutputArea-output", has_text="Bound net")).to_be_visible()
        assert page.locator(".jp-OutputArea-output", has_text="JupytorchWarning").count() == 0
        assert page.locator(".jp-OutputArea-output", has_text="Stopped on request").count() == 0
        dash.locator('.jt-td-tab[data-tab="trials"]').click()
        expect(dash.locator(".jt-td-table tr")).to_have_count(started + 1)
        headers = dash.locator(".jt-td-table th").all_inner_texts()
        assert "classif.ce" in headers and "opt__lr" in headers and "jupytorch" not in headers, headers
        output.scroll_into_view_if_needed()
        output.screenshot(path=str(artifacts / f"{front_end}_dashboard_stopped.png"))

        # lr_find: the monitor shows the run, then the figure with the suggestions
        expect(page.locator(".jp-OutputArea-output", has_text="LRFIND")).to_be_visible(timeout=90_000)
        figure = page.locator(".js-plotly-plot").last
        figure.wait_for(timeout=60_000)
        expect(figure.locator(".legendtext", has_text="valley")).to_have_count(1)
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=str(artifacts / f"{front_end}_lr_find.png"))
        assert dialogs == []
    finally:
        page.request.delete(f"{base}/api/sessions/{session['id']}")
