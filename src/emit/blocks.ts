// Block calls as units of generated code (issue 14). The checker marks every
// block-call statement instance (`inception3a = Inception(64, ...)`) on its
// origin (`Origin.block`: block name, bound arguments, output node). This module
// finds those instances in a graph and says which of them an emitter can write
// as one call of a class (PyTorch) or function (tfjs): an instance whose nodes
// are contiguous in the graph, all named under its path, fed by exactly one
// node outside it, and seen from outside only through its output. Instances
// that are not (a `from` tap into a block's inside, an aux head written inside
// a block) are dissolved: their nodes belong to the enclosing unit, as if the
// block had been written in place. Emitters then group the usable instances by
// the code they would print, so instances whose elaborated subgraphs differ
// (an `if` on a parameter) get different classes.

import type { IrGraph } from "../ir/graph.js";

export interface BlockInstance {
  /** Index of this instance in the list blockInstances returns. */
  index: number;
  /** The call's origin (IrGraph.origins index). */
  origin: number;
  /** The block's name as declared. */
  block: string;
  /** The block's parameter names and the numbers this call bound to them (undefined: not a number). */
  params: string[];
  args: (number | undefined)[];
  /** IR path of the call ("inception3a"): every node of the instance is named under it (or is named it: the block's merge). */
  path: string;
  /** Every node id of the instance (nested instances' too), ascending and contiguous. */
  nodes: number[];
  /** The one node outside the instance that feeds it. */
  input: number;
  /** The node whose output is the call's output. */
  output: number;
  /** The usable instance this one is called from; undefined at network level. */
  parent: number | undefined;
  /** Depth of usable instances around this one (0 at network level). */
  depth: number;
}

export interface BlockInstances {
  instances: BlockInstance[];
  /** node id -> the innermost usable instance holding it (undefined: the network itself). */
  unitOf: (number | undefined)[];
}

/**
 * The graph's usable block-call instances, outermost first (by first node, then depth).
 * `reject` lets an emitter dissolve instances it cannot write as a unit.
 */
export function blockInstances(graph: IrGraph, reject?: (inst: BlockInstance) => boolean): BlockInstances {
  const nodesOf = new Map<number, number[]>();
  for (const n of graph.nodes) {
    const seen = new Set<number>();
    for (let o = graph.origins[n.origin]?.call; o !== undefined && !seen.has(o); o = graph.origins[o]?.call) {
      seen.add(o);
      if (!graph.origins[o]?.block) continue;
      const list = nodesOf.get(o) ?? [];
      list.push(n.id);
      nodesOf.set(o, list);
    }
  }
  const usedBy = new Map<number, number[]>();
  for (const n of graph.nodes) for (const i of n.inputs) usedBy.set(i, [...(usedBy.get(i) ?? []), n.id]);
  const exits = new Set<number>([graph.output, ...graph.auxOutputs.map((a) => a.node)]);

  const candidates: BlockInstance[] = [];
  for (const [origin, nodes] of [...nodesOf.entries()].sort((a, b) => a[1][0]! - b[1][0]! || b[1].length - a[1].length || a[0] - b[0])) {
    const o = graph.origins[origin]!;
    const b = o.block!;
    const inside = new Set(nodes);
    if (!nodes.every((id, i) => id === nodes[0]! + i)) continue;
    if (!nodes.every((id) => graph.nodes[id]!.name.startsWith(`${o.path}/`) || graph.nodes[id]!.name === o.path)) continue;
    if (!inside.has(b.output)) continue;
    const aux = graph.nodes[nodes[0]!]!.aux;
    if (!nodes.every((id) => graph.nodes[id]!.aux === aux)) continue;
    const feeds = new Set<number>();
    for (const id of nodes) for (const i of graph.nodes[id]!.inputs) if (!inside.has(i)) feeds.add(i);
    if (feeds.size !== 1) continue;
    const leaks = nodes.some((id) => id !== b.output && (exits.has(id) || (usedBy.get(id) ?? []).some((u) => !inside.has(u))));
    if (leaks) continue;
    candidates.push({ index: -1, origin, block: b.name, params: b.params, args: b.args, path: o.path, nodes, input: [...feeds][0]!, output: b.output, parent: undefined, depth: 0 });
  }
  const kept = candidates.filter((c) => !reject?.(c));
  // Parents: the innermost kept instance whose nodes contain this one's.
  const unitOf: (number | undefined)[] = new Array(graph.nodes.length).fill(undefined);
  kept.forEach((inst, i) => {
    inst.index = i;
    const first = inst.nodes[0]!;
    inst.parent = unitOf[first] !== undefined && kept[unitOf[first]!]!.nodes.includes(inst.nodes[inst.nodes.length - 1]!) ? unitOf[first] : undefined;
    // Candidates come outermost first, so the unit recorded so far for these nodes is the enclosing one.
    for (let p = inst.parent; p !== undefined; p = kept[p]!.parent) inst.depth++;
    for (const id of inst.nodes) unitOf[id] = i;
  });
  return { instances: kept, unitOf };
}

/** Direct children of a unit (an instance index, or undefined for the network), in node order. */
export function childrenOf(all: BlockInstances, unit: number | undefined): BlockInstance[] {
  return all.instances.filter((i) => i.parent === unit);
}
