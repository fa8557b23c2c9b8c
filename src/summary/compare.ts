// `netc diff`'s comparison of two checked graphs, layer by layer: the rows of
// `netc summary --all` (named statements and the layers inside them), matched
// by their path names (as `netc weights` names tensors), with what changed in
// type, output shape, parameters, MACs and weight tensor shapes. Whether a
// checkpoint still loads is the CLI's part (it runs the weight loader's rule).

import type { IrGraph } from "../ir/graph.js";
import { stateDictOrder } from "../ir/state-dict.js";
import { rows, type Row } from "./table.js";

export interface LayerFacts {
  op: string;
  shape: number[];
  params: number;
  macs: number;
  /** The layer's own weight tensors ("weight 64x3x7x7"), for nodes; empty for statements. */
  tensors: string[];
  /** The node's attributes (stride, padding, rate, activation...), for nodes; absent for statements. */
  attrs?: Record<string, unknown>;
}

export interface LayerChange {
  name: string;
  status: "added" | "removed" | "changed";
  /** Nesting depth in NEW (OLD for removed layers), as `summary --all` indents. */
  depth: number;
  aux: boolean;
  old?: LayerFacts;
  new?: LayerFacts;
  /** What differs, for changed layers: "op", "shape", "params", "macs", "weights", "attrs". */
  fields: ("op" | "shape" | "params" | "macs" | "weights" | "attrs")[];
  /** The attributes that differ, for "attrs": "rate 0.2 -> 0.5". */
  attrs?: string[];
}

export interface GraphFacts {
  network: string;
  input: number[];
  output: number[];
  params: number;
  paramsWithAux: number;
  macs: number;
}

export interface Comparison {
  old: GraphFacts;
  new: GraphFacts;
  inputChanged: boolean;
  outputChanged: boolean;
  layers: LayerChange[];
}

function graphFacts(g: IrGraph): GraphFacts {
  return { network: g.name, input: g.inputShape, output: g.nodes[g.output]!.shape, params: g.params, paramsWithAux: g.paramsWithAux, macs: g.macs };
}

function layerTable(g: IrGraph): Map<string, { row: Row; facts: LayerFacts }> {
  const tensors = new Map<string, string[]>();
  for (const t of stateDictOrder(g)) tensors.set(t.node, [...(tensors.get(t.node) ?? []), `${t.torchName} ${t.shape.join("x")}`]);
  const attrs = new Map(g.nodes.map((n) => [n.name, n.attrs as unknown as Record<string, unknown>]));
  return new Map(
    rows(g).map((row) => {
      const a = attrs.get(row.name);
      return [row.name, { row, facts: { op: row.op, shape: row.shape, params: row.params, macs: row.macs, tensors: tensors.get(row.name) ?? [], ...(a ? { attrs: a } : {}) } }];
    }),
  );
}

const show = (v: unknown) => (v === undefined ? "(none)" : Array.isArray(v) ? v.join(",") : String(v));

/** "rate 0.2 -> 0.5" for each attribute that differs (op aside: a changed type is its own field). */
function attrChanges(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] {
  if (!a || !b || a.op !== b.op) return [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== "op");
  return keys.filter((k) => show(a[k]) !== show(b[k])).map((k) => `${k} ${show(a[k])} -> ${show(b[k])}`);
}

const same = (a: number[] | string[], b: number[] | string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Every layer that was added, removed or changed, in NEW's order, removed layers where they stood in OLD. */
export function compareGraphs(oldGraph: IrGraph, newGraph: IrGraph): Comparison {
  const before = layerTable(oldGraph);
  const after = layerTable(newGraph);
  const layers: LayerChange[] = [];
  // A removed layer is listed after the last layer before it in OLD that NEW still has (first when none).
  const oldNames = [...before.keys()];
  const pending = new Map<string, LayerChange[]>();
  for (const [name, { row, facts }] of before) {
    if (after.has(name)) continue;
    const previous = oldNames.slice(0, oldNames.indexOf(name)).reverse().find((n) => after.has(n)) ?? "";
    pending.set(previous, [...(pending.get(previous) ?? []), { name, status: "removed", depth: row.depth, aux: row.aux !== undefined, old: facts, fields: [] }]);
  }
  for (const r of pending.get("") ?? []) layers.push(r);
  for (const [name, { row, facts }] of after) {
    const was = before.get(name);
    if (!was) layers.push({ name, status: "added", depth: row.depth, aux: row.aux !== undefined, new: facts, fields: [] });
    else {
      const fields: LayerChange["fields"] = [];
      if (was.facts.op !== facts.op) fields.push("op");
      if (!same(was.facts.shape, facts.shape)) fields.push("shape");
      if (was.facts.params !== facts.params) fields.push("params");
      if (was.facts.macs !== facts.macs) fields.push("macs");
      if (!same(was.facts.tensors, facts.tensors)) fields.push("weights");
      const attrs = attrChanges(was.facts.attrs, facts.attrs);
      if (attrs.length) fields.push("attrs");
      if (fields.length) layers.push({ name, status: "changed", depth: row.depth, aux: row.aux !== undefined, old: was.facts, new: facts, fields, ...(attrs.length ? { attrs } : {}) });
    }
    for (const r of pending.get(name) ?? []) layers.push(r);
  }
  const o = graphFacts(oldGraph);
  const n = graphFacts(newGraph);
  return { old: o, new: n, inputChanged: !same(o.input, n.input), outputChanged: !same(o.output, n.output), layers };
}
