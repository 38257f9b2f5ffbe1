import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
    assert.ok(y.ingress < y.linear && y.linear < y.relu && y.relu < y.head);
    assert.equal(layout.edges.length, 3);
    assert.notEqual(layout.edges[0].labelAt, null);
    assert.equal(layout.edges[2].labelAt, null);
    for (const e of layout.edges) assert.ok(e.points.length >= 2);
  });
  it("places a chain left to right", () => {
    const layout = layoutGraph(spec, approximateMeasure, "LR");
    const x = Object.fromEntries(layout.nodes.map((n) => [n.id, n.x]));
    assert.ok(x.ingress < x.head);
  });
  it("sizes nodes to their text and skips edges to unknown nodes", () => {
    const wide: GraphSpec = {
      nodes: [node("a".repeat(60), "other"), node("b", "other")],
      edges: [{ src: "b", dst: "nowhere", label: "x" }],
    };
    const layout = layoutGraph(wide, approximateMeasure);
    assert.ok(layout.nodes[0].width > layout.nodes[1].width);
    assert.equal(layout.edges.length, 0);
  });
});

describe("nodeSubtitle and pathData", () => {
  it("adds the parameter count when known", () => {
    assert.equal(nodeSubtitle(node("l", "layer", 1234)), "layer \u00b7 1,234 params");
    assert.equal(nodeSubtitle(node("l", "layer", 1)), "layer \u00b7 1 param");
    assert.equal(nodeSubtitle(node("l", "loss")), "loss");
  });
  it("draws straight two-point paths and curves through more", () => {
    assert.equal(pathData([{ x: 0, y: 0 }, { x: 10, y: 5 }]), "M0.0,0.0L10.0,5.0");
    assert.match(pathData([{ x: 0, y: 0 }, { x: 5, y: 5 }, { x: 10, y: 0 }]), /Q/);
    assert.equal(pathData([]), "");
  });
});
