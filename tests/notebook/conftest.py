"""Fixtures for the notebook layer's tests: the TS model mirror check and the browser harnesses; also the
%%learner cell bodies that test_cell.py and test_cell_body.py share (``from .conftest import PIPELINE``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import anywidget
import pytest

from jupytorch.notebook._static import Bundle

ROOT = Path(__file__).resolve().parents[2]
JS_DIR = ROOT / "js"

# -- %%learner cell bodies ------------------------------------------------------------------------
PIPELINE = '''
po("scale")   # a comment
>> po("pca", rank=2)

>> lrn("regr.rpart", maxdepth=3)
'''

TORCH_CELL = '''po("torch_ingress_num")
>> nn("linear", out_features=8) >> nn("relu")
>> nn("head")
>> po("torch_loss", t_loss("cross_entropy"))
>> po("torch_optimizer", t_opt("adam", lr=0.05))
>> po("torch_model_classif", epochs=2, batch_size=32)'''


def _ts_model_fields(module: str, interface: str) -> set[str]:
    source = (JS_DIR / f"{module}.ts").read_text(encoding="utf-8")
    match = re.search(rf"export interface {interface} \{{(.*?)\n\}}", source, re.S)
    assert match, f"interface {interface} not found in js/{module}.ts"
    return set(re.findall(r"^\s+(\w+)\??:", match.group(1), re.M))


def _python_synced_fields(cls: type) -> set[str]:
    base = set(anywidget.AnyWidget.class_traits(sync=True))
    return {name for name in cls.class_traits(sync=True) if name not in base and not name.startswith("_")}


@pytest.fixture
def model_mirror():
    """``model_mirror(WidgetClass, "graph_view", "GraphViewModel")`` -> (python fields, TS fields)."""

    def check(cls: type, module: str, interface: str) -> tuple[set[str], set[str]]:
        return _python_synced_fields(cls), _ts_model_fields(module, interface)

    return check


# -- browser harnesses (docs/dev/contributing.md, "Browser tests") ----------------------------------

# Debian's Chromium; elsewhere set CHROMIUM to the browser's executable (see docs/dev/contributing.md).
CHROMIUM = (os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
            or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STATIC = ROOT / "jupytorch" / "notebook" / "static"
ARTIFACTS = ROOT / "test-artifacts"
BUNDLES = ("graph_view", "training_monitor", "lazy_preview", "tuning_dashboard")


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where the browser tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run (.ci/run installs Chromium).")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]')")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    yield chromium
    chromium.close()
    pw.stop()


def _local_only(route) -> None:
    if route.request.url.startswith("http://127.0.0.1"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def page(browser):
    """A fresh page that can reach only 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1100, "height": 820})
    pg = context.new_page()
    pg.route("http*://**", _local_only)
    yield pg
    context.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def harness_url(tmp_path_factory) -> str:
    """URL of a page with a mock anywidget model, serving the built bundles under /static/."""
    missing = [name for name in BUNDLES if not (STATIC / f"{name}.js").is_file()]
    if missing:
        pytest.fail(f"widget bundles {missing} are not built: run `make` or `cd js && npm ci && npm run build`.")
    root = tmp_path_factory.mktemp("harness")
    shutil.copy(Path(__file__).parent / "harness.html", root / "index.html")
    (root / "static").mkdir()
    for name in BUNDLES:
        shutil.copy(STATIC / f"{name}.js", root / "static" / f"{name}.js")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.fixture
def mount(page, harness_url):
    """``mount(widget)`` renders a Python widget's front end with its state; returns the mock model handle."""
    page.goto(harness_url)
    page.wait_for_function("window.__ready === true")

    def do_mount(widget, name: str | None = None) -> str:
        bundle = next(vars(c)["_esm"] for c in type(widget).__mro__ if isinstance(vars(c).get("_esm"), Bundle))
        module = bundle.name
        name = name or module
        state = {k: v for k, v in widget.get_state().items() if not k.startswith("_")}
        page.evaluate("([n, url, s]) => window.mount(n, url, s)", [name, f"./static/{module}.js", state])
        return name

    return do_mount


# -- a real JupyterLab (recipe section 3 and 7) ---------------------------------------------------
@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 over a throw-away root; yields (base_url, root_dir)."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)")
    if importlib.util.find_spec("jupyterlab") is None:
        _unavailable("jupyterlab is not installed (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("lab")
    root = work / "root"
    root.mkdir()
    settings = work / "settings"
    for plugin, values in {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(work / "config"), JUPYTER_RUNTIME_DIR=str(work / "runtime"),
               JUPYTER_PLATFORM_DIRS="1", PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    log = open(work / "lab.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", "--port=0",
         f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
         "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={work / 'ws'}"],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        info_file = work / "runtime" / f"jpserver-{proc.pid}.json"
        deadline = time.monotonic() + 60
        base = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(work / 'lab.log').read_text(errors='replace')[-2000:]}")
            if info_file.exists():
                try:
                    base = json.loads(info_file.read_text())["url"].rstrip("/")
                    urllib.request.urlopen(f"{base}/api/status", timeout=2).read()
                    break
                except (OSError, ValueError, KeyError):
                    base = None
            time.sleep(0.2)
        if base is None:
            pytest.fail("JupyterLab did not start within 60 s")
        yield base, root
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
