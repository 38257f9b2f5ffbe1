"""LazyTensorPreview: a paged grid of lazy-tensor samples (front end: ``js/lazy_preview.ts``).

Only the rows of the page on screen are materialized and sent, as small PNGs (``_thumbnails``),
so a 70 000-row task opens as fast as a 100-row one. The before/after toggle puts the raw sample
(the dataset field, no steps) next to the preprocessed one; the stage picks the training path
(``augment_*`` steps run; "re-draw" samples them again) or the prediction path.
"""

from __future__ import annotations

import math
import time
from typing import Any

import anywidget
import numpy as np
import traitlets

from jupytorch.notebook._preview_source import preview_source, raw_column, step_list
from jupytorch.notebook._static import Bundle
from jupytorch.notebook._thumbnails import thumbnail

__all__ = ["LazyTensorPreview"]


class LazyTensorPreview(anywidget.AnyWidget):
    """Look at the samples of a lazy-tensor column, before and after preprocessing, a page at a time.

    Parameters
    ----------
    obj : Task, LazyTensorArray, Series, Graph or GraphLearner
        What to preview. A Graph or GraphLearner needs ``task``: the preview then shows the task
        as the graph feeds it to its ``torch_ingress_ltnsr`` (its PipeOps are cloned and trained on
        the task; ``obj`` is not changed).
    task : Task, optional
        The task a graph is previewed on.
    column : str, optional
        The lazy-tensor feature to show (default: the first).
    page_size : int, default 24
        Samples per page.
    seed : int, default 0
        Seeds the random augmentation of the training path; "re-draw" adds one.
    title : str, optional
        Heading (default: the task id and the column).

    Examples
    --------
    >>> import torch
    >>> import jupytorch as jt
    >>> preview = LazyTensorPreview(jt.as_lazy_tensor(torch.rand(50, 1, 8, 8)), page_size=12)
    >>> preview.n_pages, len(preview.samples), preview.samples[0]["kind"]
    (5, 12, 'gray')
    >>> preview.page = 4
    >>> len(preview.samples), preview.samples[0]["row"]
    (2, 48)
    """

    _esm = Bundle("lazy_preview")

    title = traitlets.Unicode("").tag(sync=True)
    column = traitlets.Unicode("").tag(sync=True)
    shape = traitlets.Unicode("").tag(sync=True)
    n_rows = traitlets.Int(0).tag(sync=True)
    n_shown = traitlets.Int(0).tag(sync=True)
    n_pages = traitlets.Int(1).tag(sync=True)
    page = traitlets.Int(0).tag(sync=True)
    page_size = traitlets.Int(24).tag(sync=True)
    classes = traitlets.List(traitlets.Unicode()).tag(sync=True)
    class_filter = traitlets.Unicode("").tag(sync=True)
    steps = traitlets.List(traitlets.Dict()).tag(sync=True)
    stage = traitlets.Enum(("train", "predict"), default_value="predict").tag(sync=True)
    compare = traitlets.Bool(False).tag(sync=True)
    draw = traitlets.Int(0).tag(sync=True)
    samples = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    detail = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    seconds = traitlets.Float(0.0).tag(sync=True)

    def __init__(self, obj: Any, task: Any = None, column: str | None = None, *, page_size: int = 24,
                 seed: int = 0, title: str = "", **kwargs: Any):
        from jupytorch.lazy.graph import shape_to_str

        source = preview_source(obj, task=task, column=column, title=title)
        self._source = source
        self._raw = raw_column(source.column)
        self._seed = int(seed)
        self._positions = np.arange(len(source.column))
        classes: list[str] = []
        if source.labels is not None:
            classes = [str(c) for c in dict.fromkeys(np.sort(np.unique(source.labels)))]
        self._ready = False
        super().__init__(title=source.title, column=source.name, n_rows=len(source.column),
                         shape=shape_to_str(source.column.descriptor.pointer_shape), classes=classes,
                         steps=step_list(source.column), page_size=max(1, int(page_size)), **kwargs)
        self._ready = True
        self._refresh()

    # -- paging -------------------------------------------------------------------------------------
    @traitlets.observe("class_filter")
    def _on_filter(self, change: Any) -> None:
        labels = self._source.labels
        if change["new"] and labels is not None:
            self._positions = np.flatnonzero(labels == change["new"])
        else:
            self._positions = np.arange(len(self._source.column))
        if self.page != 0:
            self.page = 0  # refreshes through the observer below
        else:
            self._refresh()

    @traitlets.observe("page", "page_size", "stage", "compare", "draw")
    def _on_view(self, change: Any) -> None:
        self._refresh()

    @traitlets.observe("selected")
    def _on_selected(self, change: Any) -> None:
        self.detail = self._detail(change["new"]) if change["new"] >= 0 else {}

    def _materialize(self, column: Any, positions: np.ndarray, stage: str) -> list[Any]:
        import torch

        from jupytorch.lazy.materialize import materialize

        rows = column.take(positions)
        if stage == "train":  # random augmentation: drawn from the preview's own seed, the global RNG is kept
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(self._seed + self.draw)
                return materialize(rows, stage="train")
        return materialize(rows, stage=stage)

    def _cards(self, positions: np.ndarray, max_side: int) -> list[dict[str, Any]]:
        source = self._source
        after = self._materialize(source.column, positions, self.stage)
        raw = self._materialize(self._raw, positions, "predict") if self.compare and self.steps else [None] * len(positions)
        cards = []
        for pos, sample, before in zip(positions.tolist(), after, raw):
            card = {"position": pos, "row": int(source.row_ids[pos]),
                    "label": None if source.labels is None else str(source.labels[pos])}
            card.update(thumbnail(sample, max_side) if sample is not None else {"png": "", "kind": "missing"})
            if before is not None:
                card["raw"] = thumbnail(before, max_side)
            cards.append(card)
        return cards

    def _refresh(self) -> None:
        if not self._ready:
            return
        start = time.perf_counter()
        n = len(self._positions)
        n_pages = max(1, math.ceil(n / self.page_size))
        page = min(max(self.page, 0), n_pages - 1)
        chosen = self._positions[page * self.page_size:(page + 1) * self.page_size]
        try:
            samples, error = self._cards(chosen, 96), ""
        except Exception as exc:  # noqa: BLE001 - show the failure in the widget, keep it usable
            samples, error = [], f"{type(exc).__name__}: {exc}"
        with self.hold_sync():
            self.n_shown, self.n_pages = n, n_pages
            if page != self.page:
                self._ready = False
                self.page = page
                self._ready = True
            self.samples, self.error = samples, error
            self.selected, self.detail = -1, {}
            self.seconds = time.perf_counter() - start

    def _detail(self, position: int) -> dict[str, Any]:
        if not 0 <= position < len(self._source.column):
            return {}
        try:
            return self._cards(np.array([position]), 384)[0]
        except Exception as exc:  # noqa: BLE001
            return {"position": position, "error": f"{type(exc).__name__}: {exc}"}

    def redraw(self) -> None:
        """Sample the random augmentations of the training path again (the "re-draw" button)."""
        self.draw += 1
