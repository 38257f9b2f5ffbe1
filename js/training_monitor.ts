// Front end of jupytorch/notebook/_training_monitor.py (TrainingMonitor): nested progress bars
// (benchmark > resampling > epochs > batches), throughput and ETA, the device and its memory,
// live train/valid curves, and a Stop button that sets `stop_requested` for the kernel to see.
// The kernel sends already-throttled state; this file only draws it. All text via textContent.
import type { RenderProps } from "@anywidget/types";
import { drawCharts } from "./_chart";
import { addStyle, clear, h } from "./_dom";
import { formatBytes, formatClock, formatDuration, formatNumber, formatRate } from "./_format";
import css from "./training_monitor.css";

export type Level = "benchmark" | "resample" | "train" | "epoch";
export type Status = "idle" | "running" | "stopping" | "stopped" | "finished" | "failed";

export interface ProgressBar {
  level: Level;
  label: string;
  completed: number;
  total: number | null;
  elapsed_s: number;
  eta_s: number | null;
  rate: number | null;
  rate_unit: string;
}

export interface Stats {
  loss: number | null;
  samples_per_s: number | null;
  elapsed_s: number | null;
  eta_s: number | null;
}

export interface HistoryRow {
  epoch: number;
  train: Record<string, number | null>;
  valid: Record<string, number | null>;
  duration_s?: number | null;
  time?: number | null;
}

export interface ScoreRow {
  learner_id: string;
  task_id: string;
  resampling_id: string;
  iterations: number;
  total: number | null;
  score: Record<string, number | null>;
}

export interface DeviceInfo {
  type: string;
  name: string;
  memory_used: number | null;
  memory_peak: number | null;
  memory_total: number | null;
  utilization: number | null;
}

/** Synced traits of TrainingMonitor (jupytorch/notebook/_training_monitor.py), one to one. */
export interface TrainingMonitorModel {
  title: string;
  status: Status;
  message: string;
  bars: ProgressBar[];
  stats: Stats;
  history: HistoryRow[];
  scores: ScoreRow[];
  device: DeviceInfo;
  stop_requested: boolean;
}

const STATUS_TEXT: Record<Status, string> = {
  idle: "waiting",
  running: "running",
  stopping: "stopping\u2026",
  stopped: "stopped",
  finished: "finished",
  failed: "failed",
};

function fraction(bar: ProgressBar): number {
  if (!bar.total) return 0;
  return Math.min(1, Math.max(0, bar.completed / bar.total));
}

function drawBars(container: HTMLElement, bars: ProgressBar[]) {
  clear(container);
  for (const bar of bars) {
    const row = h("div", "jt-bar");
    row.dataset.level = bar.level;
    const track = h("div", "jt-bar-track");
    const fill = h("div", "jt-bar-fill");
    fill.style.width = `${(fraction(bar) * 100).toFixed(2)}%`;
    track.appendChild(fill);
    track.setAttribute("role", "progressbar");
    track.setAttribute("aria-valuemin", "0");
    track.setAttribute("aria-valuemax", String(bar.total ?? 0));
    track.setAttribute("aria-valuenow", String(bar.completed));
    const count = bar.total === null ? `${bar.completed}` : `${bar.completed}/${bar.total}`;
    const rate = bar.rate === null ? "" : `${formatRate(bar.rate)} ${bar.rate_unit}`;
    const eta = bar.eta_s === null ? "" : `ETA ${formatDuration(bar.eta_s)}`;
    row.append(
      h("span", "jt-bar-label", bar.label),
      track,
      h("span", "jt-bar-count", count),
      h("span", "jt-bar-rate", rate),
      h("span", "jt-bar-eta", eta),
    );
    container.appendChild(row);
  }
}

function stat(name: string, value: string, key: string): HTMLElement {
  const item = h("span", "jt-stat");
  item.dataset.stat = key;
  item.append(h("span", "jt-stat-name", name), h("span", "jt-stat-value", value));
  return item;
}

/** Whether the run trains networks (epochs or batches), so loss, throughput and curves apply. */
function isTraining(bars: ProgressBar[], history: unknown[]): boolean {
  return history.length > 0 || bars.some((b) => b.level === "train" || b.level === "epoch");
}

function drawStats(container: HTMLElement, stats: Stats, training: boolean) {
  clear(container);
  if (training) {
    container.append(
      stat("loss", formatNumber(stats.loss), "loss"),
      stat("samples/s", formatRate(stats.samples_per_s), "samples_per_s"),
    );
  }
  container.append(
    stat("elapsed", formatDuration(stats.elapsed_s), "elapsed_s"),
    stat("ETA", formatDuration(stats.eta_s), "eta_s"),
  );
}

function drawDevice(container: HTMLElement, device: DeviceInfo) {
  clear(container);
  if (!device.type && !device.name) {
    container.hidden = true;
    return;
  }
  container.hidden = false;
  const name = h("span", "jt-device-name", device.name ? `${device.type}: ${device.name}` : device.type);
  container.append(h("span", "jt-device-label", "device"), name);
  if (device.memory_used !== null || device.memory_peak !== null) {
    const parts = [`${formatBytes(device.memory_used)} used`, `${formatBytes(device.memory_peak)} peak`];
    if (device.memory_total !== null) parts.push(`of ${formatBytes(device.memory_total)}`);
    const mem = h("span", "jt-device-memory", `memory ${parts.join(" \u00b7 ")}`);
    container.appendChild(mem);
    if (device.memory_total) {
      const track = h("span", "jt-mem-track");
      const peak = h("span", "jt-mem-peak");
      const used = h("span", "jt-mem-used");
      peak.style.width = `${Math.min(100, (100 * (device.memory_peak ?? 0)) / device.memory_total).toFixed(1)}%`;
      used.style.width = `${Math.min(100, (100 * (device.memory_used ?? 0)) / device.memory_total).toFixed(1)}%`;
      track.append(peak, used);
      container.appendChild(track);
    }
  }
  if (device.utilization !== null) {
    container.appendChild(h("span", "jt-device-util", `utilization ${Math.round(device.utilization)}%`));
  }
}

/** The per-epoch table: epoch, train and valid measures, duration and wall-clock time (newest last). */
export function drawEpochTable(container: HTMLElement, history: HistoryRow[]): void {
  clear(container);
  container.hidden = history.length === 0;
  if (!history.length) return;
  const measures = (split: "train" | "valid") => [...new Set(history.flatMap((r) => Object.keys(r[split] ?? {})))];
  const train = measures("train");
  const valid = measures("valid");
  const table = h("table", "jt-epochs");
  const head = h("tr");
  head.append(h("th", "", "epoch"));
  for (const m of train) head.append(h("th", "", `train ${m}`));
  for (const m of valid) head.append(h("th", "", `valid ${m}`));
  head.append(h("th", "", "duration"), h("th", "", "time"));
  table.appendChild(head);
  for (const row of history.slice(-50)) {
    const tr = h("tr");
    tr.append(h("td", "", String(row.epoch)));
    for (const m of train) tr.append(h("td", "", formatNumber(row.train?.[m] ?? null)));
    for (const m of valid) tr.append(h("td", "", formatNumber(row.valid?.[m] ?? null)));
    tr.append(h("td", "", formatDuration(row.duration_s ?? null)), h("td", "", formatClock(row.time ?? null)));
    table.appendChild(tr);
  }
  container.appendChild(table);
}

/** Benchmarks of learners without epochs: one row per experiment with its mean score so far. */
export function drawScoreTable(container: HTMLElement, scores: ScoreRow[]): void {
  clear(container);
  container.hidden = scores.length === 0;
  if (!scores.length) return;
  const measures = [...new Set(scores.flatMap((r) => Object.keys(r.score ?? {})))];
  const table = h("table", "jt-epochs jt-scores");
  const head = h("tr");
  for (const name of ["learner", "task", "resampling", "iterations", ...measures.map((m) => `${m} (mean)`)]) head.append(h("th", "", name));
  table.appendChild(head);
  for (const row of scores) {
    const tr = h("tr");
    tr.append(h("td", "jt-scores-learner", row.learner_id), h("td", "", row.task_id), h("td", "", row.resampling_id),
      h("td", "", row.total === null ? String(row.iterations) : `${row.iterations}/${row.total}`));
    for (const m of measures) tr.append(h("td", "", formatNumber(row.score?.[m] ?? null)));
    table.appendChild(tr);
  }
  container.appendChild(table);
}

function render({ model, el }: RenderProps<TrainingMonitorModel>) {
  addStyle(el, css);
  const root = h("div", "jt-monitor");
  const header = h("div", "jt-monitor-head");
  const title = h("span", "jt-monitor-title");
  const status = h("span", "jt-status");
  const stop = h("button", "jt-stop", "Stop");
  stop.type = "button";
  stop.title = "End training cleanly after the current batch; the model and its history are kept.";
  header.append(title, status, stop);
  const bars = h("div", "jt-bars");
  const stats = h("div", "jt-stats");
  const device = h("div", "jt-device");
  const message = h("div", "jt-message");
  const charts = h("div", "jt-charts");
  const chartTools = h("label", "jt-chart-tools");
  const logBox = h("input", "jt-log-toggle");
  logBox.type = "checkbox";
  chartTools.append(logBox, h("span", "", "log scale"));
  const epochs = h("div", "jt-epoch-table");
  const scoreTable = h("div", "jt-score-table");
  root.append(header, bars, stats, device, message, chartTools, charts, epochs, scoreTable);
  el.appendChild(root);

  stop.addEventListener("click", () => {
    if (model.get("stop_requested")) return;
    model.set("stop_requested", true);
    model.save_changes();
    updateHeader();
  });

  function updateHeader() {
    title.textContent = model.get("title") || "Training";
    const st = model.get("status");
    status.textContent = STATUS_TEXT[st] ?? st;
    status.dataset.status = st;
    const requested = model.get("stop_requested");
    stop.disabled = requested || st !== "running";
    stop.textContent = requested && (st === "running" || st === "stopping") ? "Stopping\u2026" : "Stop";
  }
  const training = () => isTraining(model.get("bars") ?? [], model.get("history") ?? []);
  const updateStats = () => drawStats(stats, model.get("stats"), training());
  const updateCharts = () => {
    const history = model.get("history") ?? [];
    charts.hidden = !training(); // resampling or benchmarking learners that have no epochs: no curves
    chartTools.hidden = charts.hidden || history.length === 0;
    drawCharts(charts, history, logBox.checked);
    drawEpochTable(epochs, charts.hidden ? [] : history);
    drawScoreTable(scoreTable, charts.hidden ? model.get("scores") ?? [] : []);
  };
  logBox.addEventListener("change", () => updateCharts());
  const updateBars = () => {
    drawBars(bars, model.get("bars") ?? []);
    if (training() === charts.hidden) {
      // a training level appeared (or a new run without one began): show or hide the curves
      updateStats();
      updateCharts();
    }
  };
  const updateDevice = () => drawDevice(device, model.get("device"));
  const updateMessage = () => {
    message.textContent = model.get("message") ?? "";
    message.hidden = !model.get("message");
  };

  updateHeader();
  updateBars();
  updateStats();
  updateDevice();
  updateMessage();
  updateCharts();
  const handlers: Array<[string, () => void]> = [
    ["change:title", updateHeader],
    ["change:status", updateHeader],
    ["change:stop_requested", updateHeader],
    ["change:bars", updateBars],
    ["change:stats", updateStats],
    ["change:device", updateDevice],
    ["change:message", updateMessage],
    ["change:history", updateCharts],
    ["change:scores", updateCharts],
  ];
  for (const [event, handler] of handlers) model.on(event, handler);
  return () => {
    for (const [event, handler] of handlers) model.off(event, handler);
  };
}

export default { render };
