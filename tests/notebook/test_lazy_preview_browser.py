"""LazyTensorPreview's front end in headless Chromium with a mock model (recipe Path C).

The state comes from real Python widgets; clicks are checked against what the view would send to
the kernel (``window.__saved``), kernel replies are simulated with ``push``. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import pandas as pd
import torch

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails in CI and skips elsewhere
    expect = None

import jupytorch as jt
from jupytorch import po
from jupytorch.notebook._lazy_preview import LazyTensorPreview

EVIL = "<img src=x onerror=alert(1)>"


def preview(labels=None, page_size: int = 6, **kwargs) -> LazyTensorPreview:
    torch.manual_seed(0)
    n = 20
    labels = labels or ["cat", "dog"]
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(torch.rand(n, 3, 12, 12)),
                          "label": pd.Categorical([labels[i % len(labels)] for i in range(n)])})
    task = jt.as_task_classif(frame, target="label", id="pets")
    task = po("augment_random_horizontal_flip").train([task])[0]
    task = po("trafo_normalize", mean=0.5, std=0.2).train([task])[0]
    return LazyTensorPreview(task, page_size=page_size, **kwargs)


def saved(page) -> list[dict]:
    return page.evaluate("window.__saved")


def push(page, widget: LazyTensorPreview) -> None:
    state = {k: v for k, v in widget.get_state().items() if not k.startswith("_")}
    page.evaluate("(s) => window.__models.lazy_preview.push(s)", state)


def test_grid_shows_images_labels_and_stats(page, mount, artifacts):
    widget = preview()
    mount(widget)
    cards = page.locator(".jt-lp-card")
    expect(cards).to_have_count(6)
    assert page.locator(".jt-lp-label").all_inner_texts()[:2] == ["cat", "dog"]
    assert page.locator(".jt-lp-meta").first.inner_text() == "#0 \u00b7 3x12x12 float32"
    assert page.locator(".jt-lp-stats").first.inner_text().startswith("min ")
    assert page.locator(".jt-lp-info").inner_text() == "20 rows \u00b7 3x12x12"
    assert page.locator(".jt-lp-page").inner_text() == "page 1 / 4"
    assert page.locator(".jt-lp-steps").inner_text() == "steps: augment_random_horizontal_flip (train) \u2192 trafo_normalize"
    # the images decoded: natural size is the PNG's, drawn scaled up with crisp pixels
    sizes = page.evaluate("() => [...document.querySelectorAll('.jt-lp-img')].map(i => [i.complete, i.naturalWidth])")
    assert sizes == [[True, 12]] * 6
    assert page.locator(".jt-lp-prev").is_disabled() and not page.locator(".jt-lp-next").is_disabled()
    assert page.evaluate("window.__errors") == []
    page.locator(".jt-lp").screenshot(path=str(artifacts / "lazy_preview_grid.png"))


def test_controls_send_page_stage_compare_filter_redraw_and_selection(page, mount):
    widget = preview()
    mount(widget)
    page.locator(".jt-lp-next").click()
    page.locator(".jt-lp-compare-box").check()
    page.locator(".jt-lp-stage").select_option("train")
    expect(page.locator(".jt-lp-redraw")).to_be_visible()
    page.locator(".jt-lp-redraw").click()
    page.locator(".jt-lp-filter").select_option("dog")
    page.locator(".jt-lp-card").nth(2).click()
    assert saved(page) == [{"page": 1}, {"compare": True}, {"stage": "train"}, {"draw": 1}, {"class_filter": "dog"},
                           {"selected": 2}]


def test_kernel_replies_draw_before_after_pairs_and_the_enlarged_view(page, mount, artifacts):
    widget = preview()
    mount(widget)
    widget.compare = True
    widget.page = 1
    push(page, widget)
    expect(page.locator(".jt-lp-before")).to_have_count(6)
    assert page.locator(".jt-lp-meta").first.inner_text().startswith("#6 ")
    assert page.locator(".jt-lp-page").inner_text() == "page 2 / 4"
    page.locator(".jt-lp").screenshot(path=str(artifacts / "lazy_preview_compare.png"))
    widget.selected = 7
    push(page, widget)
    detail = page.locator(".jt-lp-detail")
    expect(detail).to_be_visible()
    assert page.locator(".jt-lp-detail-title").inner_text() == "row 7 \u00b7 dog"
    assert page.locator(".jt-lp-big").count() == 2
    page.locator(".jt-lp").screenshot(path=str(artifacts / "lazy_preview_detail.png"))
    page.locator(".jt-lp-close").click()
    assert saved(page)[-1] == {"selected": -1}


def test_hostile_labels_stay_text_and_bad_image_data_is_not_loaded(page, mount):
    widget = preview(labels=[EVIL, "ok"], title=EVIL)
    state_samples = widget.samples
    state_samples[1] = {**state_samples[1], "png": "x\" onerror=\"alert(2)"}
    mount(widget)
    page.evaluate("(s) => window.__models.lazy_preview.push({samples: s})", state_samples)
    assert page.locator(".jt-lp-title").inner_text() == EVIL
    assert page.locator(".jt-lp-label").first.inner_text() == EVIL
    assert page.locator(".jt-lp-filter option").nth(1).inner_text() == EVIL
    srcs = page.evaluate("() => [...document.querySelectorAll('img')].map(i => i.getAttribute('src').slice(0, 22))")
    assert set(srcs) == {"data:image/png;base64,"} and len(srcs) == 5  # the bad one is drawn as "?"
    assert page.locator(".jt-lp-missing").inner_text() == "?"
    page.wait_for_timeout(100)
    assert page.evaluate("window.__dialogs") == 0 and page.evaluate("window.__errors") == []
