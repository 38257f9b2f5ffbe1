// Front end of jupytorch/notebook/_graph_view.py (GraphView): a laid-out DAG of a graph spec,
// nodes coloured by kind with a legend, edges labelled with shapes, and a side panel with the
// parameters, state and parameter count of the clicked node. All text goes in as textContent.
import type { RenderProps } from "@anywidget/types";
import { addStyle, clear, h, s } from "./_dom";
import { formatCount, formatValue } from "./_format";
import { approximateMeasure, layoutGraph, NODE_HEIGHT, nodeSubtitle, pathData, type Measure } from "./_layout";
import css from "./graph_view.css";

export const NODE_KINDS = [
  "preprocessing",
  "ingress",
  "layer",
  "loss",
  "optimizer",
  "callbacks",
  "model",
  "learner",
  "other",
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
  params: Record<string, unknown>;
  state: string | null;
  n_params: number | null;
}

export interface GraphEdge {
  src: string;
  dst: string;
  label: string;
}

export interface GraphSpec {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Synced traits of GraphView (jupytorch/notebook/_graph_view.py), one to one. */
export interface GraphViewModel {
  spec: GraphSpec;
  selected: string;
  direction: "TB" | "LR";
}

let viewCounter = 0;

/** Tallest the graph is drawn before the canvas scrolls, and the least it is shrunk to fit. */
const MAX_HEIGHT = 640;
const MIN_SCALE = 0.7;

/** Text widths in the fonts the SVG uses; null while the element is not in the page yet. */
function canvasMeasure(root: HTMLElement): Measure | null {
  if (!root.isConnected) return null;
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return null;
  const style = getComputedStyle(root);
  const family = style.fontFamily || "sans-serif";
  const mono = style.getPropertyValue("--jp-code-font-family").trim() || "monospace";
  const fonts = { label: `600 12px ${family}`, sub: `10.5px ${family}`, edge: `10.5px ${mono}` };
  return (text, role) => {
    ctx.font = fonts[role];
    return ctx.measureText(text).width * 1.08;
  };
}

function render({ model, el }: RenderProps<GraphViewModel>) {
  const viewId = ++viewCounter;
  addStyle(el, css);
  const root = h("div", "jt-graph");
  const legend = h("div", "jt-graph-legend");
  const body = h("div", "jt-graph-body");
  const canvas = h("div", "jt-graph-canvas");
  const panel = h("aside", "jt-graph-panel");
  body.append(canvas, panel);
  root.append(legend, body);
  el.appendChild(root);

  let measured = false; // whether the last layout used real text widths
  let lastSize: [number, number] = [0, 0];
  const nodeElements = new Map<string, SVGGElement>();

  function select(id: string) {
    model.set("selected", id);
    model.save_changes();
  }

  function drawLegend(spec: GraphSpec) {
    clear(legend);
    const present = new Set(spec.nodes.map((n) => n.kind));
    for (const kind of NODE_KINDS) {
      if (!present.has(kind)) continue;
      const item = h("span", "jt-legend-item");
      item.dataset.kind = kind;
      item.append(h("span", "jt-legend-swatch"), h("span", "", kind));
      legend.appendChild(item);
    }
    const n = spec.nodes.length;
    const m = spec.edges.length;
    legend.appendChild(h("span", "jt-legend-count", `${n} node${n === 1 ? "" : "s"} \u00b7 ${m} edge${m === 1 ? "" : "s"}`));
  }

  function drawGraph(spec: GraphSpec) {
    clear(canvas);
    nodeElements.clear();
    if (spec.nodes.length === 0) {
      canvas.appendChild(h("div", "jt-graph-empty", "The graph is empty."));
      return;
    }
    const measure = canvasMeasure(root);
    measured = measure !== null;
    const layout = layoutGraph(spec, measure ?? approximateMeasure, model.get("direction"));
    lastSize = [layout.width, layout.height];
    const svg = s("svg", {
      class: "jt-graph-svg",
      viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`,
      role: "img",
    });
    fit(svg);
    const markerId = `jt-arrow-${viewId}`;
    const defs = s("defs");
    const marker = s("marker", { id: markerId, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.appendChild(s("path", { d: "M0,0L10,5L0,10z", class: "jt-edge-head" }));
    defs.appendChild(marker);
    svg.appendChild(defs);

    const edgeLayer = s("g", { class: "jt-edges" });
    for (const edge of layout.edges) {
      const g = s("g", { class: "jt-edge" });
      g.dataset.src = edge.src;
      g.dataset.dst = edge.dst;
      g.appendChild(s("path", { d: pathData(edge.points), class: "jt-edge-line", "marker-end": `url(#${markerId})` }));
      if (edge.labelAt) {
        const { x, y } = edge.labelAt;
        g.appendChild(s("rect", { class: "jt-edge-label-bg", x: x - edge.labelWidth / 2, y: y - 8, width: edge.labelWidth, height: 16, rx: 3 }));
        g.appendChild(s("text", { class: "jt-edge-label", x, y: y + 3.5, "text-anchor": "middle" }, edge.label));
      }
      edgeLayer.appendChild(g);
    }
    svg.appendChild(edgeLayer);

    const nodeLayer = s("g", { class: "jt-nodes" });
    const byId = new Map(spec.nodes.map((n) => [n.id, n]));
    for (const box of layout.nodes) {
      const node = byId.get(box.id)!;
      const g = s("g", { class: "jt-node", tabindex: 0, role: "button", transform: `translate(${box.x - box.width / 2},${box.y - box.height / 2})` });
      g.dataset.id = node.id;
      g.dataset.kind = node.kind;
      g.setAttribute("aria-label", `${node.label} (${node.kind})`);
      g.appendChild(s("title", {}, `${node.label} \u2014 ${node.id}`));
      g.appendChild(s("rect", { class: "jt-node-box", width: box.width, height: box.height, rx: 7 }));
      g.appendChild(s("rect", { class: "jt-node-stripe", width: 5, height: box.height, rx: 2 }));
      g.appendChild(s("text", { class: "jt-node-label", x: box.width / 2 + 2, y: NODE_HEIGHT / 2 - 2, "text-anchor": "middle" }, node.label));
      g.appendChild(s("text", { class: "jt-node-sub", x: box.width / 2 + 2, y: NODE_HEIGHT / 2 + 11, "text-anchor": "middle" }, nodeSubtitle(node)));
      g.addEventListener("click", (event) => {
        event.stopPropagation();
        select(node.id);
      });
      g.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          select(node.id);
        }
      });
      nodeElements.set(node.id, g);
      nodeLayer.appendChild(g);
    }
    svg.appendChild(nodeLayer);
    canvas.appendChild(svg);
  }

  /** Shrink a large graph to the canvas (down to MIN_SCALE; beyond that the canvas scrolls). */
  function fit(svg: SVGSVGElement) {
    const [width, height] = lastSize;
    const available = canvas.clientWidth || width;
    const scale = Math.max(MIN_SCALE, Math.min(1, available / width, MAX_HEIGHT / height));
    svg.setAttribute("width", String(Math.ceil(width * scale)));
    svg.setAttribute("height", String(Math.ceil(height * scale)));
  }

  function drawPanel(spec: GraphSpec, selected: string) {
    clear(panel);
    for (const [id, g] of nodeElements) g.classList.toggle("jt-selected", id === selected);
    const node = spec.nodes.find((n) => n.id === selected);
    if (!node) {
      panel.classList.remove("jt-open");
      panel.appendChild(h("div", "jt-panel-hint", "Click a node to see its parameters, state and parameter count."));
      return;
    }
    panel.classList.add("jt-open");
    const head = h("div", "jt-panel-head");
    const title = h("div", "jt-panel-title", node.label);
    const close = h("button", "jt-panel-close", "\u00d7");
    close.title = "Close";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", () => select(""));
    head.append(title, close);
    const kind = h("span", "jt-kind-badge", node.kind);
    kind.dataset.kind = node.kind;

    const facts = h("div", "jt-panel-facts");
    const fact = (name: string, value: string, cls: string) => {
      facts.append(h("span", "jt-fact-name", name), h("span", `jt-fact-value ${cls}`, value));
    };
    fact("id", node.id, "jt-fact-id");
    fact("state", node.state ?? "none", "jt-fact-state");
    fact("parameters", node.n_params === null || node.n_params === undefined ? "\u2014" : formatCount(node.n_params), "jt-fact-nparams");

    const entries = Object.entries(node.params ?? {});
    const table = h("table", "jt-params");
    const caption = h("caption", "", entries.length ? "Hyperparameters" : "No hyperparameters set.");
    table.appendChild(caption);
    const tbody = h("tbody");
    for (const [name, value] of entries) {
      const row = h("tr");
      row.dataset.param = name;
      row.append(h("th", "", name), h("td", "", formatValue(value)));
      tbody.appendChild(row);
    }
    table.appendChild(tbody);
    panel.append(head, kind, facts, table);
  }

  function redraw() {
    const spec = model.get("spec") ?? { nodes: [], edges: [] };
    drawLegend(spec);
    drawGraph(spec);
    drawPanel(spec, model.get("selected"));
  }
  const onSelected = () => drawPanel(model.get("spec"), model.get("selected"));
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") select("");
  };

  redraw();
  // Once the view is in the page (and whenever it is resized): measure real text, fit the width.
  const resize = new ResizeObserver(() => {
    if (!measured && root.isConnected) {
      drawGraph(model.get("spec") ?? { nodes: [], edges: [] });
      drawPanel(model.get("spec"), model.get("selected"));
    } else {
      const svg = canvas.querySelector("svg");
      if (svg) fit(svg as SVGSVGElement);
    }
  });
  resize.observe(canvas);
  model.on("change:spec", redraw);
  model.on("change:direction", redraw);
  model.on("change:selected", onSelected);
  root.addEventListener("keydown", onKey);
  return () => {
    resize.disconnect();
    model.off("change:spec", redraw);
    model.off("change:direction", redraw);
    model.off("change:selected", onSelected);
  };
}

export default { render };
