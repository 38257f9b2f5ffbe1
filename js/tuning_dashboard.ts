// Front end of jupytorch/notebook/_tuning_dashboard.py (TuningDashboard): an Optuna study as tabs
// (best-so-far history, trial table, parallel coordinates, importance, slices, intermediate values,
// Pareto front) and a Stop button that sets `stop_requested`. Charts are small hand-drawn SVGs (see
// _chart.ts for why not plotly). The table shows 100 rows a page so 500+ trials stay responsive.
// All text via textContent / setAttribute.
import type { RenderProps } from "@anywidget/types";
import { niceTicks } from "./_chart";
import { addStyle, clear, h, s } from "./_dom";
import { formatDuration, formatNumber, formatValue } from "./_format";
import css from "./tuning_dashboard.css";

export interface TrialRow {
  number: number;
  state: string;
  values: Array<number | null> | null;
  params: Record<string, unknown>;
  duration_s: number | null;
  start: string | null;
  user_attrs: Record<string, unknown>;
  intermediate: Array<[number, number]>;
}

export interface ParamInfo {
  kind: "float" | "int" | "categorical";
  log?: boolean;
  low?: number;
  high?: number;
  choices?: unknown[];
}

/** Synced traits of TuningDashboard (jupytorch/notebook/_tuning_dashboard.py), one to one. */
export interface TuningDashboardModel {
  title: string;
  directions: string[];
  metric_names: string[];
  trials: TrialRow[];
  params: Record<string, ParamInfo>;
  best: { number?: number; values?: Array<number | null>; params?: Record<string, unknown> };
  pareto: number[];
  counts: Record<string, number>;
  importance: Record<string, number>;
  tab: string;
  live: boolean;
  updated: string;
  stop_requested: boolean;
}

const TABS: Array<[string, string]> = [
  ["history", "history"], ["trials", "trials"], ["parallel", "parallel coordinates"], ["importance", "importance"],
  ["slice", "slice"], ["intermediate", "intermediate values"], ["pareto", "Pareto front"],
];
const W = 640;
const H = 260;
const M = { left: 56, right: 14, top: 22, bottom: 34 };

/** Running best of the first objective over complete trials, in trial order. */
export function bestSoFar(trials: TrialRow[], direction: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let best: number | null = null;
  for (const t of trials) {
    const v = t.state === "complete" && t.values ? t.values[0] : null;
    if (v === null || v === undefined) continue;
    if (best === null || (direction === "maximize" ? v > best : v < best)) best = v;
    out.push([t.number, best]);
  }
  return out;
}

/** Rows filtered by a text query (matched against state, number and "name=value" of each parameter). */
export function filterTrials(trials: TrialRow[], query: string): TrialRow[] {
  const q = query.trim().toLowerCase();
  if (!q) return trials;
  return trials.filter((t) => {
    const text = [t.state, `#${t.number}`, ...Object.entries(t.params).map(([k, v]) => `${k}=${formatValue(v)}`)]
      .join(" ").toLowerCase();
    return q.split(/\s+/).every((part) => text.includes(part));
  });
}

/** Sort key of a row for a column ("number", "state", "value", "duration", "param:<name>", "attr:<name>"). */
export function sortKey(t: TrialRow, column: string): number | string {
  const missing = Number.POSITIVE_INFINITY;
  if (column === "number") return t.number;
  if (column === "state") return t.state;
  if (column.startsWith("value")) return t.values?.[Number(column.slice(5) || 0)] ?? missing;
  if (column === "duration") return t.duration_s ?? missing;
  const [kind, name] = [column.slice(0, column.indexOf(":")), column.slice(column.indexOf(":") + 1)];
  const v = kind === "param" ? t.params[name] : t.user_attrs[name];
  return typeof v === "number" ? v : v === undefined || v === null ? missing : formatValue(v);
}

interface Axis { lo: number; hi: number; log: boolean; ticks: number[] }

/** An axis over ``values``; ``integer`` (trial numbers, steps) keeps whole-number ticks only. */
function axis(values: number[], log = false, integer = false): Axis {
  const vs = log ? values.filter((v) => v > 0).map(Math.log10) : values;
  let ticks = vs.length ? niceTicks(Math.min(...vs), Math.max(...vs), 4) : [0, 1];
  if (integer) {
    const whole = ticks.filter((t) => Number.isInteger(t));
    ticks = whole.length >= 2 ? whole : [Math.floor(ticks[0]), Math.ceil(ticks[ticks.length - 1])];
  }
  return { lo: Math.min(ticks[0], ...vs), hi: Math.max(ticks[ticks.length - 1], ...vs), log, ticks };
}

function frame(title: string, xLabel: string, yLabel: string, x: Axis, y: Axis) {
  const svg = s("svg", { class: "jt-td-svg", viewBox: `0 0 ${W} ${H}`, role: "img" });
  svg.appendChild(s("title", {}, title));
  const px = (v: number) => M.left + (((x.log ? Math.log10(v) : v) - x.lo) / Math.max(1e-12, x.hi - x.lo)) * (W - M.left - M.right);
  const py = (v: number) => H - M.bottom - (((y.log ? Math.log10(v) : v) - y.lo) / Math.max(1e-12, y.hi - y.lo)) * (H - M.top - M.bottom);
  const lab = (t: number, a: Axis) => formatNumber(a.log ? Number(Math.pow(10, t).toPrecision(4)) : t, 3);
  for (const t of y.ticks) {
    const yy = py(y.log ? Math.pow(10, t) : t);
    svg.append(s("line", { class: "jt-td-grid", x1: M.left, x2: W - M.right, y1: yy, y2: yy }),
      s("text", { class: "jt-td-tick", x: M.left - 5, y: yy + 3.5, "text-anchor": "end" }, lab(t, y)));
  }
  for (const t of x.ticks) {
    svg.appendChild(s("text", { class: "jt-td-tick", x: px(x.log ? Math.pow(10, t) : t), y: H - M.bottom + 13, "text-anchor": "middle" }, lab(t, x)));
  }
  svg.append(s("text", { class: "jt-td-axis", x: W - M.right, y: H - 4, "text-anchor": "end" }, xLabel),
    s("text", { class: "jt-td-axis", x: 4, y: 11 }, yLabel));
  return { svg, px, py };
}

function dot(svg: SVGElement, cx: number, cy: number, cls: string, tip: string, r = 3) {
  const c = s("circle", { class: cls, cx, cy, r });
  c.appendChild(s("title", {}, tip));
  svg.appendChild(c);
}

function empty(text: string): HTMLElement {
  return h("div", "jt-td-empty", text);
}

/** A parameter value for display: numbers with about five significant digits. */
function paramText(v: unknown): string {
  return typeof v === "number" && !Number.isInteger(v) ? formatNumber(v, 5) : formatValue(v);
}

function trialTip(t: TrialRow, metric: string): string {
  const params = Object.entries(t.params).map(([k, v]) => `${k}=${paramText(v)}`).join(", ");
  return `trial ${t.number} (${t.state}) ${metric}=${formatNumber(t.values?.[0] ?? null)} ${params}`;
}

function render({ model, el }: RenderProps<TuningDashboardModel>) {
  addStyle(el, css);
  const root = h("div", "jt-td");
  const head = h("div", "jt-td-head");
  const title = h("span", "jt-td-title");
  const counts = h("span", "jt-td-counts");
  const liveLabel = h("label", "jt-td-live");
  const liveBox = h("input", "jt-td-live-box");
  liveBox.type = "checkbox";
  liveLabel.append(liveBox, h("span", "", "live"));
  const stop = h("button", "jt-td-stop", "Stop");
  stop.type = "button";
  stop.title = "End tuning after the running trial; the study keeps every finished trial.";
  head.append(title, counts, liveLabel, stop);
  const bestLine = h("div", "jt-td-best");
  const tabs = h("div", "jt-td-tabs");
  const body = h("div", "jt-td-body");
  root.append(head, bestLine, tabs, body);
  el.appendChild(root);

  let sortColumn = "number";
  let sortDesc = false;
  let query = "";
  let page = 0;
  let sliceParam = "";

  stop.addEventListener("click", () => {
    model.set("stop_requested", true);
    model.save_changes();
    updateHead();
  });
  liveBox.addEventListener("change", () => {
    model.set("live", liveBox.checked);
    model.save_changes();
  });

  function metric(): string {
    return (model.get("metric_names") ?? [])[0] ?? "value";
  }

  function updateHead() {
    title.textContent = model.get("title") || "Tuning";
    const c = model.get("counts") ?? {};
    const parts = Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    const n = (model.get("trials") ?? []).length;
    counts.textContent = `${n} ${n === 1 ? "trial" : "trials"}${parts.length ? ` (${parts.join(", ")})` : ""}` +
      (model.get("updated") ? ` \u00b7 updated ${model.get("updated")}` : "");
    liveBox.checked = !!model.get("live");
    const requested = !!model.get("stop_requested");
    stop.disabled = requested;
    stop.textContent = requested ? "Stop requested" : "Stop";
    stop.title = requested ? "Tuning ends after the running trial; the study keeps every finished trial."
      : "End tuning after the running trial; the study keeps every finished trial.";
    const best = model.get("best") ?? {};
    bestLine.textContent = best.number === undefined ? ""
      : `best: trial ${best.number}, ${metric()} = ${formatNumber(best.values?.[0] ?? null, 6)}; ` +
        Object.entries(best.params ?? {}).map(([k, v]) => `${k}=${paramText(v)}`).join(", ");
  }

  function drawTabs() {
    clear(tabs);
    const multi = (model.get("directions") ?? []).length > 1;
    for (const [key, label] of TABS) {
      if (key === "pareto" && !multi) continue;
      const b = h("button", "jt-td-tab", label);
      b.type = "button";
      b.dataset.tab = key;
      if (model.get("tab") === key) b.classList.add("jt-td-tab-on");
      b.addEventListener("click", () => {
        model.set("tab", key);
        model.save_changes();
        drawTabs();
        drawBody();
      });
      tabs.appendChild(b);
    }
  }

  function drawHistory() {
    const trials = model.get("trials") ?? [];
    const done = trials.filter((t) => t.state === "complete" && t.values && t.values[0] !== null);
    if (!done.length) {
      body.appendChild(empty("No complete trial yet."));
      return;
    }
    const direction = (model.get("directions") ?? ["minimize"])[0];
    const ys = done.map((t) => t.values![0] as number);
    const x = axis(trials.map((t) => t.number), false, true);
    const { svg, px, py } = frame("objective by trial", "trial", metric(), x, axis(ys));
    for (const t of done) dot(svg, px(t.number), py(t.values![0] as number), "jt-td-dot", trialTip(t, metric()));
    const best = bestSoFar(trials, direction);
    // a step line: the best so far holds until a better trial arrives
    const d = best.map(([n, v], i) => `${i ? `H${px(n).toFixed(1)}V` : `M${px(n).toFixed(1)},`}${py(v).toFixed(1)}`).join("");
    svg.appendChild(s("path", { class: "jt-td-best-line", d }));
    body.appendChild(svg);
  }

  function drawTable() {
    const trials = model.get("trials") ?? [];
    const params = Object.keys(model.get("params") ?? {});
    const attrs = [...new Set(trials.flatMap((t) => Object.keys(t.user_attrs ?? {})))].slice(0, 6);
    const nValues = Math.max(1, (model.get("directions") ?? []).length);
    const names = model.get("metric_names") ?? [];
    const filter = h("input", "jt-td-filter");
    filter.placeholder = "filter: e.g. complete lr=0.01";
    filter.value = query;
    filter.addEventListener("input", () => {
      query = filter.value;
      page = 0;
      drawRows();
    });
    const pager = h("span", "jt-td-pager");
    body.append(h("div", "jt-td-table-tools", undefined), h("div", "jt-td-table-box"));
    body.firstElementChild!.append(filter, pager);
    const box = body.lastElementChild as HTMLElement;
    const columns: Array<[string, string]> = [["number", "#"], ["state", "state"]];
    for (let i = 0; i < nValues; i++) columns.push([`value${i}`, names[i] ?? "value"]);
    columns.push(["duration", "runtime"]);
    for (const p of params) columns.push([`param:${p}`, p]);
    for (const a of attrs) columns.push([`attr:${a}`, a]);
    function drawRows() {
      clear(box);
      clear(pager);
      const rows = filterTrials(trials, query).slice().sort((a, b) => {
        const ka = sortKey(a, sortColumn);
        const kb = sortKey(b, sortColumn);
        const c = typeof ka === "number" && typeof kb === "number" ? ka - kb : String(ka).localeCompare(String(kb));
        return sortDesc ? -c : c;
      });
      const pages = Math.max(1, Math.ceil(rows.length / 100));
      page = Math.min(page, pages - 1);
      const table = h("table", "jt-td-table");
      const tr = h("tr");
      for (const [key, label] of columns) {
        const th = h("th", key === sortColumn ? `jt-td-sorted${sortDesc ? " jt-td-desc" : ""}` : "", label);
        th.dataset.column = key;
        th.addEventListener("click", () => {
          sortDesc = key === sortColumn ? !sortDesc : false;
          sortColumn = key;
          drawRows();
        });
        tr.appendChild(th);
      }
      table.appendChild(tr);
      for (const t of rows.slice(page * 100, page * 100 + 100)) {
        const row = h("tr");
        row.dataset.state = t.state;
        row.dataset.number = String(t.number);
        for (const [key] of columns) {
          let text: string;
          if (key === "number") text = String(t.number);
          else if (key === "state") text = t.state;
          else if (key.startsWith("value")) text = formatNumber(t.values?.[Number(key.slice(5))] ?? null, 6);
          else if (key === "duration") text = formatDuration(t.duration_s);
          else {
            const v = sortKey(t, key);
            text = v === Number.POSITIVE_INFINITY ? "" : typeof v === "number" ? formatNumber(v, 6) : v;
          }
          row.appendChild(h("td", "", text));
        }
        table.appendChild(row);
      }
      box.appendChild(table);
      pager.textContent = `${rows.length} rows \u00b7 page ${page + 1}/${pages} `;
      for (const [label, delta] of [["\u25c0", -1], ["\u25b6", 1]] as Array<[string, number]>) {
        const b = h("button", "jt-td-page", label);
        b.type = "button";
        b.disabled = page + delta < 0 || page + delta >= pages;
        b.addEventListener("click", () => {
          page += delta;
          drawRows();
        });
        pager.appendChild(b);
      }
    }
    drawRows();
  }

  function numeric(_name: string, v: unknown, info: ParamInfo): number | null {
    if (info.kind === "categorical") {
      const i = (info.choices ?? []).findIndex((c) => formatValue(c) === formatValue(v));
      return i < 0 ? null : i;
    }
    return typeof v === "number" ? (info.log && v > 0 ? Math.log10(v) : v) : null;
  }

  function drawParallel() {
    const trials = (model.get("trials") ?? []).filter((t) => t.state === "complete" && t.values);
    const params = model.get("params") ?? {};
    const names = Object.keys(params);
    if (!trials.length || !names.length) {
      body.appendChild(empty("No complete trial with parameters yet."));
      return;
    }
    const cols = [...names, metric()];
    const svg = s("svg", { class: "jt-td-svg", viewBox: `0 0 ${W} ${H}`, role: "img" });
    const xs = cols.map((_, i) => M.left + (i / Math.max(1, cols.length - 1)) * (W - M.left - M.right - 30));
    const ranges = cols.map((c, i) => {
      const vs = trials.map((t) => (i < names.length ? numeric(c, t.params[c], params[c]) : t.values![0])).filter((v): v is number => v !== null);
      return [Math.min(...vs), Math.max(...vs)];
    });
    const y = (i: number, v: number) => {
      const [lo, hi] = ranges[i];
      return H - M.bottom - ((v - lo) / Math.max(1e-12, hi - lo)) * (H - M.top - M.bottom);
    };
    const objective = ranges[ranges.length - 1];
    const direction = (model.get("directions") ?? ["minimize"])[0];
    for (const t of trials) {
      const pts = cols.map((c, i) => (i < names.length ? numeric(c, t.params[c], params[c]) : t.values![0]));
      if (pts.some((p) => p === null)) continue;
      const d = pts.map((p, i) => `${i ? "L" : "M"}${xs[i].toFixed(1)},${y(i, p as number).toFixed(1)}`).join("");
      const v = t.values![0] as number;
      let q = (v - objective[0]) / Math.max(1e-12, objective[1] - objective[0]);
      if (direction === "minimize") q = 1 - q; // better trials darker
      const path = s("path", { class: "jt-td-pc-line", d, "stroke-opacity": (0.15 + 0.75 * q).toFixed(2) });
      path.appendChild(s("title", {}, trialTip(t, metric())));
      svg.appendChild(path);
    }
    cols.forEach((c, i) => {
      svg.append(s("line", { class: "jt-td-pc-axis", x1: xs[i], x2: xs[i], y1: M.top, y2: H - M.bottom }),
        s("text", { class: "jt-td-axis jt-td-pc-name", x: xs[i], y: H - M.bottom + 14, "text-anchor": "middle" }, c));
      const info = i < names.length ? params[c] : undefined;
      const lo = info?.kind === "categorical" ? formatValue(info.choices?.[ranges[i][0]]) : formatNumber(info?.log ? Math.pow(10, ranges[i][0]) : ranges[i][0], 3);
      const hi = info?.kind === "categorical" ? formatValue(info.choices?.[ranges[i][1]]) : formatNumber(info?.log ? Math.pow(10, ranges[i][1]) : ranges[i][1], 3);
      svg.append(s("text", { class: "jt-td-tick", x: xs[i] + 3, y: M.top + 8 }, hi), s("text", { class: "jt-td-tick", x: xs[i] + 3, y: H - M.bottom - 2 }, lo));
    });
    body.appendChild(svg);
  }

  function drawImportance() {
    const imp = Object.entries(model.get("importance") ?? {}).sort((a, b) => b[1] - a[1]);
    if (!imp.length) {
      body.appendChild(empty("Importance appears once a few trials are complete (computed while this tab is open)."));
      return;
    }
    const list = h("div", "jt-td-imp");
    for (const [name, value] of imp) {
      const row = h("div", "jt-td-imp-row");
      const bar = h("span", "jt-td-imp-bar");
      bar.style.width = `${Math.max(1, value * 100).toFixed(1)}%`;
      const track = h("span", "jt-td-imp-track");
      track.appendChild(bar);
      row.append(h("span", "jt-td-imp-name", name), track, h("span", "jt-td-imp-value", formatNumber(value, 3)));
      list.appendChild(row);
    }
    body.appendChild(list);
  }

  function drawSlice() {
    const params = model.get("params") ?? {};
    const names = Object.keys(params);
    const trials = (model.get("trials") ?? []).filter((t) => t.state === "complete" && t.values && t.values[0] !== null);
    if (!names.length || !trials.length) {
      body.appendChild(empty("No complete trial with parameters yet."));
      return;
    }
    if (!names.includes(sliceParam)) sliceParam = names[0];
    const select = h("select", "jt-td-slice-param");
    for (const n of names) {
      const o = h("option", "", n);
      o.value = n;
      select.appendChild(o);
    }
    select.value = sliceParam;
    select.addEventListener("change", () => {
      sliceParam = select.value;
      drawBody();
    });
    body.appendChild(select);
    const info = params[sliceParam];
    const pts = trials.map((t) => [numeric(sliceParam, t.params[sliceParam], info), t.values![0] as number, t] as const)
      .filter((p) => p[0] !== null);
    const xVals = pts.map((p) => (info.log ? Math.pow(10, p[0] as number) : (p[0] as number)));
    const x = info.kind === "categorical"
      ? { lo: -0.5, hi: (info.choices ?? []).length - 0.5, log: false, ticks: [] as number[] }
      : axis(xVals, !!info.log);
    const { svg, px, py } = frame(`${metric()} by ${sliceParam}`, sliceParam, metric(), x, axis(pts.map((p) => p[1])));
    if (info.kind === "categorical") {
      (info.choices ?? []).forEach((c, i) => svg.appendChild(s("text", { class: "jt-td-tick", x: px(i), y: H - M.bottom + 13, "text-anchor": "middle" }, formatValue(c))));
    }
    pts.forEach((p, i) => dot(svg, px(info.kind === "categorical" ? (p[0] as number) : xVals[i]), py(p[1]), "jt-td-dot", trialTip(p[2], metric())));
    body.appendChild(svg);
  }

  function drawIntermediate() {
    const trials = (model.get("trials") ?? []).filter((t) => (t.intermediate ?? []).length > 0);
    if (!trials.length) {
      body.appendChild(empty("No trial reported intermediate values (e.g. per-epoch scores)."));
      return;
    }
    const all = trials.flatMap((t) => t.intermediate);
    const { svg, px, py } = frame("intermediate values", "step", metric(), axis(all.map((p) => p[0]), false, true), axis(all.map((p) => p[1])));
    for (const t of trials) {
      const d = t.intermediate.map(([x, y], i) => `${i ? "L" : "M"}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join("");
      const path = s("path", { class: `jt-td-iv jt-td-iv-${t.state === "pruned" ? "pruned" : "kept"}`, d });
      path.appendChild(s("title", {}, `trial ${t.number} (${t.state})`));
      svg.appendChild(path);
      const [lx, ly] = t.intermediate[t.intermediate.length - 1];
      if (t.state === "pruned") dot(svg, px(lx), py(ly), "jt-td-pruned-mark", `trial ${t.number} pruned at step ${lx}`, 3.2);
    }
    body.append(svg, h("div", "jt-td-legend", "pruned trials in red, marked where they were stopped"));
  }

  function drawPareto() {
    const names = model.get("metric_names") ?? [];
    const trials = (model.get("trials") ?? []).filter((t) => t.state === "complete" && t.values && t.values.length >= 2 && t.values[0] !== null && t.values[1] !== null);
    if (!trials.length) {
      body.appendChild(empty("No complete trial yet."));
      return;
    }
    const front = new Set(model.get("pareto") ?? []);
    const { svg, px, py } = frame("Pareto front", names[0] ?? "value 0", names[1] ?? "value 1",
      axis(trials.map((t) => t.values![0] as number)), axis(trials.map((t) => t.values![1] as number)));
    for (const t of trials) {
      dot(svg, px(t.values![0] as number), py(t.values![1] as number), front.has(t.number) ? "jt-td-dot jt-td-front" : "jt-td-dot jt-td-dominated",
        `trial ${t.number}: ${t.values!.map((v) => formatNumber(v, 5)).join(", ")}${front.has(t.number) ? " (Pareto-optimal)" : ""}`, front.has(t.number) ? 4 : 2.6);
    }
    body.appendChild(svg);
  }

  function drawBody() {
    clear(body);
    const tab = model.get("tab");
    const draw: Record<string, () => unknown> = {
      history: drawHistory, trials: drawTable, parallel: drawParallel, importance: drawImportance,
      slice: drawSlice, intermediate: drawIntermediate, pareto: drawPareto,
    };
    body.dataset.tab = tab;
    (draw[tab] ?? drawHistory)();
  }

  updateHead();
  drawTabs();
  drawBody();
  // redraws on kernel updates are batched to one per animation frame (a live study sends often)
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      updateHead();
      drawTabs();
      drawBody();
    });
  };
  const handlers: Array<[string, () => void]> = [
    ["change:trials", redraw], ["change:importance", redraw], ["change:tab", redraw], ["change:directions", redraw],
    ["change:best", updateHead], ["change:counts", updateHead], ["change:updated", updateHead],
    ["change:stop_requested", updateHead], ["change:live", updateHead], ["change:title", updateHead],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
  };
}

export default { render };
