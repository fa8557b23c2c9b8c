// Names on the tfjs side of the IR.
//
// Layer names are the IR path names ("inception3a/b2/conv1"): tfjs accepts
// letters, digits, '-', '.', '_' and '/', first character alphanumeric. Any other
// character (from a quoted name in the spec) becomes '_', and a name that then
// collides with an earlier one gets "_2", "_3"... in node order, so the mapping is
// stable for a given graph. Both the code generator and the checkpoint converter
// read names through here.

import type { IrGraph } from "../../ir/graph.js";

const VALID = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

/** tfjs-safe spelling of one name (not yet made unique). */
export function tfjsSafe(name: string): string {
  if (VALID.test(name)) return name;
  let s = name.replace(/[^-A-Za-z0-9._/]/g, "_");
  if (!/^[A-Za-z0-9]/.test(s)) s = "x" + s;
  return s;
}

/** IR node name -> tfjs layer name for every node of the graph (input included). */
export function layerNames(graph: IrGraph): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const node of graph.nodes) {
    const name = node.id === 0 ? graph.inputName : node.name;
    out.set(node.name, unique(tfjsSafe(name), taken));
  }
  return out;
}

/** `base`, or `base_2`, `base_3`... whichever is free; records the result as taken. */
export function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally " +
    "for function if import in instanceof new null return super switch this throw true try typeof var void " +
    "while with yield let static implements interface package private protected public await arguments eval " +
    "tf model inference training"
  ).split(" "),
);

/** A readable camelCase JS identifier for an IR name: "inception3a/b2/conv1" -> "inception3aB2Conv1". */
export function identifier(name: string, taken: Set<string>): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter((p) => p.length > 0);
  let id = parts.map((p, i) => (i === 0 ? p[0]!.toLowerCase() + p.slice(1) : p[0]!.toUpperCase() + p.slice(1))).join("");
  if (id === "" || /^[0-9]/.test(id)) id = "x" + id;
  if (RESERVED.has(id)) id = id + "Out";
  let out = id;
  for (let i = 2; taken.has(out); i++) out = `${id}${i}`;
  taken.add(out);
  return out;
}
