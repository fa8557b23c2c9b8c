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
  if (Array.isArray(node)) {
    for (const n of node) if (mentions(n, name)) return true;
    return false;
  }
  if (!node || typeof node !== "object") return false;
  const n = node as { kind?: unknown; name?: unknown };
  if (n.kind === "name" && n.name === name) return true;
  if (n.kind === "flagAttr" && (n.name as { name?: unknown } | undefined)?.name === name) return true;
  // Object.keys, not entries: no [key, value] pair per property of every node of the block.
  for (const k of Object.keys(node)) if (k !== "span" && mentions((node as Record<string, unknown>)[k], name)) return true;
  return false;
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
  // Everything live (the usual case): nothing to report, and none of the sets below is needed.
  if (g.nodes.every((n) => live.has(n.id)) && g.groups.every((x) => live.has(x.output))) return [];
  const deadGroups = g.groups.filter((x) => !live.has(x.output));
  // Statement paths nest ("r", "r/0", "r/0/conv1"): only the outermost dead one is reported.
  const deadNames = new Set(deadGroups.map((x) => x.name));
  const nested = (name: string) => {
    for (let i = name.lastIndexOf("/"); i > 0; i = name.lastIndexOf("/", i - 1)) if (deadNames.has(name.slice(0, i))) return true;
    return false;
  };
  const held = new Set(deadGroups.flatMap((x) => x.nodes));
  const out: Diagnostic[] = [];
  // One warning per statement: a block's statement is not reported once per call, and a
  // single-statement seq shares its path with the statement inside.
  const seen = new Set<string>();
  const report = (name: string, at: { file: string; span: { offset: number; length: number } }) => {
    const key = `${at.file}\0${at.span.offset}`;
    if (seen.has(key) || seen.has(name)) return;
    seen.add(key).add(name);
    out.push(diag("NET5002", at.file, at.span, { name }));
  };
  // Outer statements first (longer spans): a shared path is reported at the statement that names it.
  const outerFirst = [...deadGroups].sort((a, b) => b.source.span.length - a.source.span.length);
  for (const x of outerFirst) if (!nested(x.name)) report(x.name, x.source);
  // A node inside a dead statement (its bn, a dead block call's layers) is reported through that statement.
  for (const n of g.nodes) if (!live.has(n.id) && n.attrs.op !== "input" && !held.has(n.id)) report(n.name, n.source);
  return out;
}
