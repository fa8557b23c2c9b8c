// The picture of a network as people draw it: the spec's blocks and sections as
// nested groups, the IR's nodes inside them, edges between nodes. Built from the
// checked graph alone (node names, statement origins, the checker's groups), as
// plain data that the layout (draw.ts) and every renderer read, and that the
// HTML page carries as JSON.

import type { IrGraph, IrGroup, IrNode } from "../ir/graph.js";
import { formatPatch, formatShape } from "../ir/shapes.js";
import type { Span } from "../util/span.js";

export type ColorBy = "macs" | "params";

export interface PicNode {
  /** The node's label inside its group ("b2/conv1", "conv1/bn"; the op where the group is the node's own statement). */
  label: string;
  /** "conv 7x7/2 relu", "maxpool 3x3/2", "concat". */
  op: string;
  shape: string;
  params: number;
  macs: number;
  aux: boolean;
  /** The IR path. */
  path: string;
}

export interface PicGroup {
  label: string;
  /** "Inception" for a block call, "seq", "concat", "repeat"; "" for a section or a branch. */
  kind: string;
  /** The output shape of the group. */
  shape: string;
  params: number;
  macs: number;
  aux: boolean;
  path: string;
  /** Node and group ids, in graph order. */
  children: string[];
  /** 1 for a group at the network's top level. */
  depth: number;
}

export interface PicEdge {
  from: string;
  to: string;
  /** The name a `from` tap reads, when this edge is one. */
  tap?: string;
  /** The edge enters an auxiliary head. */
  aux: boolean;
}

export interface Picture {
  network: string;
  colorBy: ColorBy;
  /** Sum of the coloured measure over every node (aux heads included): the denominator of each share. */
  total: number;
  /** Node and group ids at the top level, in graph order. */
  root: string[];
  /** Ids "n<IR id>". */
  nodes: Record<string, PicNode>;
  /** Ids "g<k>". */
  groups: Record<string, PicGroup>;
  edges: PicEdge[];
}

/** A `from` tap as the checker resolved it: where it is written and the name it reads. */
export interface Tap {
  file: string;
  span: Span;
  name: string;
}

const dirname = (p: string): string => (p.lastIndexOf("/") < 0 ? "" : p.slice(0, p.lastIndexOf("/")));
const relativeTo = (path: string, base: string): string => (base === "" ? path : path.startsWith(`${base}/`) ? path.slice(base.length + 1) : path === base ? "" : path);

function opText(n: IrNode): string {
  const a = n.attrs;
  if (a.op === "act") return a.fn;
  const name = a.op === "batchnorm" ? "bn" : a.op === "conv" && a.groups > 1 ? (a.groups === a.outChannels ? "dwconv" : `conv g${a.groups}`) : a.op;
  const patch = formatPatch(n);
  const act = "act" in a && a.act !== "none" ? ` ${a.act}` : "";
  return `${name}${patch && ` ${patch}`}${act}`;
}

/** The statement instances each `from` tap is written in: origin index -> the name it reads. */
function tapOrigins(graph: IrGraph, taps: Tap[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const t of taps) {
    let best = -1;
    graph.origins.forEach((o, i) => {
      if (o.file !== t.file || t.span.offset < o.span.offset || t.span.offset + t.span.length > o.span.offset + o.span.length) return;
      // The innermost statement holding the tap; every instance of it.
      if (best < 0 || o.span.length < graph.origins[best]!.span.length) best = i;
    });
    if (best < 0) continue;
    const s = graph.origins[best]!;
    graph.origins.forEach((o, i) => {
      if (o.file === s.file && o.span.offset === s.span.offset && o.span.length === s.span.length) out.set(i, t.name);
    });
  }
  return out;
}

/** Whether node `n` was made by statement instance `o` (directly, inside it, or through the block calls it made). */
function madeBy(graph: IrGraph, n: IrNode, o: number): boolean {
  const s = graph.origins[o]!;
  const seen = new Set<number>();
  for (let i: number | undefined = n.origin; i !== undefined && !seen.has(i); i = graph.origins[i]?.call) {
    seen.add(i);
    if (i === o) return true;
    const x = graph.origins[i]!;
    if (x.file === s.file && x.span.offset >= s.span.offset && x.span.offset + x.span.length <= s.span.offset + s.span.length && (x.path === s.path || x.path.startsWith(`${s.path}/`))) return true;
  }
  return false;
}

/**
 * The picture of `graph`. Groups come from the statement paths: a path other
 * statements lie under (a block call, a section, a branch of a merge) is a
 * group; a group with a single member is drawn as that member.
 */
export function buildPicture(graph: IrGraph, colorBy: ColorBy = "macs", taps: Tap[] = []): Picture {
  const pathOf = (n: IrNode) => graph.origins[n.origin]?.path ?? n.name;
  const statementPaths = new Set(graph.nodes.map(pathOf));
  const prefixes = new Set<string>();
  for (const p of statementPaths) for (let d = dirname(p); d !== ""; d = dirname(d)) prefixes.add(d);
  const containerOf = (n: IrNode): string => (prefixes.has(pathOf(n)) ? pathOf(n) : dirname(pathOf(n)));

  // The tree of containers (path -> member paths or node ids), "" the root.
  interface Box {
    path: string;
    nodes: number[];
    boxes: Box[];
    first: number;
  }
  const allNodes = (b: Box): number[] => [...b.nodes, ...b.boxes.flatMap(allNodes)];
  const boxes = new Map<string, Box>([["", { path: "", nodes: [], boxes: [], first: -1 }]]);
  const boxOf = (path: string): Box => {
    let b = boxes.get(path);
    if (b) return b;
    b = { path, nodes: [], boxes: [], first: Infinity };
    boxes.set(path, b);
    boxOf(dirname(path)).boxes.push(b);
    return b;
  };
  for (const n of graph.nodes) {
    boxOf(containerOf(n)).nodes.push(n.id);
  }
  for (const b of boxes.values()) b.first = Math.min(...allNodes(b));

  // The checker's record per path: the block call (registered last) over the merge it holds.
  const irGroups = new Map<string, IrGroup>();
  for (const g of graph.groups) irGroups.set(g.name, g);

  const pic: Picture = { network: graph.name, colorBy, total: 0, root: [], nodes: {}, groups: {}, edges: [] };
  for (const n of graph.nodes) pic.total += colorBy === "macs" ? n.macs : n.params;
  let next = 0;

  const members = (b: Box): (Box | number)[] =>
    [...b.nodes, ...b.boxes].sort((x, y) => (typeof x === "number" ? x : x.first) - (typeof y === "number" ? y : y.first));
  /** A box with one member stands for that member (its label prefixed); ids of what `b` is drawn as. */
  const place = (b: Box, parentPath: string, depth: number): string => {
    const list = members(b);
    if (list.length === 1 && b.path !== "") {
      const only = list[0]!;
      if (typeof only === "number") return placeNode(graph.nodes[only]!, parentPath);
      return place(only, parentPath, depth);
    }
    const id = `g${next++}`;
    const ids = list.map((m) => (typeof m === "number" ? placeNode(graph.nodes[m]!, b.path) : place(m, b.path, depth + 1)));
    const inside = allNodes(b);
    const ir = irGroups.get(b.path);
    const last = graph.nodes[Math.max(...inside)]!;
    pic.groups[id] = {
      label: relativeTo(b.path, parentPath) || b.path,
      kind: ir?.kind ?? "",
      shape: formatShape(ir ? ir.shape : last.shape),
      params: inside.reduce((s, i) => s + graph.nodes[i]!.params, 0),
      macs: inside.reduce((s, i) => s + graph.nodes[i]!.macs, 0),
      aux: inside.every((i) => graph.nodes[i]!.aux !== undefined),
      path: b.path,
      children: ids,
      depth,
    };
    return id;
  };
  const placeNode = (n: IrNode, container: string): string => {
    const id = `n${n.id}`;
    const op = opText(n);
    pic.nodes[id] = {
      label: relativeTo(n.name, container) || op.split(" ")[0]!,
      op,
      shape: formatShape(n.shape),
      params: n.params,
      macs: n.macs,
      aux: n.aux !== undefined,
      path: n.name,
    };
    return id;
  };
  const root = boxes.get("")!;
  pic.root = members(root).map((m) => (typeof m === "number" ? placeNode(graph.nodes[m]!, "") : place(m, "", 1)));

  const tapped = tapOrigins(graph, taps);
  const tapOf = (from: IrNode, to: IrNode): string | undefined => {
    for (const [o, name] of tapped) if (madeBy(graph, to, o) && !madeBy(graph, from, o)) return name;
    return undefined;
  };
  for (const n of graph.nodes) {
    for (const i of n.inputs) {
      const from = graph.nodes[i]!;
      const tap = tapped.size > 0 ? tapOf(from, n) : undefined;
      pic.edges.push({ from: `n${i}`, to: `n${n.id}`, ...(tap !== undefined ? { tap } : {}), aux: n.aux !== undefined && from.aux === undefined });
    }
  }
  return pic;
}

/** The groups to draw collapsed so that only groups up to `depth` levels deep are open (undefined: all open). */
export function collapsedAtDepth(pic: Picture, depth: number | undefined): string[] {
  if (depth === undefined) return [];
  return Object.keys(pic.groups).filter((id) => pic.groups[id]!.depth === depth + 1);
}

/** The `from` taps among the checker's name uses (a use that names a layer or the input). */
export function tapsOf(uses: { file: string; span: Span; decl: { kind: string; name: string } }[]): Tap[] {
  return uses.filter((u) => u.decl.kind === "layer" || u.decl.kind === "input").map((u) => ({ file: u.file, span: u.span, name: u.decl.name }));
}
