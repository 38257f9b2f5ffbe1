"""The widgets' front ends in headless Chromium, each with a mock anywidget model (recipe Path C).

The state comes from the real Python widgets (``get_state()``), so these tests check that what
the kernel sends is what the TypeScript reads. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails in CI and skips elsewhere
    expect = None

from progress_events import Clock, ev

from jupytorch.notebook._graph_view import GraphView
from jupytorch.notebook._training_monitor import TrainingMonitor

EVIL = "<img src=x onerror=alert(1)>"


def mlp_spec(evil: str = "nn_linear") -> dict:
    return {
        "nodes": [
            {"id": "encode", "kind": "preprocessing", "label": "encode", "params": {"method": "one-hot"},
             "state": "trained"},
            {"id": "torch_ingress_num", "kind": "ingress", "label": "torch_ingress_num"},
            {"id": "linear", "kind": "layer", "label": evil, "params": {"out_features": 64, "bias": True},
             "state": None, "n_params": 1344},
            {"id": "relu", "kind": "layer", "label": "nn_relu", "n_params": 0},
            {"id": "head", "kind": "layer", "label": "nn_head", "params": {}, "n_params": 130},
            {"id": "loss", "kind": "loss", "label": "torch_loss", "params": {"loss": "cross_entropy"}},
            {"id": "opt", "kind": "optimizer", "label": "torch_optimizer", "params": {"lr": 0.01}},
            {"id": "model", "kind": "model", "label": "torch_model_classif",
             "params": {"epochs": 10, "batch_size": 32, "device": "cpu"}},
        ],
        "edges": [
            {"src": "encode", "dst": "torch_ingress_num", "label": ""},
            {"src": "torch_ingress_num", "dst": "linear", "label": "(None, 20)"},
            {"src": "linear", "dst": "relu", "label": "(None, 64)"},
            {"src": "relu", "dst": "head", "label": "(None, 64)"},
            {"src": "head", "dst": "loss", "label": "(None, 2)"},
            {"src": "loss", "dst": "opt", "label": ""},
            {"src": "opt", "dst": "model", "label": ""},
        ],
    }


def saved(page) -> list[dict]:
    return page.evaluate("window.__saved")


def assert_clean(page) -> None:
    """No script error, no alert from injected markup, no <img> anywhere."""
    assert page.evaluate("window.__errors") == []
    assert page.evaluate("window.__dialogs") == 0
    assert page.locator("img").count() == 0


def test_graph_view_draws_nodes_by_kind_with_legend_and_shapes(page, mount, artifacts):
    mount(GraphView(mlp_spec()))
    nodes = page.locator(".jt-node")
    expect(nodes).to_have_count(8)
    assert page.locator('.jt-node[data-kind="layer"]').count() == 3
    legend = page.locator(".jt-legend-item").all_inner_texts()
    assert legend == ["preprocessing", "ingress", "layer", "loss", "optimizer", "model"]
    assert page.locator(".jt-legend-count").inner_text() == "8 nodes \u00b7 7 edges"
    assert page.locator(".jt-edge-label").all_text_contents() == ["(None, 20)", "(None, 64)", "(None, 64)", "(None, 2)"]
    assert page.locator('.jt-node[data-id="linear"] .jt-node-sub').text_content() == "layer \u00b7 1,344 params"
    # layer colours differ by kind (computed fill of the node boxes)
    fills = page.evaluate("""() => ['torch_ingress_num', 'linear', 'loss'].map((id) =>
        getComputedStyle(document.querySelector(`.jt-node[data-id="${id}"] .jt-node-box`)).fill)""")
    assert len(set(fills)) == 3
    # top-to-bottom: the ingress sits above the head
    y = page.evaluate("""() => ['torch_ingress_num', 'head'].map((id) =>
        document.querySelector(`.jt-node[data-id="${id}"]`).getBoundingClientRect().top)""")
    assert y[0] < y[1]
    assert_clean(page)


def test_graph_view_click_shows_parameters_and_syncs_selected(page, mount, artifacts):
    mount(GraphView(mlp_spec()))
    expect(page.locator(".jt-panel-hint")).to_be_visible()
    page.locator('.jt-node[data-id="model"]').click()
    panel = page.locator(".jt-graph-panel")
    expect(panel.locator(".jt-panel-title")).to_have_text("torch_model_classif")
    rows = panel.locator(".jt-params tr")
    assert rows.count() == 3
    assert panel.locator('tr[data-param="batch_size"] td').text_content() == "32"
    assert panel.locator('tr[data-param="device"] td').text_content() == "cpu"
    assert saved(page) == [{"selected": "model"}]
    page.locator('.jt-node[data-id="linear"]').click()
    expect(panel.locator(".jt-fact-nparams")).to_have_text("1,344")
    expect(panel.locator(".jt-fact-state")).to_have_text("none")
    assert page.locator(".jt-node.jt-selected").count() == 1
    page.screenshot(path=str(artifacts / "graph_view_mock.png"), full_page=True)
    # the kernel selects a node; then Escape closes the panel (and tells the kernel)
    page.evaluate("window.__models.graph_view.push({selected: 'encode'})")
    expect(panel.locator(".jt-panel-title")).to_have_text("encode")
    expect(panel.locator(".jt-fact-state")).to_have_text("trained")
    page.locator('.jt-node[data-id="encode"]').focus()
    page.keyboard.press("Escape")
    expect(page.locator(".jt-panel-hint")).to_be_visible()
    assert saved(page)[-1] == {"selected": ""}
    assert_clean(page)


def test_graph_view_redraws_when_the_spec_changes(page, mount):
    view = GraphView(mlp_spec())
    mount(view)
    view.spec = {"nodes": [{"id": "a", "kind": "learner"}, {"id": "b"}], "edges": [{"src": "a", "dst": "b"}]}
    page.evaluate("(spec) => window.__models.graph_view.push({spec})", view.get_state()["spec"])
    expect(page.locator(".jt-node")).to_have_count(2)
    assert page.locator(".jt-legend-item").all_inner_texts() == ["learner", "other"]
    page.evaluate("window.__models.graph_view.push({spec: {nodes: [], edges: []}})")
    expect(page.locator(".jt-graph-empty")).to_have_text("The graph is empty.")


def test_graph_view_shows_malicious_strings_as_text(page, mount, artifacts):
    spec = mlp_spec(evil=EVIL)
    spec["nodes"][0]["params"] = {EVIL: EVIL}
    spec["nodes"][0]["state"] = EVIL
    spec["nodes"][1]["id"] = EVIL
    spec["edges"][0]["dst"] = spec["edges"][1]["src"] = EVIL
    spec["edges"][1]["label"] = EVIL
    mount(GraphView(spec))
    assert page.locator('.jt-node[data-id="linear"] .jt-node-label').text_content() == EVIL
    assert EVIL in page.locator(".jt-edge-label").all_text_contents()
    page.locator('.jt-node[data-id="encode"]').click()
    assert page.locator(".jt-params th").first.text_content() == EVIL
    assert page.locator(".jt-params td").first.text_content() == EVIL
    assert page.locator(".jt-fact-state").text_content() == EVIL
    page.locator(".jt-node").nth(1).click()
    assert page.locator(".jt-fact-id").text_content() == EVIL
    page.wait_for_timeout(200)  # give a would-be onerror handler time to fire
    page.screenshot(path=str(artifacts / "graph_view_escaping.png"), full_page=True)
    assert_clean(page)




def trained_monitor(epochs_done: int, title: str = "") -> tuple[TrainingMonitor, Clock]:
    """A monitor fed like a trainer would: 10 epochs of 100 batches, `epochs_done` finished."""
    clock = Clock()
    monitor = TrainingMonitor(clock=clock, title=title)
    gib = 2**30
    monitor.handle(ev("train", "begin", 10, learner_id="classif.mlp", task_id="mnist",
                      device={"type": "cuda", "name": "NVIDIA H100 80GB HBM3", "memory_total": 80 * gib}))
    for epoch in range(1, epochs_done + 2):
        monitor.handle(ev("epoch", "begin", 100, epoch=epoch))
        last = 100 if epoch <= epochs_done else 40
        for i in range(1, last + 1):
            clock.t += 0.01
            monitor.handle(ev("batch", "advance", 100, i, loss=1.0 / epoch + 0.1, samples=32 * i,
                              device={"memory_used": 3 * gib, "memory_peak": 5 * gib, "utilization": 87}))
        if epoch <= epochs_done:
            monitor.handle(ev("epoch", "end", 100, 100, epoch=epoch,
                              train={"loss": 1.0 / epoch, "classif.acc": 1 - 0.4 / epoch},
                              valid={"loss": 1.2 / epoch + 0.05, "classif.acc": 1 - 0.5 / epoch}))
    monitor.flush()
    return monitor, clock


def push_state(page, monitor: TrainingMonitor) -> None:
    state = {k: v for k, v in monitor.get_state().items() if not k.startswith("_")}
    page.evaluate("(s) => window.__models.training_monitor.push(s)", state)


def test_training_monitor_shows_progress_device_and_curves(page, mount, artifacts):
    idle = TrainingMonitor()
    mount(idle)
    expect(page.locator(".jt-status")).to_have_text("waiting")
    expect(page.locator(".jt-stop")).to_be_disabled()
    expect(page.locator(".jt-charts")).to_be_hidden()  # nothing trains yet: no curve placeholder

    monitor, _ = trained_monitor(3)
    push_state(page, monitor)
    expect(page.locator(".jt-monitor-title")).to_have_text("Training classif.mlp on mnist")
    expect(page.locator(".jt-status")).to_have_text("running")
    expect(page.locator('.jt-bar[data-level="train"] .jt-bar-count')).to_have_text("3/10")
    expect(page.locator('.jt-bar[data-level="epoch"] .jt-bar-count')).to_have_text("40/100")
    assert page.locator('.jt-bar[data-level="epoch"] .jt-bar-label').text_content() == "Batches (epoch 4)"
    assert page.locator('.jt-bar[data-level="epoch"] .jt-bar-rate').text_content() == "100 batches/s"
    assert page.locator('.jt-bar[data-level="train"] .jt-bar-eta').text_content().startswith("ETA ")
    assert page.locator('.jt-stat[data-stat="samples_per_s"] .jt-stat-value').text_content() == "3200"
    assert page.locator('.jt-stat[data-stat="loss"] .jt-stat-value').text_content() == "0.35"
    assert page.locator(".jt-device-name").text_content() == "cuda: NVIDIA H100 80GB HBM3"
    memory = "memory 3.00 GiB used \u00b7 5.00 GiB peak \u00b7 of 80.0 GiB"
    assert page.locator(".jt-device-memory").text_content() == memory
    assert page.locator(".jt-device-util").text_content() == "utilization 87%"
    assert page.locator(".jt-chart").evaluate_all("els => els.map(e => e.dataset.metric)") == ["loss", "classif.acc"]
    assert page.locator(".jt-chart-line.jt-train").count() == 2 and page.locator(".jt-chart-line.jt-valid").count() == 2
    expect(page.locator(".jt-stop")).to_be_enabled()
    page.screenshot(path=str(artifacts / "training_monitor_mock.png"), full_page=True)

    # the next epoch ends: the numbers move
    monitor.handle(ev("batch", "advance", 100, 100))
    monitor.handle(ev("epoch", "end", 100, 100, epoch=4, train={"loss": 0.2, "classif.acc": 0.95}))
    push_state(page, monitor)
    expect(page.locator('.jt-bar[data-level="train"] .jt-bar-count')).to_have_text("4/10")
    assert page.locator(".jt-chart-dot.jt-train").count() == 8
    assert_clean(page)


def test_training_monitor_stop_sets_the_trait_once(page, mount):
    monitor, _ = trained_monitor(1)
    mount(monitor)
    stop = page.locator(".jt-stop")
    expect(stop).to_be_enabled()
    stop.click()
    assert saved(page) == [{"stop_requested": True}]
    expect(stop).to_be_disabled()
    expect(stop).to_have_text("Stopping\u2026")
    # the kernel sees it and answers with its own state: stopping, then stopped at the run's end
    monitor.set_state({"stop_requested": True})
    push_state(page, monitor)
    expect(page.locator(".jt-status")).to_have_text("stopping\u2026")
    monitor.handle(ev("train", "end", 10, 1, stopped=True))
    push_state(page, monitor)
    expect(page.locator(".jt-status")).to_have_text("stopped")
    expect(page.locator(".jt-message")).to_contain_text("its history are kept")
    expect(stop).to_have_text("Stop")
    expect(stop).to_be_disabled()
    assert saved(page) == [{"stop_requested": True}]
    assert_clean(page)


def test_training_monitor_shows_malicious_strings_as_text(page, mount, artifacts):
    monitor, _ = trained_monitor(2, title=EVIL)
    monitor.handle(ev("epoch", "end", 100, 100, epoch=3, train={EVIL: 0.5}, device={"name": EVIL}))
    mount(monitor)
    assert page.locator(".jt-monitor-title").text_content() == EVIL
    assert page.locator(".jt-device-name").text_content() == f"cuda: {EVIL}"
    assert page.locator(f'.jt-chart[data-metric="{EVIL}"] .jt-chart-title').text_content() == EVIL
    titles = page.locator(".jt-chart-title").all_text_contents()
    assert EVIL in titles
    page.wait_for_timeout(200)
    assert_clean(page)


def test_training_monitor_dark_theme(page, mount, artifacts):
    page.goto(page.url)
    page.evaluate("document.body.classList.add('dark')")
    monitor, _ = trained_monitor(6)
    mount(monitor)
    mount(GraphView(mlp_spec()))
    page.locator('.jt-node[data-id="head"]').click()
    fg = page.evaluate("getComputedStyle(document.querySelector('.jt-monitor-title')).color")
    assert fg == "rgb(221, 221, 221)"  # follows --jp-ui-font-color1
    page.screenshot(path=str(artifacts / "widgets_dark_mock.png"), full_page=True)
    assert_clean(page)


def test_monitor_on_large_losses_log_scale_hover_and_epoch_table(page, mount, artifacts):
    monitor = TrainingMonitor()
    monitor.handle({"level": "train", "stage": "begin", "total": 5, "completed": 0,
                    "info": {"learner_id": EVIL, "task_id": "california", "device": {"type": "cpu", "name": "2 cores"}}})
    for epoch in range(1, 6):
        monitor.handle({"level": "epoch", "stage": "begin", "total": 10, "completed": 0, "info": {"epoch": epoch}})
        monitor.handle({"level": "epoch", "stage": "end", "total": 10, "completed": 10,
                        "info": {"epoch": epoch, "train": {"loss": 4.44e9 / epoch**3},
                                 "valid": {"loss": 5.1e9 / epoch**3, EVIL: 0.5}}})
    monitor.flush()
    mount(monitor)
    ticks = page.locator('.jt-chart[data-metric="loss"] .jt-chart-ytick').all_text_contents()
    assert any(t.endswith("G") for t in ticks) and not any("e+" in t for t in ticks), ticks
    # every tick label lies inside the chart (the left margin fits it)
    lefts = page.evaluate("""() => [...document.querySelectorAll('.jt-chart[data-metric="loss"] .jt-chart-ytick')]
        .map(t => t.getBBox().x)""")
    assert min(lefts) >= 0
    hover = page.locator('.jt-chart[data-metric="loss"] .jt-chart-dot.jt-train title').first.text_content()
    assert hover == "epoch 1 train loss: 4.44G"
    assert page.locator('.jt-chart[data-metric="loss"] svg').get_attribute("data-scale") == "linear"
    page.locator(".jt-log-toggle").check()
    assert page.locator('.jt-chart[data-metric="loss"] svg').get_attribute("data-scale") == "log"
    log_ticks = page.locator('.jt-chart[data-metric="loss"] .jt-chart-ytick').all_text_contents()
    assert "1.00G" in log_ticks and "100M" in log_ticks, log_ticks
    # the per-epoch table: epoch, measures, duration, time stamp; hostile measure names stay text
    header = page.locator(".jt-epochs tr").first.locator("th").all_text_contents()
    assert header == ["epoch", "train loss", "valid loss", f"valid {EVIL}", "duration", "time"]
    assert page.locator(".jt-epochs tr").count() == 6
    first = page.locator(".jt-epochs tr").nth(1).locator("td").all_text_contents()
    assert first[:3] == ["1", "4.44G", "5.10G"] and first[4].endswith("s")
    assert page.locator(".jt-device-label").text_content() == "device"
    assert page.locator(".jt-monitor-title").text_content() == f"Training {EVIL} on california"
    assert page.evaluate("window.__errors") == [] and page.evaluate("window.__dialogs") == 0
    assert page.locator("img").count() == 0
    page.locator(".jt-monitor").screenshot(path=str(artifacts / "monitor_large_losses_log.png"))


def test_benchmark_without_epochs_shows_scores_not_curves(page, mount):
    monitor = TrainingMonitor()
    monitor.handle({"level": "benchmark", "stage": "begin", "total": 2, "completed": 0, "info": {}})
    for k, (learner, mse) in enumerate([(EVIL, 25.5), ("regr.featureless", 40.9)]):
        info = {"learner_id": learner, "task_id": "mtcars", "resampling_id": "cv", "experiment": k, "score": {"regr.mse": mse}}
        monitor.handle({"level": "resample", "stage": "begin", "total": 3, "completed": 0, "info": info})
        monitor.handle({"level": "resample", "stage": "end", "total": 3, "completed": 3, "info": info})
    monitor.handle({"level": "benchmark", "stage": "end", "total": 2, "completed": 2, "info": {}})
    mount(monitor)
    rows = page.locator(".jt-scores tr")
    expect(rows).to_have_count(3)
    assert rows.first.locator("th").all_text_contents() == ["learner", "task", "resampling", "iterations", "regr.mse (mean)"]
    assert rows.nth(1).locator("td").all_text_contents() == [EVIL, "mtcars", "cv", "3/3", "25.5"]
    assert not page.locator(".jt-charts").is_visible()  # no "Curves appear after the first epoch"
    assert not page.locator(".jt-chart-tools").is_visible()
    assert page.evaluate("window.__errors") == [] and page.locator("img").count() == 0
