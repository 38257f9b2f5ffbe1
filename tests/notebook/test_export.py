"""``make demo``'s machinery: run examples/demo.ipynb headlessly, export HTML, render it without a kernel."""

import re
from pathlib import Path

import nbformat
import pytest

from jupytorch.notebook import export

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails in CI and skips elsewhere
    expect = None

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo.ipynb"
WS = "application/vnd.jupyter.widget-state+json"
# a script, module import or stylesheet fetched from another host (a CDN)
REMOTE = re.compile(r"""<script[^>]*\ssrc=["']?(?:https?:)?//|import\(\s*["'](?:https?:)?//|<link[^>]*\shref=["']?(?:https?:)?//""", re.I)


def test_exported_html_loads_nothing_from_a_cdn():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("A formula: $\\sum_i x_i^2$"),
        nbformat.v4.new_code_cell("1 + 1", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/vnd.mermaid": "graph LR; a --> b", "text/plain": "a -> b"})]),
        # what plotly's HTML renderers put in front of every figure
        nbformat.v4.new_code_cell("fig", outputs=[nbformat.v4.new_output("display_data", data={"text/html": (
            '<div> <script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/tex-svg.min.js"></script>'
            '<script>if (window.MathJax) {}</script><div id="fig"></div></div>')})]),
    ])
    nb.metadata["widgets"] = {WS: {"version_major": 2, "version_minor": 0, "state": {}}}
    html = export.notebook_html(nb)
    assert '<script src="require.js">' in html and "'embed-amd.js'" in html  # the page's own scripts
    assert REMOTE.findall(html) == []
    assert "cdnjs" not in html and '<div id="fig"></div>' in html
    assert REMOTE.search('<script src="https://cdnjs.cloudflare.com/x.js">')  # the pattern sees a CDN script
    assert REMOTE.search('await import("https://cdn.jsdelivr.net/npm/m.mjs")')


def test_missing_page_scripts_say_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.setattr(export, "EMBED_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"require.js, embed-amd.js missing .* run `make embed`"):
        export.embed_scripts()
    assert export.main([str(DEMO), "--out", str(tmp_path / "out")]) == 2  # fails before running anything


def test_the_demo_notebook_runs_and_its_html_renders_without_a_kernel(page, artifacts, tmp_path):
    try:
        export.embed_scripts()
    except FileNotFoundError as error:
        pytest.fail(str(error))
    nb = export.execute_notebook(DEMO, timeout=300)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    states = nb.metadata["widgets"][WS]["state"]
    names = sorted({s["model_name"] for s in states.values()})
    assert "AnyModel" in names
    html = export.export_html(nb, tmp_path, "demo")
    assert {p.name for p in tmp_path.iterdir()} >= {"demo.html", "demo.ipynb", "require.js", "embed-amd.js", "anywidget.js"}

    assert REMOTE.findall(html.read_text(encoding="utf-8")) == []
    problems, remote = [], []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else remote.append(r.url))
    page.goto(html.as_uri())
    # graph inspectors (pipeline, %%learner result), monitors (benchmark, training, the tuning's trials),
    # a lazy-tensor preview, a tuning dashboard, two figures
    expect(page.locator(".jt-monitor")).to_have_count(3, timeout=30_000)
    for k in range(3):
        expect(page.locator(".jt-monitor .jt-status").nth(k)).to_have_text("finished")
    training = page.locator(".jt-monitor").nth(1)
    expect(training.locator('.jt-bar[data-level="train"] .jt-bar-count')).to_have_text("20/20")
    expect(training.locator(".jt-chart")).to_have_count(2)  # loss and classif.acc
    expect(page.locator(".jt-monitor").first.locator(".jt-chart")).to_have_count(0)  # a benchmark has no curves
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=30_000)
    graphs = page.locator(".jt-graph")
    expect(graphs).to_have_count(2)
    pipeline = graphs.first
    expect(pipeline.locator(".jt-node")).to_have_count(3)
    # the page works on its own: a click selects a node (the model lives in the page)
    pipeline.locator('.jt-node[data-id="pca"]').click()
    expect(pipeline.locator('.jt-graph-panel tr[data-param="rank"] td')).to_have_text("3")
    network = graphs.last
    expect(network.locator(".jt-node")).to_have_count(12)
    expect(network.locator('.jt-node[data-id="linear"] .jt-node-sub')).to_have_text(re.compile(r"layer · \d+ params"))
    page.screenshot(path=str(artifacts / "demo_static_html.png"), full_page=True)

    # each of the four widget kinds renders with content, not only its element (a screenshot each)
    kinds = {"graph_view": network, "training_monitor": training, "lazy_preview": page.locator(".jt-lp"),
             "tuning_dashboard": page.locator(".jt-td")}
    for kind, widget in kinds.items():
        expect(widget).to_have_count(1)
        box = widget.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, (kind, box)
    for line in ("train", "valid"):  # the curves are drawn: a line through the 20 epochs
        path = training.locator(f".jt-chart-line.jt-{line}").first
        assert path.get_attribute("d").count("L") == 19, line
    expect(training.locator(".jt-epoch-table tr")).to_have_count(21)
    preview = kinds["lazy_preview"]
    expect(preview.locator(".jt-lp-card")).to_have_count(16)
    expect(preview.locator(".jt-lp-info")).to_have_text("1,797 rows \u00b7 1x8x8")
    expect(preview.locator(".jt-lp-label").first).to_have_text(re.compile(r"^\d$"))  # the digit under the image
    drawn = preview.locator("img.jt-lp-img").evaluate_all("imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length")
    assert drawn == 16  # every image decoded, none broken
    dashboard = kinds["tuning_dashboard"]
    expect(dashboard.locator(".jt-td-dot")).to_have_count(15)
    expect(dashboard.locator(".jt-td-counts")).to_contain_text("15 trials (15 complete)")
    expect(dashboard.locator(".jt-td-best")).to_have_text(re.compile(r"^best: trial \d+, value = [\d.]+; maxdepth=\d, minsplit=\d+$"))
    expect(dashboard.locator(".jt-td-best-line")).to_have_count(1)
    for kind, widget in kinds.items():
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(artifacts / f"demo_{kind}.png"))
    dashboard.locator('.jt-td-tab[data-tab="trials"]').click()  # the tabs work without a kernel too
    expect(dashboard.locator(".jt-td-table tr")).to_have_count(16)
    assert problems == []
    assert remote == []  # the page asked no server for anything
