// The layer table of `netc summary`, in the style of the GoogLeNet paper's Table 1.

import type { IrGraph, IrGroup, IrNode } from "../ir/graph.js";
import { formatPatch, formatShape } from "../ir/shapes.js";
import { megabytes, memoryFigures } from "./memory.js";

export interface Row {
  name: string;
  op: string;
  /** "7x7/2" for convolutions and pools. */
  patch: string;
  shape: number[];
  params: number;
  macs: number;
  aux: string | undefined;
  depth: number;
}

function opLabel(n: IrNode): string {
  const a = n.attrs;
  if (a.op === "conv" && a.groups > 1) return a.groups === n.shape[0] || a.groups === (a.outChannels) ? "dwconv" : "conv";
  if (a.op === "act") return a.fn;
  return a.op;
}

const nodeRow = (n: IrNode, depth: number): Row => ({
  name: n.name, op: opLabel(n), patch: formatPatch(n), shape: n.shape, params: n.params, macs: n.macs, aux: n.aux, depth,
});
const groupRow = (g: IrGroup, depth: number): Row => ({
  name: g.name, op: g.kind, patch: "", shape: g.shape, params: g.params, macs: g.macs, aux: g.aux, depth,
});

/**
 * Rows in graph order: every named statement (with the totals of what it holds)
 * and every node inside it, nested by depth. A node that is its group's own
 * output under the same name is represented by the group row.
 */
export function rows(graph: IrGraph): Row[] {
  const out: Row[] = [];
  // A block whose body is one statement yields two groups of one name (the call and
  // the statement inside); the call, registered last, stands for both.
  const byName = new Map(graph.groups.map((g) => [g.name, g]));
  const groups = [...byName.values()].sort((a, b) => Math.min(...a.nodes) - Math.min(...b.nodes) || b.nodes.length - a.nodes.length);
  const inside = (g: IrGroup, h: IrGroup) => g !== h && g.nodes.every((id) => h.nodes.includes(id)) && h.nodes.length > g.nodes.length;
  const parentOf = new Map<IrGroup, IrGroup | undefined>();
  for (const g of groups) {
    const parents = groups.filter((h) => inside(g, h));
    parentOf.set(g, parents.sort((a, b) => a.nodes.length - b.nodes.length)[0]);
  }
  const depthOf = (g: IrGroup | undefined): number => (g ? 1 + depthOf(parentOf.get(g)) : 0);
  const groupOfNode = new Map<number, IrGroup>();
  for (const g of [...groups].sort((a, b) => b.nodes.length - a.nodes.length)) for (const id of g.nodes) groupOfNode.set(id, g);
  const emitted = new Set<IrGroup>();
  const emitGroup = (g: IrGroup) => {
    const p = parentOf.get(g);
    if (p && !emitted.has(p)) emitGroup(p);
    if (emitted.has(g)) return;
    emitted.add(g);
    out.push(groupRow(g, depthOf(p)));
  };
  const groupNames = new Set(graph.groups.map((g) => g.name));
  for (const n of graph.nodes) {
    if (n.attrs.op === "input") continue;
    const g = groupOfNode.get(n.id);
    if (g) emitGroup(g);
    if (groupNames.has(n.name)) continue;
    out.push(nodeRow(n, g ? depthOf(g) : 0));
  }
  return out;
}

function human(n: number): string {
  if (n === 0) return "";
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export function renderTable(graph: IrGraph, all: boolean): string {
  const list = rows(graph).filter((r) => all || r.depth === 0);
  const header = ["name", "type", "patch/stride", "output", "params", "MACs"];
  const body = list.map((r) => [
    `${"  ".repeat(r.depth)}${r.name}${r.aux ? " (aux)" : ""}`,
    r.op,
    r.patch,
    formatShape(r.shape),
    human(r.params),
    human(r.macs),
  ]);
  const total = ["total (inference)", "", "", formatShape(graph.nodes[graph.output]!.shape), graph.params.toLocaleString("en-US"), human(graph.macs)];
  const withAux = ["total with aux heads", "", "", "", graph.paramsWithAux.toLocaleString("en-US"), ""];
  const table = [header, ...body, total, withAux];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const right = new Set([4, 5]);
  const line = (r: string[]) => r.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const input = `${graph.name}: input ${graph.inputName} ${formatShape(graph.inputShape)}`;
  return [input, "", line(header), rule, ...body.map(line), rule, line(total), line(withAux)].join("\n");
}

export function summaryJson(graph: IrGraph) {
  return {
    network: graph.name,
    input: graph.inputShape,
    output: graph.nodes[graph.output]!.shape,
    params: graph.params,
    paramsWithAux: graph.paramsWithAux,
    macs: graph.macs,
    aux: graph.auxOutputs.map((a) => ({ name: a.name, weight: a.weight, shape: graph.nodes[a.node]!.shape })),
    layers: rows(graph).map((r) => ({ name: r.name, op: r.op, shape: r.shape, params: r.params, macs: r.macs, ...(r.aux ? { aux: true } : {}) })),
  };
}

/** Memory for a batch of `batch` images: weights, and activations for inference and training (src/summary/memory.ts). */
export function memoryJson(graph: IrGraph, batch: number) {
  const m = memoryFigures(graph);
  return {
    trainableParams: m.weights.trainable,
    nonTrainableParams: m.weights.nonTrainable,
    weightsBytes: m.weights.bytes,
    withAux: { trainableParams: m.weightsWithAux.trainable, nonTrainableParams: m.weightsWithAux.nonTrainable, weightsBytes: m.weightsWithAux.bytes },
    activations: {
      batch,
      perImage: { inferencePeak: m.inference.peak, trainingKept: m.training.kept },
      perBatch: { trainingKept: m.training.perBatch },
      total: { inferencePeak: batch * m.inference.peak, trainingKept: batch * m.training.kept + m.training.perBatch },
    },
  };
}

/** The memory lines under the table. */
export function renderMemory(graph: IrGraph, batch: number): string {
  const j = memoryJson(graph, batch);
  const a = j.activations;
  const count = (n: number) => n.toLocaleString("en-US");
  const aux = j.withAux.weightsBytes !== j.weightsBytes ? `; ${megabytes(j.withAux.weightsBytes)} with aux heads` : "";
  const lines: [string, string, string][] = [
    ["trainable params", count(j.trainableParams), ""],
    ["non-trainable params", count(j.nonTrainableParams), "BatchNorm running mean and variance (PyTorch buffers)"],
    ["weights", megabytes(j.weightsBytes), `float32, both kinds${aux}`],
    ["activations / image", megabytes(a.perImage.inferencePeak), "inference: peak of live tensors, input included"],
    ["", megabytes(a.perImage.trainingKept), `training: kept for the backward pass${j.withAux.weightsBytes !== j.weightsBytes ? ", aux heads included" : ""}`],
    [`activations, batch ${batch}`, megabytes(a.total.inferencePeak), "inference"],
    ["", megabytes(a.total.trainingKept), `training${a.perBatch.trainingKept ? ` (${megabytes(a.perBatch.trainingKept)} of it BatchNorm's batch statistics)` : ""}`],
  ];
  const w0 = Math.max(...lines.map((l) => l[0].length));
  const w1 = Math.max(...lines.map((l) => l[1].length));
  return lines.map(([a0, a1, a2]) => `${a0.padEnd(w0)}  ${a1.padStart(w1)}  ${a2}`.trimEnd()).join("\n");
}
