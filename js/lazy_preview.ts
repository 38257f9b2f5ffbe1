// Front end of jupytorch/notebook/_lazy_preview.py (LazyTensorPreview): a paged grid of lazy-tensor
// samples as small PNG thumbnails with label, shape, dtype and min/mean/max; a before/after toggle
// (raw sample next to the preprocessed one), the stage (train: augmentation runs, "re-draw" samples
// it again; predict), a class filter, and a click that enlarges a sample. The kernel materializes
// one page at a time; this file only draws what it sends. All text via textContent; image sources
// are built here from base64 text checked against the base64 alphabet.
import type { RenderProps } from "@anywidget/types";
import { addStyle, clear, h } from "./_dom";
import { formatNumber } from "./_format";
import css from "./lazy_preview.css";

export interface Thumb {
  png: string;
  kind: string;
  width?: number;
  height?: number;
  shape?: number[];
  dtype?: string;
  min?: number | null;
  mean?: number | null;
  max?: number | null;
}

export interface Sample extends Thumb {
  position: number;
  row: number;
  label: string | null;
  raw?: Thumb;
  error?: string;
}

/** Synced traits of LazyTensorPreview (jupytorch/notebook/_lazy_preview.py), one to one. */
export interface LazyTensorPreviewModel {
  title: string;
  column: string;
  shape: string;
  n_rows: number;
  n_shown: number;
  n_pages: number;
  page: number;
  page_size: number;
  classes: string[];
  class_filter: string;
  steps: Array<{ name: string; stage: string }>;
  stage: "train" | "predict";
  compare: boolean;
  draw: number;
  samples: Sample[];
  selected: number;
  detail: Sample | Record<string, never>;
  error: string;
  seconds: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A data URL for PNG bytes sent as base64 text, or "" when the text is not base64. */
export function pngUrl(png: string | undefined): string {
  return png && BASE64.test(png) ? `data:image/png;base64,${png}` : "";
}

/** "1x28x28 float32" */
export function shapeText(t: Thumb): string {
  return [t.shape ? t.shape.join("x") : "", t.dtype ?? ""].filter(Boolean).join(" ");
}

/** "min 0 · mean 0.1307 · max 1" */
export function statsText(t: Thumb): string {
  return `min ${formatNumber(t.min)} \u00b7 mean ${formatNumber(t.mean)} \u00b7 max ${formatNumber(t.max)}`;
}

function image(t: Thumb, scale: number, cls: string): HTMLElement {
  const url = pngUrl(t.png);
  if (!url) return h("div", `${cls} jt-lp-missing`, t.kind === "missing" ? "NA" : "?");
  const img = h("img", cls);
  img.src = url;
  img.alt = shapeText(t);
  img.dataset.kind = t.kind;
  const w = t.width ?? 28;
  const ht = t.height ?? 28;
  // small images are drawn with crisp pixels at a readable size; strips get a fixed height
  const factor = t.kind === "strip" ? Math.max(1, Math.floor(96 / Math.max(w, 1))) : Math.max(1, Math.floor(scale / Math.max(w, ht)));
  img.style.width = `${Math.min(w * factor, t.kind === "strip" ? 192 : scale * 1.5)}px`;
  img.style.height = t.kind === "strip" ? "14px" : "auto";
  return img;
}

function card(sample: Sample, compare: boolean): HTMLElement {
  const box = h("button", "jt-lp-card");
  box.type = "button";
  box.dataset.position = String(sample.position);
  const pics = h("div", "jt-lp-pics");
  if (compare && sample.raw) {
    const before = h("figure", "jt-lp-before");
    before.append(image(sample.raw, 72, "jt-lp-img"), h("figcaption", "", "before"));
    const after = h("figure", "jt-lp-after");
    after.append(image(sample, 72, "jt-lp-img"), h("figcaption", "", "after"));
    pics.append(before, after);
  } else {
    pics.append(image(sample, 84, "jt-lp-img"));
  }
  box.appendChild(pics);
  if (sample.label !== null && sample.label !== undefined) box.appendChild(h("div", "jt-lp-label", sample.label));
  box.appendChild(h("div", "jt-lp-meta", `#${sample.row} \u00b7 ${shapeText(sample)}`));
  box.appendChild(h("div", "jt-lp-stats", statsText(sample)));
  box.title = `row ${sample.row}: click to enlarge`;
  return box;
}

function render({ model, el }: RenderProps<LazyTensorPreviewModel>) {
  addStyle(el, css);
  const root = h("div", "jt-lp");
  const head = h("div", "jt-lp-head");
  const title = h("span", "jt-lp-title");
  const info = h("span", "jt-lp-info");
  head.append(title, info);

  const tools = h("div", "jt-lp-tools");
  const compareLabel = h("label", "jt-lp-compare");
  const compare = h("input");
  compare.type = "checkbox";
  compare.className = "jt-lp-compare-box";
  compareLabel.append(compare, h("span", "", "before / after"));
  const stage = h("select", "jt-lp-stage");
  for (const [value, text] of [["predict", "predict stage"], ["train", "train stage (augmented)"]]) {
    const opt = h("option", "", text);
    opt.value = value;
    stage.appendChild(opt);
  }
  const redraw = h("button", "jt-lp-redraw", "\u21bb re-draw");
  redraw.type = "button";
  redraw.title = "Sample the random augmentations again";
  const filter = h("select", "jt-lp-filter");
  const prev = h("button", "jt-lp-prev", "\u25c0");
  prev.type = "button";
  const pageText = h("span", "jt-lp-page");
  const next = h("button", "jt-lp-next", "\u25b6");
  next.type = "button";
  const pager = h("span", "jt-lp-pager");
  pager.append(prev, pageText, next);
  tools.append(compareLabel, stage, redraw, filter, pager);

  const steps = h("div", "jt-lp-steps");
  const error = h("div", "jt-lp-error");
  const grid = h("div", "jt-lp-grid");
  const overlay = h("div", "jt-lp-detail");
  root.append(head, tools, steps, error, overlay, grid);
  el.appendChild(root);

  const set = (name: keyof LazyTensorPreviewModel, value: unknown) => {
    model.set(name, value as never);
    model.save_changes();
  };
  compare.addEventListener("change", () => set("compare", compare.checked));
  stage.addEventListener("change", () => set("stage", stage.value));
  redraw.addEventListener("click", () => set("draw", (model.get("draw") ?? 0) + 1));
  filter.addEventListener("change", () => set("class_filter", filter.value));
  prev.addEventListener("click", () => set("page", Math.max(0, model.get("page") - 1)));
  next.addEventListener("click", () => set("page", Math.min(model.get("n_pages") - 1, model.get("page") + 1)));
  grid.addEventListener("click", (event) => {
    const target = (event.target as HTMLElement).closest(".jt-lp-card") as HTMLElement | null;
    if (target) set("selected", Number(target.dataset.position));
  });
  overlay.addEventListener("click", (event) => {
    if ((event.target as HTMLElement).closest(".jt-lp-close")) set("selected", -1);
  });

  function updateHead() {
    title.textContent = model.get("title") || "Lazy tensor";
    const n = model.get("n_rows");
    const shown = model.get("n_shown");
    const filtered = shown !== n ? `${shown.toLocaleString("en-US")} of ` : "";
    info.textContent = `${filtered}${n.toLocaleString("en-US")} rows \u00b7 ${model.get("shape")}`;
  }
  function updateTools() {
    const hasSteps = (model.get("steps") ?? []).length > 0;
    const hasTrainSteps = (model.get("steps") ?? []).some((st) => st.stage === "train");
    compare.checked = !!model.get("compare");
    compareLabel.hidden = !hasSteps;
    stage.value = model.get("stage");
    stage.hidden = !hasSteps;
    redraw.hidden = !hasTrainSteps || model.get("stage") !== "train";
    const classes = model.get("classes") ?? [];
    clear(filter);
    filter.hidden = classes.length === 0;
    const all = h("option", "", "all classes");
    all.value = "";
    filter.appendChild(all);
    for (const c of classes) {
      const opt = h("option", "", c);
      opt.value = c;
      filter.appendChild(opt);
    }
    filter.value = model.get("class_filter") ?? "";
    const page = model.get("page");
    const pages = model.get("n_pages");
    pageText.textContent = `page ${page + 1} / ${pages}`;
    prev.disabled = page <= 0;
    next.disabled = page >= pages - 1;
  }
  function updateSteps() {
    const list = model.get("steps") ?? [];
    steps.textContent = list.length
      ? `steps: ${list.map((st) => (st.stage === "both" ? st.name : `${st.name} (${st.stage})`)).join(" \u2192 ")}`
      : "no preprocessing steps";
  }
  function updateGrid() {
    clear(grid);
    const comparing = !!model.get("compare");
    for (const sample of model.get("samples") ?? []) grid.appendChild(card(sample, comparing));
    error.textContent = model.get("error") ?? "";
    error.hidden = !model.get("error");
  }
  function updateDetail() {
    clear(overlay);
    const d = model.get("detail") as Sample;
    overlay.hidden = !d || d.position === undefined;
    if (overlay.hidden) return;
    const panel = h("div", "jt-lp-detail-panel");
    const close = h("button", "jt-lp-close", "\u2715");
    close.type = "button";
    panel.appendChild(close);
    const heading = d.label !== null && d.label !== undefined ? `row ${d.row} \u00b7 ${d.label}` : `row ${d.row}`;
    panel.appendChild(h("div", "jt-lp-detail-title", heading));
    if (d.error) panel.appendChild(h("div", "jt-lp-error", d.error));
    const pics = h("div", "jt-lp-pics");
    for (const [t, label] of [[d.raw, "before"], [d, d.raw ? "after" : ""]] as Array<[Thumb | undefined, string]>) {
      if (!t || !t.png) continue;
      const fig = h("figure", "jt-lp-big");
      fig.append(image(t, 288, "jt-lp-big-img"));
      fig.appendChild(h("figcaption", "", [label, shapeText(t), statsText(t)].filter(Boolean).join(" \u00b7 ")));
      pics.appendChild(fig);
    }
    panel.appendChild(pics);
    overlay.appendChild(panel);
  }

  updateHead();
  updateTools();
  updateSteps();
  updateGrid();
  updateDetail();
  const handlers: Array<[string, () => void]> = [
    ["change:title", updateHead],
    ["change:n_rows", updateHead],
    ["change:n_shown", updateHead],
    ["change:shape", updateHead],
    ["change:page", updateTools],
    ["change:n_pages", updateTools],
    ["change:classes", updateTools],
    ["change:class_filter", updateTools],
    ["change:stage", updateTools],
    ["change:compare", updateTools],
    ["change:steps", () => { updateSteps(); updateTools(); }],
    ["change:samples", updateGrid],
    ["change:error", updateGrid],
    ["change:detail", updateDetail],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
  };
}

export default { render };
