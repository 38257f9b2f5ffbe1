import { describe, expect, it } from "vitest";
import { epochTicks, niceTicks, seriesByMetric } from "../_chart";

describe("niceTicks", () => {
  it("covers the range with round steps", () => {
    const ticks = niceTicks(0.23, 0.91, 4);
    expect(ticks[0]).toBeLessThanOrEqual(0.23);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(0.91);
    expect(ticks).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });
  it("widens a zero-width range", () => {
    const ticks = niceTicks(5, 5);
    expect(ticks[0]).toBeLessThan(5);
    expect(ticks[ticks.length - 1]).toBeGreaterThan(5);
  });
  it("returns nothing for non-finite input", () => {
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });
});

describe("epochTicks", () => {
  it("lists every epoch when there are few", () => {
    expect(epochTicks(4)).toEqual([1, 2, 3, 4]);
  });
  it("uses round multiples for many epochs", () => {
    expect(epochTicks(10)).toEqual([2, 4, 6, 8, 10]);
    expect(epochTicks(100)).toEqual([20, 40, 60, 80, 100]);
  });
});

describe("seriesByMetric", () => {
  it("pairs train and valid values by measure and skips missing ones", () => {
    const series = seriesByMetric([
      { epoch: 1, train: { loss: 1.0, acc: 0.5 }, valid: { loss: 1.2 } },
      { epoch: 2, train: { loss: 0.5, acc: null }, valid: { loss: 0.9 } },
    ]);
    expect([...series.keys()]).toEqual(["loss", "acc"]);
    expect(series.get("loss")).toEqual({ train: [[1, 1.0], [2, 0.5]], valid: [[1, 1.2], [2, 0.9]] });
    expect(series.get("acc")).toEqual({ train: [[1, 0.5]], valid: [] });
  });
});
