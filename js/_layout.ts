// Lays out a graph spec as a DAG with dagre. Pure: text widths come from a `measure` function,
// so the layout is tested in node (vitest) and drawn in the browser (graph_view.ts).
import dagre from "@dagrejs/dagre";
import { formatCount } from "./_format";
import type { GraphNode, GraphSpec } from "./graph_view";

export type Direction = "TB" | "LR";
export type TextRole = "label" | "sub" | "edge";
export type Measure = (text: string, role: TextRole) => number;

export interface Point {
  x: number;
  y: number;
}

/** A laid-out node; (x, y) is its centre. */
export interface NodeBox {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface EdgePath {
  src: string;
  dst: string;
  label: string;
  points: Point[];
  /** Centre of the label box (absent for an unlabelled edge). */
  labelAt: Point | null;
  labelWidth: number;
}

export interface Layout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: EdgePath[];
}

export const NODE_HEIGHT = 38;
const NODE_PAD_X = 16;
const NODE_MIN_WIDTH = 90;
const EDGE_LABEL_HEIGHT = 16;
const EDGE_LABEL_PAD = 8;

/** The second line of a node: its kind and, where known, its parameter count. */
export function nodeSubtitle(node: GraphNode): string {
  if (node.n_params === null || node.n_params === undefined) return node.kind;
  const n = node.n_params;
  return `${node.kind} \u00b7 ${formatCount(n)} param${n === 1 ? "" : "s"}`;
}

/** A rough text width for when no canvas is at hand (about 7 px a character at 12 px). */
export function approximateMeasure(text: string, role: TextRole): number {
  const perChar = role === "label" ? 7.4 : 6.4;
  return text.length * perChar;
}

/** Lay out `spec` top-to-bottom ("TB") or left-to-right ("LR"). */
export function layoutGraph(spec: GraphSpec, measure: Measure, direction: Direction = "TB"): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: direction, nodesep: 28, ranksep: 28, edgesep: 14, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));

  const ids = new Set<string>();
  for (const node of spec.nodes) {
    if (ids.has(node.id)) continue; // the Python side rejects duplicates; stay robust anyway
    ids.add(node.id);
    const textWidth = Math.max(measure(node.label, "label"), measure(nodeSubtitle(node), "sub"));
    g.setNode(node.id, { width: Math.max(NODE_MIN_WIDTH, Math.ceil(textWidth) + 2 * NODE_PAD_X), height: NODE_HEIGHT });
  }
  const edges = spec.edges.filter((e) => ids.has(e.src) && ids.has(e.dst));
  edges.forEach((edge, i) => {
    const label = edge.label ?? "";
    const width = label ? Math.ceil(measure(label, "edge")) + EDGE_LABEL_PAD : 0;
    g.setEdge(edge.src, edge.dst, { width, height: label ? EDGE_LABEL_HEIGHT : 0, labelpos: "c" }, String(i));
  });

  dagre.layout(g);

  const nodes: NodeBox[] = [...ids].map((id) => {
    const n = g.node(id);
    return { id, x: n.x ?? 0, y: n.y ?? 0, width: n.width, height: n.height };
  });
  const paths: EdgePath[] = edges.map((edge, i) => {
    const e = g.edge({ v: edge.src, w: edge.dst, name: String(i) });
    const label = edge.label ?? "";
    return {
      src: edge.src,
      dst: edge.dst,
      label,
      points: (e.points ?? []).map((p: Point) => ({ x: p.x, y: p.y })),
      labelAt: label && e.x !== undefined && e.y !== undefined ? { x: e.x, y: e.y } : null,
      labelWidth: e.width ?? 0,
    };
  });
  const graph = g.graph();
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges: paths };
}

/** An SVG path through the points: straight first and last segments, smooth in between. */
export function pathData(points: Point[]): string {
  if (points.length === 0) return "";
  const f = (n: number) => n.toFixed(1);
  let d = `M${f(points[0].x)},${f(points[0].y)}`;
  if (points.length === 2) return `${d}L${f(points[1].x)},${f(points[1].y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mid = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    const end = i === points.length - 2 ? points[i + 1] : mid;
    d += `Q${f(points[i].x)},${f(points[i].y)} ${f(end.x)},${f(end.y)}`;
  }
  return d;
}
