// What the checker computed for each source span: output shape, parameters and
// MACs of every statement (IR groups) and op layer (IR nodes), per instance
// (a layer inside a block has one instance per call). Hover and inlay hints
// read these. Facts survive edits with their spans shifted (see shift()), so a
// spec with an error elsewhere still shows the shapes of its last good check.

import type { Span } from "../syntax/ast.js";
import type { IrGraph, IrNode, Shape } from "../ir/graph.js";

export interface Instance {
  /** IR path name, e.g. "inception3a/b2/conv1". */
  name: string;
  shape: Shape;
  params: number;
  macs: number;
  aux: string | undefined;
}

export interface Fact {
  file: string;
  span: Span;
  /** Op name ("conv") or group kind ("Inception", "concat", "seq"). */
  kind: string;
  instances: Instance[];
}

const key = (file: string, span: Span) => `${file}\0${span.offset}\0${span.length}`;

export function factsOf(graph: IrGraph): Map<string, Fact> {
  const facts = new Map<string, Fact>();
  const add = (file: string, span: Span, kind: string, inst: Instance) => {
    const k = key(file, span);
    let f = facts.get(k);
    if (!f) facts.set(k, (f = { file, span: { ...span }, kind, instances: [] }));
    f.instances.push(inst);
  };
  // Op layers: the nodes one statement instance made (conv + conv/bn, sepconv/dw + sepconv) share its origin.
  const nodes = graph.nodes;
  for (let i = 0; i < nodes.length; ) {
    const first = nodes[i]!;
    let j = i + 1;
    while (j < nodes.length && nodes[j]!.origin === first.origin) j++;
    const run = nodes.slice(i, j);
    const last = run[run.length - 1]!;
    if (first.attrs.op !== "input" || i > 0) {
      add(first.source.file, first.source.span, first.attrs.op, {
        name: graph.origins[first.origin]?.path ?? first.name, shape: last.shape, params: sum(run, (n) => n.params), macs: sum(run, (n) => n.macs), aux: first.aux,
      });
    }
    i = j;
  }
  for (const g of graph.groups) {
    add(g.source.file, g.source.span, g.kind, { name: g.name, shape: g.shape, params: g.params, macs: g.macs, aux: g.aux });
  }
  return facts;
}

/** Facts keyed for lookup; several entries (open specs) may contribute instances. */
export function lookup(sources: Iterable<Map<string, Fact>>, file: string, span: Span): Fact | undefined {
  const k = key(file, span);
  let merged: Fact | undefined;
  for (const m of sources) {
    const f = m.get(k);
    if (!f) continue;
    if (!merged) merged = { ...f, instances: [...f.instances] };
    else merged.instances.push(...f.instances.filter((i) => !merged!.instances.some((x) => x.name === i.name && x.shape.join() === i.shape.join())));
  }
  return merged;
}

/**
 * Moves the facts of `file` through one text edit (old offsets [start, end)
 * replaced by `inserted` characters). Facts overlapping the edit are dropped:
 * what they described has changed.
 */
export function shift(facts: Map<string, Fact>, file: string, start: number, end: number, inserted: number): Map<string, Fact> {
  if (start === end && inserted === 0) return facts;
  let touched = false;
  for (const f of facts.values()) if (f.file === file) touched = true;
  if (!touched) return facts;
  const out = new Map<string, Fact>();
  const delta = inserted - (end - start);
  for (const f of facts.values()) {
    if (f.file !== file) out.set(key(f.file, f.span), f);
    else if (f.span.offset + f.span.length <= start) out.set(key(f.file, f.span), f);
    else if (f.span.offset >= end) {
      const moved = { ...f, span: { offset: f.span.offset + delta, length: f.span.length } };
      out.set(key(file, moved.span), moved);
    }
  }
  return out;
}

export function dropFile(facts: Map<string, Fact>, file: string): Map<string, Fact> {
  return new Map([...facts].filter(([, f]) => f.file !== file));
}

function sum(list: IrNode[], f: (n: IrNode) => number): number {
  return list.reduce((s, n) => s + f(n), 0);
}
