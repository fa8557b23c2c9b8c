// The tensors a weight file holds when netc writes one (`netc weights export`):
// a spec's weights in PyTorch's state_dict order, PyTorch's layout and names,
// with BatchNorm's num_batches_tracked, which PyTorch keeps and netc does not.

import type { IrGraph, IrNode } from "../ir/graph.js";
import { stateDictOrder } from "../ir/state-dict.js";
import type { WeightSet } from "../ir/weights.js";

export interface OutTensor {
  name: string;
  dtype: "float32" | "int64";
  shape: number[];
  /** Little-endian bytes. */
  data: Uint8Array;
}

export interface StateDictOptions {
  /**
   * The names to write, in state_dict order (`model.state_dict().keys()`), with
   * or without the num_batches_tracked entries. Default: netc's node names,
   * `/` turned into `.`, and PyTorch's attribute names.
   */
  names?: string[];
  /** Include the auxiliary heads (default: when the weights hold them). */
  aux?: boolean;
  /** num_batches_tracked (default 0). */
  steps?: number;
}

const NBT = "num_batches_tracked";

function floatBytes(a: Float32Array): Uint8Array {
  // Float32Array is host-endian; every platform node runs on is little-endian, but say so where it matters.
  const out = new Uint8Array(a.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) view.setFloat32(i * 4, a[i]!, true);
  return out;
}

function int64Bytes(v: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(v), true);
  return out;
}

/** Whether `weights` holds every tensor of the auxiliary heads. */
function hasAux(graph: IrGraph, weights: WeightSet): boolean {
  const aux = graph.nodes.filter((n: IrNode) => n.aux !== undefined);
  return aux.length > 0 && stateDictOrder(graph).every((t) => !aux.some((n) => n.name === t.node) || weights.get(t.node)?.[t.tensor] !== undefined);
}

/** The weights as named tensors in state_dict order; throws a message naming the first problem. */
export function stateDictTensors(graph: IrGraph, weights: WeightSet, options: StateDictOptions = {}): OutTensor[] {
  const aux = options.aux ?? hasAux(graph, weights);
  const order = stateDictOrder(graph, { aux });
  const batchnorms = new Set(graph.nodes.filter((n) => n.attrs.op === "batchnorm").map((n) => n.name));
  // Where PyTorch has num_batches_tracked: after each BatchNorm's running_var.
  const slots: ({ kind: "tensor"; index: number } | { kind: "nbt"; after: number })[] = [];
  order.forEach((t, index) => {
    slots.push({ kind: "tensor", index });
    if (t.tensor === "variance" && batchnorms.has(t.node)) slots.push({ kind: "nbt", after: index });
  });
  const names = options.names;
  const withNbt = names !== undefined && names.length === slots.length;
  if (names !== undefined && !withNbt && names.length !== order.length) {
    throw new Error(
      `the name list has ${names.length} names; the spec has ${order.length} tensors (${slots.length} with BatchNorm's ${NBT})${aux || !graph.nodes.some((n) => n.aux !== undefined) ? "" : ", auxiliary heads left out"}`,
    );
  }
  const out: OutTensor[] = [];
  let next = 0;
  const nameOf = (index: number) => (names ? names[next++]! : `${order[index]!.node.replaceAll("/", ".")}.${order[index]!.torchName}`);
  for (const slot of slots) {
    if (slot.kind === "tensor") {
      const t = order[slot.index]!;
      const data = weights.get(t.node)?.[t.tensor];
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (!data) throw new Error(`no weight for ${t.node} (${t.tensor}, PyTorch '${t.torchName}')`);
      if (data.length !== n) throw new Error(`${t.node} ${t.tensor} has ${data.length} values, the spec needs ${n} [${t.shape.join(", ")}]`);
      const name = nameOf(slot.index);
      if (names && name.endsWith(`.${NBT}`)) throw new Error(`name ${next} of the list is '${name}', where the spec has ${t.node} ${t.torchName} [${t.shape.join(", ")}]`);
      out.push({ name, dtype: "float32", shape: [...t.shape], data: floatBytes(data) });
    } else {
      const prev = out[out.length - 1]!.name;
      let name: string;
      if (withNbt) {
        name = names![next++]!;
        if (!name.endsWith(NBT)) throw new Error(`name ${next} of the list is '${name}', where the spec has ${order[slot.after]!.node}'s ${NBT}`);
      } else name = prev.replace(/running_var$/, NBT);
      out.push({ name, dtype: "int64", shape: [], data: int64Bytes(options.steps ?? 0) });
    }
  }
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) throw new Error(`the name '${t.name}' is given twice`);
    seen.add(t.name);
  }
  return out;
}
