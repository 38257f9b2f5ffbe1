import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatDuration, formatNumber, formatValue } from "../_format";

describe("formatDuration", () => {
  it("uses seconds, m:ss and h:mm:ss", () => {
    expect(formatDuration(42.4)).toBe("42s");
    expect(formatDuration(187)).toBe("3:07");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
  it("shows a dash when unknown", () => {
    expect(formatDuration(null)).toBe("\u2014");
    expect(formatDuration(Number.NaN)).toBe("\u2014");
    expect(formatDuration(-1)).toBe("\u2014");
  });
});

describe("formatBytes", () => {
  it("uses binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.50 KiB");
    expect(formatBytes(80 * 1024 ** 3)).toBe("80.0 GiB");
    expect(formatBytes(null)).toBe("\u2014");
  });
});

describe("formatNumber", () => {
  it("keeps about four significant digits", () => {
    expect(formatNumber(0.123456)).toBe("0.1235");
    expect(formatNumber(12)).toBe("12");
    expect(formatNumber(12345)).toBe("12.3k");
    expect(formatNumber(2_500_000)).toBe("2.50M");
    expect(formatNumber(0.00001234)).toBe("1.23e-5");
    expect(formatNumber(null)).toBe("\u2014");
    expect(formatNumber(Infinity)).toBe("\u221e");
  });
});

describe("formatCount and formatValue", () => {
  it("groups digits", () => {
    expect(formatCount(1234567)).toBe("1,234,567");
  });
  it("shows strings as they are and the rest as JSON", () => {
    expect(formatValue("<b>x</b>")).toBe("<b>x</b>");
    expect(formatValue([100, 200])).toBe("[100,200]");
    expect(formatValue(null)).toBe("null");
    expect(formatValue(true)).toBe("true");
  });
});
