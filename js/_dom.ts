// Small DOM helpers shared by the widgets. Every piece of text goes in through `textContent`
// (never innerHTML), so labels, ids and parameter values that come from user data stay text.

const SVG_NS = "http://www.w3.org/2000/svg";

/** Create an HTML element with a class and, optionally, text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Create an SVG element with attributes (values are set with setAttribute, never parsed as markup). */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Add the widget's stylesheet to its element (a <style> per view works in Lab, Notebook 7 and VS Code). */
export function addStyle(el: HTMLElement, css: string): void {
  const style = document.createElement("style");
  style.textContent = css;
  el.appendChild(style);
}

/** Remove every child of `node`. */
export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
