// Warnings about things written but never used: block parameters (NET5003) and
// layers no output depends on (NET5002).

import type { BlockDecl } from "../syntax/ast.js";
import type { IrGraph } from "../ir/graph.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import type { BoundParam } from "./elaborate.js";

/** Adds to `read` the parameters an elaboration read (call after it finished: reads mark bindings). */
export function collectRead(bound: readonly BoundParam[], read: Set<string>): void {
  for (const b of bound) if (b.binding.used) read.add(readKey(b.block, b.param));
}

const readKey = (block: string, param: string) => `${block}\0${param}`;

/**
 * A parameter warns only when no elaboration read it AND nothing in the block
 * names it. Evaluation alone would warn about a parameter read only in an `if`
 * branch that no call took (or in a statement an earlier error cut short); the
 * syntax alone could miss a way of reading a name. Together: no false positive.
 */
export function unusedParameters(block: string, decl: BlockDecl, file: string, read: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const p of decl.params) {
    const name = p.name.name;
    if (read.has(readKey(block, name))) continue;
    const elsewhere = [decl.annotations, decl.body, decl.params.filter((q) => q !== p)];
    if (elsewhere.some((part) => mentions(part, name))) continue;
    out.push(diag("NET5003", file, p.name.span, { name, block }));
  }
  return out;
}

/** Whether `name` is read anywhere under `node`: as an expression name or a bare word among an op's attributes. */
function mentions(node: unknown, name: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mentions(n, name));
  if (!node || typeof node !== "object") return false;
  const n = node as { kind?: unknown; name?: unknown };
  if (n.kind === "name" && n.name === name) return true;
  if (n.kind === "flagAttr" && (n.name as { name?: unknown } | undefined)?.name === name) return true;
  return Object.entries(node).some(([k, v]) => k !== "span" && mentions(v, name));
}

/**
 * Statements whose output reaches neither the network's output nor an aux head
 * (`a = conv ...` followed by a statement that reads `from` something before
 * `a`). Reported once per outermost such statement, so a dead block call does
 * not also report every layer inside it.
 */
export function unusedLayers(g: IrGraph): Diagnostic[] {
  const live = new Set<number>();
  const stack = [g.output, ...g.auxOutputs.map((a) => a.node)];
  while (stack.length) {
    const id = stack.pop()!;
    if (live.has(id)) continue;
    live.add(id);
    for (const i of g.nodes[id]?.inputs ?? []) stack.push(i);
  }
  const deadGroups = g.groups.filter((x) => !live.has(x.output));
  const inside = (id: number, except?: object) => deadGroups.some((x) => x !== except && x.nodes.includes(id));
  const out: Diagnostic[] = [];
  for (const x of deadGroups) {
    if (!inside(x.output, x)) out.push(diag("NET5002", x.source.file, x.source.span, { name: x.name }));
  }
  for (const n of g.nodes) {
    // A node inside a dead statement (its bn, a dead block call's layers) is reported through that statement.
    if (live.has(n.id) || n.attrs.op === "input" || inside(n.id)) continue;
    out.push(diag("NET5002", n.source.file, n.source.span, { name: n.name }));
  }
  return out;
}
