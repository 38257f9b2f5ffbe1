// Number and duration formatting for the widgets (pure functions, tested with vitest).

const DASH = "\u2014";

/** A duration in seconds as "16ms", "0.4s", "42s", "3:07" or "1:02:03"; a dash when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return DASH;
  if (seconds < 0.0995) return `${Math.round(seconds * 1000)}ms`; // "0.0s" would say nothing
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

/** A byte count in binary units ("512 B", "1.5 GiB"); a dash when unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return DASH;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

const SI = ["", "k", "M", "G", "T", "P", "E"];

/**
 * A number with about four significant digits: plain for 0.001 <= |x| < 10 000, SI prefixes
 * (k, M, G, T, P, E: engineering notation) for large magnitudes, scientific for tiny ones.
 */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  if (!Number.isFinite(value)) return value > 0 ? "\u221e" : "-\u221e";
  const abs = Math.abs(value);
  if (abs >= 1e4) {
    let exp3 = Math.min(SI.length - 1, Math.floor(Math.log10(abs) / 3));
    let scaled = value / Math.pow(10, 3 * exp3);
    if (Math.abs(Number(scaled.toPrecision(3))) >= 1000 && exp3 < SI.length - 1) {
      exp3 += 1;
      scaled /= 1000;
    }
    if (exp3 === SI.length - 1 && Math.abs(scaled) >= 1000) return value.toExponential(2);
    return `${scaled.toPrecision(3)}${SI[exp3]}`;
  }
  if (Number.isInteger(value)) return String(value);
  if (abs >= 1e-3) return String(Number(value.toPrecision(digits)));
  if (abs === 0) return "0";
  return value.toExponential(2);
}

/** A rate or other measurement shown with three significant digits ("1.23k", "45.6", "0.123"). */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return formatNumber(value);
  return Math.abs(value) >= 1e4 ? formatNumber(value) : String(Number(value.toPrecision(3)));
}

/** A wall-clock time stamp (seconds since the epoch) as local "HH:MM:SS". */
export function formatClock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH;
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A count of parameters: "1,234,567". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return Math.round(value).toLocaleString("en-US");
}

/** A parameter value as text: strings as they are, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
