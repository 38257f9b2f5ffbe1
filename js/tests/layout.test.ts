import { describe, expect, it } from "vitest";
import { approximateMeasure, layoutGraph, nodeSubtitle, pathData } from "../_layout";
import type { GraphNode, GraphSpec } from "../graph_view";

const node = (id: string, kind: GraphNode["kind"], n_params: number | null = null): GraphNode => ({
  id,
  kind,
  label: id,
  params: {},
  state: null,
  n_params,
});

const spec: GraphSpec = {
  nodes: [node("ingress", "ingress"), node("linear", "layer", 110), node("relu", "layer"), node("head", "layer", 22)],
  edges: [
    { src: "ingress", dst: "linear", label: "(None, 10)" },
    { src: "linear", dst: "relu", label: "(None, 10)" },
    { src: "relu", dst: "head", label: "" },
  ],
};

describe("layoutGraph", () => {
  it("places a chain top to bottom with labelled edges", () => {
    const layout = layoutGraph(spec, approximateMeasure, "TB");
    const y = Object.fromEntries(layout.nodes.map((n) => [n.id, n.y]));
    expect(y.ingress).toBeLessThan(y.linear);
    expect(y.linear).toBeLessThan(y.relu);
    expect(y.relu).toBeLessThan(y.head);
    expect(layout.edges).toHaveLength(3);
    expect(layout.edges[0].labelAt).not.toBeNull();
    expect(layout.edges[2].labelAt).toBeNull();
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  });
  it("places a chain left to right", () => {
    const layout = layoutGraph(spec, approximateMeasure, "LR");
    const x = Object.fromEntries(layout.nodes.map((n) => [n.id, n.x]));
    expect(x.ingress).toBeLessThan(x.head);
  });
  it("sizes nodes to their text and skips edges to unknown nodes", () => {
    const wide: GraphSpec = {
      nodes: [node("a".repeat(60), "other"), node("b", "other")],
      edges: [{ src: "b", dst: "nowhere", label: "x" }],
    };
    const layout = layoutGraph(wide, approximateMeasure);
    expect(layout.nodes[0].width).toBeGreaterThan(layout.nodes[1].width);
    expect(layout.edges).toHaveLength(0);
  });
});

describe("nodeSubtitle and pathData", () => {
  it("adds the parameter count when known", () => {
    expect(nodeSubtitle(node("l", "layer", 1234))).toBe("layer \u00b7 1,234 params");
    expect(nodeSubtitle(node("l", "layer", 1))).toBe("layer \u00b7 1 param");
    expect(nodeSubtitle(node("l", "loss"))).toBe("loss");
  });
  it("draws straight two-point paths and curves through more", () => {
    expect(pathData([{ x: 0, y: 0 }, { x: 10, y: 5 }])).toBe("M0.0,0.0L10.0,5.0");
    expect(pathData([{ x: 0, y: 0 }, { x: 5, y: 5 }, { x: 10, y: 0 }])).toContain("Q");
    expect(pathData([])).toBe("");
  });
});
