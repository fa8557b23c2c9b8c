// `netc graph`'s three outputs from one picture: SVG (laid out by elkjs here,
// no Graphviz needed), Graphviz dot text (Graphviz lays it out), and a
// self-contained HTML page (the SVG, the picture as JSON, elkjs and the drawing
// code inline: groups open and close in the browser without a network).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { graphKit, type ElkNode } from "./draw.js";
import type { Picture } from "./model.js";

export type GraphFormat = "svg" | "dot" | "html";
export const GRAPH_FORMATS: readonly GraphFormat[] = ["svg", "dot", "html"];

const ELK_BUNDLE = "elkjs/lib/elk.bundled.js";

/** elkjs, loaded when first asked for (1.6 MB of JavaScript). */
let elk: Promise<{ layout(g: ElkNode): Promise<ElkNode> }> | undefined;
function layoutEngine() {
  elk ??= import(ELK_BUNDLE).then((m: { default: new () => { layout(g: ElkNode): Promise<ElkNode> } }) => new m.default());
  return elk;
}

/** Lays out the picture with elkjs and draws it. */
export async function renderSvg(pic: Picture, collapsed: string[]): Promise<string> {
  const kit = graphKit();
  const laid = await (await layoutEngine()).layout(kit.elkGraph(pic, collapsed));
  return `${kit.drawSvg(pic, laid, collapsed)}\n`;
}

/** A Graphviz string: quotes and backslashes escaped, line breaks as \n, other control characters replaced. */
function dotString(s: string): string {
  return `"${s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "\ufffd")
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")}"`;
}

/** Graphviz text: groups as clusters (closed ones as one box), nodes labelled with their op and output shape. */
export function renderDot(pic: Picture, collapsed: string[]): string {
  const kit = graphKit();
  const closed = new Set(collapsed);
  const shown = new Map<string, string>();
  const share = (v: { params: number; macs: number }) => (pic.total > 0 ? (pic.colorBy === "macs" ? v.macs : v.params) / pic.total : 0);
  const fill = (s: number) => {
    // The same log scale as the SVG, as a Graphviz HSV colour (hue orange to red, saturation by share).
    const t = s <= 0 ? 0 : Math.max(0, Math.min(1, (Math.log10(s) + 4) / 4));
    return `${(0.1 - 0.08 * t).toFixed(3)} ${(0.05 + 0.8 * t).toFixed(3)} ${(0.97 - 0.13 * t).toFixed(3)}`;
  };
  const lines: string[] = [
    `digraph ${dotString(pic.network)} {`,
    `  graph [rankdir=TB, fontname="monospace", fontsize=11, label=${dotString(`${pic.network}: colour is the share of ${pic.colorBy === "macs" ? "MACs" : "parameters"}`)}, labelloc=t];`,
    `  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10];`,
    `  edge [arrowsize=0.6];`,
  ];
  const visit = (id: string, indent: string, as: string | undefined) => {
    shown.set(id, as ?? id);
    const g = pic.groups[id];
    if (g) {
      if (as !== undefined) return g.children.forEach((c) => visit(c, indent, as));
      if (closed.has(id)) {
        lines.push(`${indent}${dotString(id)} [label=${dotString(`${g.label}${g.kind && g.kind !== g.label ? ` \u00b7 ${g.kind}` : ""}\n${g.shape}`)}, fillcolor=${dotString(fill(share(g)))}, penwidth=2${g.aux ? ', style="rounded,filled,dashed"' : ""}];`);
        return g.children.forEach((c) => visit(c, indent, id));
      }
      lines.push(`${indent}subgraph ${dotString(`cluster_${id}`)} {`);
      lines.push(`${indent}  label=${dotString(`${g.label}${g.kind && g.kind !== g.label ? ` \u00b7 ${g.kind}` : ""}  ${g.shape}`)}; style=${g.aux ? '"rounded,dashed"' : "rounded"}; color="#8a94a6";`);
      for (const c of g.children) visit(c, `${indent}  `, undefined);
      lines.push(`${indent}}`);
      return;
    }
    if (as !== undefined) return;
    const n = pic.nodes[id]!;
    lines.push(`${indent}${dotString(id)} [label=${dotString(kit.nodeLines(pic, id).join("\n"))}, fillcolor=${dotString(fill(share(n)))}${n.aux ? ', style="rounded,filled,dashed"' : ""}];`);
  };
  for (const id of pic.root) visit(id, "  ", undefined);
  const seen = new Set<string>();
  for (const e of pic.edges) {
    const from = shown.get(e.from)!;
    const to = shown.get(e.to)!;
    const key = `${from}>${to}`;
    if (from === to || seen.has(key)) continue;
    seen.add(key);
    const attrs = e.tap !== undefined ? ` [style=dashed, color="#2563eb", tooltip=${dotString(`from ${e.tap}`)}]` : e.aux ? ` [style=dashed, color="#8a94a6"]` : "";
    lines.push(`  ${dotString(from)} -> ${dotString(to)}${attrs};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** JSON that may stand inside a <script> element (no "</script", no "<!--"). */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** The page: the picture drawn now (it shows without scripts), and what it takes to open and close groups. */
export async function renderHtml(pic: Picture, collapsed: string[]): Promise<string> {
  const svg = await renderSvg(pic, collapsed);
  const bundle = readFileSync(createRequire(import.meta.url).resolve(ELK_BUNDLE), "utf8");
  const kit = graphKit.toString();
  const title = pic.network.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="netc graph">
<title>${title}</title>
<style>
body{margin:0;font:13px system-ui,sans-serif;background:#fff}
#bar{position:sticky;top:0;background:#f9fafb;border-bottom:1px solid #d1d5db;padding:6px 12px;display:flex;gap:8px;align-items:center}
#bar button{font:inherit}
#view{padding:8px}
#view [data-group]{cursor:pointer}
#view .group>.title:hover,#view .node.collapsed:hover>rect{stroke:#2563eb}
</style>
</head>
<body>
<div id="bar"><strong>${title}</strong><button id="expand">open all</button><button id="collapse">close all</button><span id="status">click a group's title to close it, a closed group to open it</span></div>
<div id="view">${svg}</div>
<script>window.NETC_PICTURE = ${scriptJson({ picture: pic, collapsed })};</script>
<script>
/* elkjs ${"0.12"} (https://github.com/kieler/elkjs), Eclipse Public License 2.0 or GPL-3.0-or-later */
${bundle}
</script>
<script>
(function () {
  var kit = (${kit})();
  var data = window.NETC_PICTURE, pic = data.picture, collapsed = data.collapsed.slice();
  var elk = new ELK();
  var view = document.getElementById("view"), status = document.getElementById("status");
  var busy = Promise.resolve();
  function draw() {
    busy = busy.then(function () {
      document.body.dataset.state = "laying-out";
      return elk.layout(kit.elkGraph(pic, collapsed)).then(function (laid) {
        view.innerHTML = kit.drawSvg(pic, laid, collapsed);
        document.body.dataset.state = "ready";
        document.body.dataset.collapsed = collapsed.join(",");
      });
    }).catch(function (e) { status.textContent = "layout failed: " + e; document.body.dataset.state = "failed"; });
    return busy;
  }
  window.netcToggle = function (id) {
    var i = collapsed.indexOf(id);
    if (i >= 0) collapsed.splice(i, 1); else collapsed.push(id);
    return draw();
  };
  view.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-group]") : null;
    if (!t) return;
    if (t.classList.contains("group") && !ev.target.closest(".title")) return;
    window.netcToggle(t.getAttribute("data-group"));
  });
  document.getElementById("expand").onclick = function () { collapsed = []; draw(); };
  document.getElementById("collapse").onclick = function () {
    collapsed = Object.keys(pic.groups).filter(function (id) { return pic.groups[id].depth === 1; });
    draw();
  };
  document.body.dataset.state = "ready";
  document.body.dataset.collapsed = collapsed.join(",");
})();
</script>
</body>
</html>
`;
}
