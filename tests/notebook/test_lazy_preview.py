"""LazyTensorPreview, Python side: paging, filtering, before/after, re-draw and enlarging."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

import jupytorch as jt
from jupytorch import po
from jupytorch.notebook._lazy_preview import LazyTensorPreview


class CountingDataset(torch.utils.data.Dataset):
    """A 70 000-row dataset that counts the rows it is asked for."""

    def __init__(self, n: int = 70_000):
        self.n, self.read = n, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.read += 1
        return {"image": torch.full((1, 4, 4), (i % 256) / 255)}


def digit_task(n: int = 30):
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(torch.rand(n, 1, 5, 5)),
                          "digit": pd.Categorical([str(i % 3) for i in range(n)])})
    return jt.as_task_classif(frame, target="digit", id="digits3")


def test_synced_traits_match_the_typescript_model(model_mirror):
    python, typescript = model_mirror(LazyTensorPreview, "lazy_preview", "LazyTensorPreviewModel")
    assert python == typescript


def test_pages_hold_page_size_samples_with_labels_and_stats():
    preview = LazyTensorPreview(digit_task(), page_size=8)
    assert (preview.n_rows, preview.n_shown, preview.n_pages, preview.shape) == (30, 30, 4, "1x5x5")
    assert preview.classes == ["0", "1", "2"]
    first = preview.samples[0]
    assert (first["row"], first["label"], first["kind"], first["shape"]) == (0, "0", "gray", [1, 5, 5])
    assert first["min"] <= first["mean"] <= first["max"]
    preview.page = 3
    assert [s["row"] for s in preview.samples] == list(range(24, 30))
    preview.page = 99  # clamped to the last page
    assert preview.page == 3


def test_class_filter_resets_the_page_and_keeps_only_that_class():
    preview = LazyTensorPreview(digit_task(), page_size=4)
    preview.page = 2
    preview.class_filter = "2"
    assert preview.page == 0 and preview.n_shown == 10 and preview.n_pages == 3
    assert {s["label"] for s in preview.samples} == {"2"}
    assert [s["row"] for s in preview.samples] == [2, 5, 8, 11]
    preview.class_filter = ""
    assert preview.n_shown == 30


def test_only_the_page_is_read_from_a_large_dataset():
    data = CountingDataset()
    preview = LazyTensorPreview(jt.as_lazy_tensor(data, {"image": (None, 1, 4, 4)}), page_size=24)
    assert preview.n_rows == 70_000 and preview.n_pages == 2917
    assert data.read <= 24 + 1  # the page (and at most one row to infer a shape)
    preview.page = 2000
    assert preview.samples[0]["row"] == 48_000 and data.read <= 2 * 24 + 1


def test_before_after_and_stages_follow_the_steps():
    task = digit_task()
    flipped = po("augment_random_horizontal_flip", p=0.5).train([task])[0]
    normed = po("trafo_normalize", mean=0.5, std=0.1).train([flipped])[0]
    preview = LazyTensorPreview(normed, page_size=30)
    assert [s["stage"] for s in preview.steps] == ["train", "both"]
    assert "raw" not in preview.samples[0]
    preview.compare = True
    raw = jt.materialize(task.data()["image"].array, rbind=True)
    for sample, original in zip(preview.samples, raw):
        assert abs(sample["raw"]["mean"] - float(original.mean())) < 1e-6
        # predict stage: normalize only
        assert abs(sample["mean"] - float((original.mean() - 0.5) / 0.1)) < 1e-4


def test_redraw_resamples_train_augmentation_reproducibly_without_touching_global_rng():
    task = digit_task()
    flipped = po("augment_random_horizontal_flip", p=0.5).train([task])[0]
    preview = LazyTensorPreview(flipped, page_size=30, seed=3)
    preview.stage = "train"
    torch.manual_seed(11)
    expected_next = torch.rand(1)
    torch.manual_seed(11)
    first = [s["png"] for s in preview.samples]
    preview.redraw()
    second = [s["png"] for s in preview.samples]
    assert torch.equal(torch.rand(1), expected_next)  # the user's global generator did not move
    assert first != second
    again = LazyTensorPreview(flipped, page_size=30, seed=3, stage="train")
    assert [s["png"] for s in again.samples] == first  # same seed, same draws


def test_selecting_a_sample_sends_a_larger_detail_and_closes_on_page_change():
    frame = pd.DataFrame({"image": jt.as_lazy_tensor(torch.rand(6, 3, 200, 100)), "y": np.arange(6.0)})
    preview = LazyTensorPreview(jt.as_task_regr(frame, target="y", id="big"), page_size=3)
    assert preview.samples[0]["height"] == 96
    preview.selected = 4
    assert (preview.detail["row"], preview.detail["height"], preview.detail["label"]) == (4, 200, "4.0")  # full size up to 384 px
    preview.page = 1
    assert preview.selected == -1 and preview.detail == {}


def test_a_failing_step_shows_an_error_and_the_widget_stays_usable():
    task = digit_task()
    broken = po("preproc_torch", fn=_fail_on_large_batches, shapes_out=(None, 1, 5, 5)).train([task])[0]
    preview = LazyTensorPreview(broken, page_size=10)
    assert preview.samples == [] and "RuntimeError: too many" in preview.error
    preview.page_size = 2
    assert preview.error == "" and len(preview.samples) == 2


def _fail_on_large_batches(batch):
    if batch.shape[0] > 4:
        raise RuntimeError("too many rows")
    return batch
