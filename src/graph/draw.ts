// The picture's layout input (for elkjs) and its SVG drawing. Both are in one
// function with no imports and no outside references, because the HTML page
// carries this very code (`graphKit.toString()`) to lay the picture out again
// in the browser when a group is opened or closed: the page and `--format svg`
// draw alike because they run the same code.

import type { Picture } from "./model.js";

/** An elkjs graph (the subset netc writes and reads back). */
export interface ElkNode {
  id: string;
  x?: number;
  y?: number;
  width?: number;
  height?: number;
  children?: ElkNode[];
  edges?: ElkEdge[];
  layoutOptions?: Record<string, string>;
}
export interface ElkEdge {
  id: string;
  sources: string[];
  targets: string[];
  sections?: { startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: { x: number; y: number }[] }[];
}

export interface GraphKit {
  /** The elkjs input for `pic` with the groups in `collapsed` drawn as one box each. */
  elkGraph(pic: Picture, collapsed: string[]): ElkNode;
  /** The SVG of a laid-out graph (what elkjs returned for elkGraph's input). */
  drawSvg(pic: Picture, laid: ElkNode, collapsed: string[]): string;
  /** A node's text: its name and op, its output shape. */
  nodeLines(pic: Picture, id: string): string[];
}

export function graphKit(): GraphKit {
  const FONT = 11;
  const CHAR = 6.6; // monospace advance at 11px (0.6em)
  const LINE = 14;
  const HEADER = 46;
  const MARGIN = 12;

  const esc = (s: string): string =>
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, "\ufffd")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  const num = (v: number): string => String(Math.round(v * 10) / 10);
  const human = (n: number): string =>
    n >= 1e9 ? `${(n / 1e9).toFixed(2)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}K` : String(n);
  const width = (lines: string[]): number => Math.ceil(Math.max(...lines.map((l) => [...l].length)) * CHAR + 16);

  /** Share 0.01% or less is white, 100% the darkest: a log scale, so that small layers still differ. */
  function fill(share: number): string {
    const t = share <= 0 ? 0 : Math.max(0, Math.min(1, (Math.log10(share) + 4) / 4));
    const stops = [
      [247, 247, 247],
      [253, 212, 158],
      [252, 141, 89],
      [215, 48, 31],
    ];
    const x = t * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const f = x - i;
    const c = stops[i]!.map((v, k) => Math.round(v + (stops[i + 1]![k]! - v) * f));
    return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
  }
  const measure = (pic: Picture, v: { params: number; macs: number }) => (pic.colorBy === "macs" ? v.macs : v.params);
  const share = (pic: Picture, v: { params: number; macs: number }) => (pic.total > 0 ? measure(pic, v) / pic.total : 0);
  const percent = (s: number) => `${(s * 100).toFixed(s >= 0.1 ? 1 : 2)}%`;

  function nodeLines(pic: Picture, id: string): string[] {
    const n = pic.nodes[id]!;
    // An automatic name ("flatten1", "conv2") says no more than the op.
    const word = n.op.split(" ")[0]!;
    const first = n.label === word || new RegExp(`^${word.replace(/[^a-z]/g, "")}\\d+$`).test(n.label) ? n.op : `${n.label}: ${n.op}`;
    return [first, n.shape];
  }
  function groupTitle(pic: Picture, id: string, open: boolean): string {
    const g = pic.groups[id]!;
    return `${open ? "\u25be" : "\u25b8"} ${g.label}${g.kind && g.kind !== g.label ? ` \u00b7 ${g.kind}` : ""}`;
  }

  function elkGraph(pic: Picture, collapsed: string[]): ElkNode {
    const closed = new Set(collapsed);
    /** The id each node or group is drawn as: itself, or the outermost closed group holding it. */
    const shownAs = new Map<string, string>();
    const build = (id: string, hidden: string | undefined): ElkNode | undefined => {
      shownAs.set(id, hidden ?? id);
      const g = pic.groups[id];
      if (!g) {
        if (hidden) return undefined;
        const lines = nodeLines(pic, id);
        return { id, width: width(lines), height: lines.length * LINE + 8 };
      }
      const isClosed = hidden === undefined && closed.has(id);
      const kids = g.children.map((c) => build(c, hidden ?? (isClosed ? id : undefined))).filter((k): k is ElkNode => k !== undefined);
      if (hidden) return undefined;
      if (isClosed) {
        const lines = [groupTitle(pic, id, false), g.shape];
        return { id, width: width(lines), height: lines.length * LINE + 8 };
      }
      const w = width([`${groupTitle(pic, id, true)} ${g.shape}`]);
      return {
        id,
        children: kids,
        layoutOptions: {
          "elk.padding": "[top=28,left=10,bottom=10,right=10]",
          "elk.nodeSize.constraints": "MINIMUM_SIZE",
          "elk.nodeSize.minimum": `(${w}, 40)`,
        },
      };
    };
    const children = pic.root.map((id) => build(id, undefined)).filter((k): k is ElkNode => k !== undefined);
    const seen = new Set<string>();
    const edges: ElkEdge[] = [];
    for (const e of pic.edges) {
      const from = shownAs.get(e.from) ?? e.from;
      const to = shownAs.get(e.to) ?? e.to;
      const key = `${from}>${to}`;
      if (from === to || seen.has(key)) continue;
      seen.add(key);
      edges.push({ id: `e${edges.length}`, sources: [from], targets: [to] });
    }
    return {
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "DOWN",
        "elk.hierarchyHandling": "INCLUDE_CHILDREN",
        "elk.layered.considerModelOrder.strategy": "NODES_AND_EDGES",
        "elk.layered.spacing.nodeNodeBetweenLayers": "22",
        "elk.spacing.nodeNode": "14",
        "elk.randomSeed": "1",
        "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
        "elk.layered.nodePlacement.bk.fixedAlignment": "BALANCED",
        "org.eclipse.elk.json.edgeCoords": "ROOT",
        "org.eclipse.elk.json.shapeCoords": "ROOT",
      },
      children,
      edges,
    };
  }

  function drawSvg(pic: Picture, laid: ElkNode, collapsed: string[]): string {
    const closed = new Set(collapsed);
    const measureName = pic.colorBy === "macs" ? "MACs" : "parameters";
    const totalText = pic.colorBy === "macs" ? `${human(pic.total)} MACs` : `${pic.total.toLocaleString("en-US")} parameters`;
    const subtitle = `colour: share of ${measureName} (total ${totalText})`;
    // Room for the subtitle and the legend beside it.
    const w = Math.max(Math.ceil([...subtitle].length * CHAR) + 2 * MARGIN + 230, (laid.width ?? 0) + 2 * MARGIN);
    const h = (laid.height ?? 0) + HEADER + MARGIN;
    const groups: string[] = [];
    const nodes: string[] = [];
    const X = (v: number | undefined) => num((v ?? 0) + MARGIN);
    const Y = (v: number | undefined) => num((v ?? 0) + HEADER);
    const text = (lines: string[], x: number, y: number) =>
      lines.map((l, i) => `<text x="${num(x + 8 + MARGIN)}" y="${num(y + HEADER + 4 + LINE * (i + 1) - 3)}">${esc(l)}</text>`).join("");
    const visit = (n: ElkNode) => {
      const g = pic.groups[n.id];
      if (g && !closed.has(n.id)) {
        const cls = `group${g.aux ? " aux" : ""}`;
        groups.push(
          `<g class="${cls}" data-group="${n.id}"><title>${esc(`${g.path}${g.kind ? ` (${g.kind})` : ""}\n${g.shape}\nparams ${g.params.toLocaleString("en-US")}\nMACs ${g.macs.toLocaleString("en-US")}\n${percent(share(pic, g))} of ${pic.colorBy === "macs" ? "MACs" : "parameters"}`)}</title>` +
            `<rect x="${X(n.x)}" y="${Y(n.y)}" width="${num(n.width ?? 0)}" height="${num(n.height ?? 0)}" rx="6"/>` +
            `<text class="title" x="${num((n.x ?? 0) + 8 + MARGIN)}" y="${num((n.y ?? 0) + HEADER + 17)}">${esc(groupTitle(pic, n.id, true))}<tspan class="dim"> ${esc(g.shape)}</tspan></text></g>`,
        );
        for (const c of n.children ?? []) visit(c);
        return;
      }
      const v = g ?? pic.nodes[n.id]!;
      const lines = g ? [groupTitle(pic, n.id, false), g.shape] : nodeLines(pic, n.id);
      const s = share(pic, v);
      const tip = `${v.path}${g ? (g.kind ? ` (${g.kind})` : "") : `\n${pic.nodes[n.id]!.op}`}\n${v.shape}\nparams ${v.params.toLocaleString("en-US")}\nMACs ${v.macs.toLocaleString("en-US")}\n${percent(s)} of ${pic.colorBy === "macs" ? "MACs" : "parameters"}`;
      const cls = `${g ? "node collapsed" : "node"}${v.aux ? " aux" : ""}`;
      nodes.push(
        `<g class="${cls}"${g ? ` data-group="${n.id}"` : ` data-node="${n.id}"`}><title>${esc(tip)}</title>` +
          `<rect x="${X(n.x)}" y="${Y(n.y)}" width="${num(n.width ?? 0)}" height="${num(n.height ?? 0)}" rx="${g ? 6 : 3}" fill="${fill(s)}"/>` +
          `${text(lines, n.x ?? 0, n.y ?? 0)}</g>`,
      );
    };
    for (const c of laid.children ?? []) visit(c);
    const edgeClass = new Map<string, string>();
    const tapName = new Map<string, string>();
    {
      // The same mapping as elkGraph: an edge's class follows the first IR edge it stands for.
      const shown = new Map<string, string>();
      const mark = (id: string, as: string | undefined) => {
        const g = pic.groups[id];
        shown.set(id, as ?? id);
        if (g) for (const c of g.children) mark(c, as ?? (closed.has(id) ? id : undefined));
      };
      for (const id of pic.root) mark(id, undefined);
      for (const e of pic.edges) {
        const key = `${shown.get(e.from) ?? e.from}>${shown.get(e.to) ?? e.to}`;
        if (edgeClass.has(key)) continue;
        edgeClass.set(key, e.tap !== undefined ? "edge tap" : e.aux ? "edge aux" : "edge");
        if (e.tap !== undefined) tapName.set(key, e.tap);
      }
    }
    const edges = (laid.edges ?? []).map((e) => {
      const key = `${e.sources[0]}>${e.targets[0]}`;
      const d = (e.sections ?? [])
        .map((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p, i) => `${i === 0 ? "M" : "L"}${X(p.x)} ${Y(p.y)}`).join(" "))
        .join(" ");
      const tap = tapName.get(key);
      return `<path class="${edgeClass.get(key) ?? "edge"}" d="${d}">${tap !== undefined ? `<title>${esc(`from ${tap}`)}</title>` : ""}</path>`;
    });
    const legendStops = [1e-4, 1e-3, 1e-2, 1e-1, 1].map((s, i) => `<rect x="${num(w - MARGIN - 200 + i * 40)}" y="12" width="40" height="12" fill="${fill(s)}"/><text class="dim" x="${num(w - MARGIN - 200 + i * 40)}" y="38">${["0.01%", "0.1%", "1%", "10%", "100%"][i]}</text>`).join("");
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${num(w)}" height="${num(h)}" viewBox="0 0 ${num(w)} ${num(h)}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="${FONT}">`,
      `<style>` +
        `.group>rect{fill:#f4f6fa;fill-opacity:.6;stroke:#8a94a6;stroke-width:1}` +
        `.group.aux>rect,.node.aux>rect{stroke-dasharray:4 3}` +
        `.group .title{font-weight:bold;fill:#2d3340}` +
        `.node>rect{stroke:#4a5160;stroke-width:1}.node.collapsed>rect{stroke-width:2}` +
        `text{fill:#1c1f26}.dim{fill:#6b7280;font-weight:normal}` +
        `.edge{fill:none;stroke:#4a5160;stroke-width:1.2;marker-end:url(#arrow)}.edge.aux{stroke:#8a94a6;stroke-dasharray:4 3}.edge.tap{stroke:#2563eb;stroke-dasharray:6 3}` +
        `</style>`,
      `<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L8 4L0 8z" fill="#4a5160"/></marker></defs>`,
      `<rect width="100%" height="100%" fill="#ffffff"/>`,
      `<text x="${MARGIN}" y="20" font-size="14" font-weight="bold">${esc(pic.network)}</text>`,
      `<text class="dim" x="${MARGIN}" y="38">${esc(subtitle)}</text>`,
      legendStops,
      ...groups,
      ...edges,
      ...nodes,
      `</svg>`,
    ].join("\n");
  }

  return { elkGraph, drawSvg, nodeLines };
}
