import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { epochTicks, niceTicks, seriesByMetric } from "../_chart";

describe("niceTicks", () => {
  it("covers the range with round steps", () => {
    assert.deepEqual(niceTicks(0.23, 0.91, 4), [0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(0, 1.5, 4), [0, 0.5, 1, 1.5]);
  });
  it("widens a zero-width range", () => {
    const ticks = niceTicks(5, 5);
    assert.ok(ticks[0] < 5 && ticks[ticks.length - 1] > 5);
  });
  it("returns nothing for non-finite input", () => {
    assert.deepEqual(niceTicks(Number.NaN, 1), []);
  });
});

describe("epochTicks", () => {
  it("lists every epoch when there are few", () => {
    assert.deepEqual(epochTicks(4), [1, 2, 3, 4]);
  });
  it("uses round multiples for many epochs", () => {
    assert.deepEqual(epochTicks(10), [2, 4, 6, 8, 10]);
    assert.deepEqual(epochTicks(100), [20, 40, 60, 80, 100]);
  });
});

describe("seriesByMetric", () => {
  it("pairs train and valid values by measure and skips missing ones", () => {
    const series = seriesByMetric([
      { epoch: 1, train: { loss: 1.0, acc: 0.5 }, valid: { loss: 1.2 } },
      { epoch: 2, train: { loss: 0.5, acc: null }, valid: { loss: 0.9 } },
    ]);
    assert.deepEqual([...series.keys()], ["loss", "acc"]);
    assert.deepEqual(series.get("loss"), { train: [[1, 1.0], [2, 0.5]], valid: [[1, 1.2], [2, 0.9]] });
    assert.deepEqual(series.get("acc"), { train: [[1, 0.5]], valid: [] });
  });
});

describe("log axes and margins", () => {
  it("gives whole decades over several and nice steps within one", async () => {
    const { logTicks, leftMargin } = await import("../_chart");
    assert.deepEqual(logTicks(-0.5, 2.2), [-1, 0, 1, 2, 3]);
    const inside = logTicks(Math.log10(2), Math.log10(8));
    assert.ok(inside.length >= 2 && inside.every((t) => t >= 0 && t <= 1));
    assert.ok(leftMargin(["4.44G", "-1.23e-5"]) > leftMargin(["1"]));
  });
});
