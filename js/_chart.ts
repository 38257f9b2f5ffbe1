// Small SVG line charts for the training curves (one chart per measure, train solid, valid
// dashed). Hand-written rather than plotly: a few KB instead of ~3.5 MB in every monitor's `_esm`
// (which notebooks and the `make demo` HTML embed per widget), fast to redraw at every epoch,
// and themed by Jupyter's CSS variables. The scale helpers are pure and tested with vitest.
import { clear, h, s } from "./_dom";
import { formatNumber } from "./_format";

export type XY = [number, number];

export interface MetricSeries {
  train: XY[];
  valid: XY[];
}

export interface HistoryLike {
  epoch: number;
  train?: Record<string, number | null>;
  valid?: Record<string, number | null>;
}

/** Group history rows into one train/valid pair of series per measure, in order of appearance. */
export function seriesByMetric(history: HistoryLike[]): Map<string, MetricSeries> {
  const out = new Map<string, MetricSeries>();
  for (const row of history) {
    for (const split of ["train", "valid"] as const) {
      for (const [name, value] of Object.entries(row[split] ?? {})) {
        if (!out.has(name)) out.set(name, { train: [], valid: [] });
        if (typeof value === "number" && Number.isFinite(value)) out.get(name)![split].push([row.epoch, value]);
      }
    }
  }
  return out;
}

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 4): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((st) => st >= raw) ?? 10 * power;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1] < hi) ticks.push(Number((ticks[ticks.length - 1] + step).toPrecision(12)));
  return ticks;
}

/** Integer ticks for the epoch axis: every epoch when there are few, else round multiples. */
export function epochTicks(maxEpoch: number, count = 6): number[] {
  const hi = Math.max(1, Math.floor(maxEpoch));
  if (hi <= count) return Array.from({ length: hi }, (_, i) => i + 1);
  let step = 1;
  for (let power = 1; step * count < hi; power *= 10) {
    step = [1, 2, 5, 10].map((m) => m * power).find((st) => st * count >= hi) ?? 10 * power;
  }
  const ticks: number[] = [];
  for (let v = step; v <= hi; v += step) ticks.push(v);
  return ticks;
}

const W = 320;
const H = 168;
const M = { left: 46, right: 10, top: 24, bottom: 24 };

/** Log-scale ticks (in log10 units) covering [lo, hi] given in log10 units: whole decades, or nice steps within one. */
export function logTicks(lo: number, hi: number): number[] {
  if (Math.floor(hi) - Math.ceil(lo) >= 1) {
    const out: number[] = [];
    const step = Math.max(1, Math.ceil((Math.ceil(hi) - Math.floor(lo)) / 5));
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e += step) out.push(e);
    return out;
  }
  return niceTicks(Math.pow(10, lo), Math.pow(10, hi), 4).filter((v) => v > 0).map((v) => Math.log10(v));
}

/** Left margin (in chart units) that fits the longest tick label. */
export function leftMargin(labels: string[]): number {
  const longest = Math.max(1, ...labels.map((l) => l.length));
  return Math.max(28, Math.ceil(10 + longest * 5.6));
}

/** Draw one chart of `name` into `container` (replacing what was there); `log` puts the y axis on a log scale
 * (when every value is positive). */
export function drawMetricChart(container: HTMLElement, name: string, series: MetricSeries, log = false): void {
  clear(container);
  const all = [...series.train, ...series.valid];
  const svg = s("svg", { class: "jt-chart-svg", viewBox: `0 0 ${W} ${H}`, role: "img" });
  svg.appendChild(s("title", {}, `${name}: train and validation by epoch`));
  svg.appendChild(s("text", { class: "jt-chart-title", x: M.left, y: 14 }, name));
  const legendX = W - M.right;
  if (series.valid.length) {
    svg.appendChild(s("text", { class: "jt-chart-legend jt-valid", x: legendX, y: 14, "text-anchor": "end" }, "- - valid"));
  }
  if (series.train.length) {
    svg.appendChild(
      s("text", { class: "jt-chart-legend jt-train", x: legendX - (series.valid.length ? 52 : 0), y: 14, "text-anchor": "end" }, "\u2014 train"),
    );
  }
  if (all.length === 0) {
    container.appendChild(svg);
    return;
  }
  const logScale = log && all.every((p) => p[1] > 0);
  svg.dataset.scale = logScale ? "log" : "linear";
  const tf = (y: number) => (logScale ? Math.log10(y) : y);
  const ys = all.map((p) => tf(p[1]));
  const yTicks = logScale ? logTicks(Math.min(...ys), Math.max(...ys)) : niceTicks(Math.min(...ys), Math.max(...ys), 4);
  const yLo = Math.min(yTicks[0], ...ys);
  const yHi = Math.max(yTicks[yTicks.length - 1], ...ys);
  const labels = yTicks.map((t) => formatNumber(logScale ? Number(Math.pow(10, t).toPrecision(6)) : t, 3));
  const left = leftMargin(labels);
  const xHi = Math.max(...all.map((p) => p[0]), 2);
  const xTicks = epochTicks(xHi);
  const px = (x: number) => left + ((x - 1) / Math.max(1, xHi - 1)) * (W - left - M.right);
  const py = (y: number) => H - M.bottom - ((tf(y) - yLo) / Math.max(1e-300, yHi - yLo)) * (H - M.top - M.bottom);
  const pt = (t: number) => H - M.bottom - ((t - yLo) / Math.max(1e-300, yHi - yLo)) * (H - M.top - M.bottom);

  const axes = s("g", { class: "jt-chart-axes" });
  yTicks.forEach((t, i) => {
    axes.appendChild(s("line", { class: "jt-chart-grid", x1: left, x2: W - M.right, y1: pt(t), y2: pt(t) }));
    axes.appendChild(s("text", { class: "jt-chart-tick jt-chart-ytick", x: left - 5, y: pt(t) + 3.5, "text-anchor": "end" }, labels[i]));
  });
  for (const t of xTicks) {
    axes.appendChild(s("text", { class: "jt-chart-tick", x: px(t), y: H - M.bottom + 13, "text-anchor": "middle" }, String(t)));
  }
  axes.appendChild(s("text", { class: "jt-chart-tick", x: W - M.right, y: H - 2, "text-anchor": "end" }, "epoch"));
  svg.appendChild(axes);

  for (const split of ["train", "valid"] as const) {
    const points = series[split];
    if (!points.length) continue;
    const d = points.map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join("");
    svg.appendChild(s("path", { class: `jt-chart-line jt-${split}`, d }));
    for (const [x, y] of points) {
      // every point carries its value as a hover tooltip; beyond 40 points the dots show only on hover
      const dot = s("circle", { class: `jt-chart-dot jt-${split}${points.length > 40 ? " jt-chart-dot-hidden" : ""}`,
        cx: px(x), cy: py(y), r: 2.3 });
      dot.appendChild(s("title", {}, `epoch ${x} ${split} ${name}: ${formatNumber(y, 6)}`));
      svg.appendChild(dot);
    }
  }
  container.appendChild(svg);
}

/** Draw every measure of `history` into `container`, one chart each (`log`: log-scale y axes). */
export function drawCharts(container: HTMLElement, history: HistoryLike[], log = false): void {
  clear(container);
  const byMetric = seriesByMetric(history);
  if (byMetric.size === 0) {
    container.appendChild(h("div", "jt-chart-empty", "Curves appear after the first epoch."));
    return;
  }
  for (const [name, series] of byMetric) {
    const box = h("div", "jt-chart");
    box.dataset.metric = name;
    drawMetricChart(box, name, series, log);
    container.appendChild(box);
  }
}
