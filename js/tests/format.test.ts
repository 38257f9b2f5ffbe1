import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatBytes, formatCount, formatDuration, formatNumber, formatValue } from "../_format";

const DASH = "\u2014";

describe("formatDuration", () => {
  it("uses seconds, m:ss and h:mm:ss", () => {
    assert.equal(formatDuration(42.4), "42s");
    assert.equal(formatDuration(0.41), "0.4s");
    assert.equal(formatDuration(0.0161), "16ms"); // short epochs: not "0.0s"
    assert.equal(formatDuration(0), "0ms");
    assert.equal(formatDuration(0.1), "0.1s");
    assert.equal(formatDuration(2.3), "2.3s");
    assert.equal(formatDuration(187), "3:07");
    assert.equal(formatDuration(3723), "1:02:03");
  });
  it("shows a dash when unknown", () => {
    assert.equal(formatDuration(null), DASH);
    assert.equal(formatDuration(Number.NaN), DASH);
    assert.equal(formatDuration(-1), DASH);
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    assert.equal(formatBytes(512), "512 B");
    assert.equal(formatBytes(1536), "1.50 KiB");
    assert.equal(formatBytes(80 * 1024 ** 3), "80.0 GiB");
    assert.equal(formatBytes(null), DASH);
  });
});

describe("formatNumber", () => {
  it("keeps about four significant digits", () => {
    assert.equal(formatNumber(0.123456), "0.1235");
    assert.equal(formatNumber(12), "12");
    assert.equal(formatNumber(12345), "12.3k");
    assert.equal(formatNumber(2_500_000), "2.50M");
    assert.equal(formatNumber(0.00001234), "1.23e-5");
    assert.equal(formatNumber(null), DASH);
    assert.equal(formatNumber(Infinity), "\u221e");
  });
});

describe("formatCount and formatValue", () => {
  it("groups digits", () => {
    assert.equal(formatCount(1234567), "1,234,567");
  });
  it("shows strings as they are and the rest as JSON", () => {
    assert.equal(formatValue("<b>x</b>"), "<b>x</b>");
    assert.equal(formatValue([100, 200]), "[100,200]");
    assert.equal(formatValue(null), "null");
    assert.equal(formatValue(true), "true");
  });
});

describe("formatNumber on large magnitudes", () => {
  it("uses SI prefixes up to E and scientific beyond", () => {
    assert.equal(formatNumber(4.44e9), "4.44G");
    assert.equal(formatNumber(999_999), "1.00M");
    assert.equal(formatNumber(-2.5e12), "-2.50T");
    assert.equal(formatNumber(3e21), "3.00e+21");
    assert.equal(formatNumber(0), "0");
  });
});

describe("formatRate and formatClock", () => {
  it("keeps three significant digits", async () => {
    const { formatRate, formatClock } = await import("../_format");
    assert.equal(formatRate(1234.5678), "1230");
    assert.equal(formatRate(12.3456), "12.3");
    assert.equal(formatRate(123456), "123k");
    assert.match(formatClock(0), /^\d\d:\d\d:\d\d$/);
    assert.equal(formatClock(null), DASH);
  });
});
