// Weight layouts: netc's canonical WeightSet (PyTorch's: OIHW, dense [units, in]
// in C,H,W flatten order) <-> tfjs's (HWIO, depthwise [kh,kw,C,m], dense
// [in, units] in H,W,C flatten order). Pure array work, no tfjs.

import type { IrGraph, IrNode } from "../ir/graph.js";
import { opFactsOf } from "../ir/op-facts.js";
import { weightShapes, type NodeWeights, type WeightSet } from "../ir/weights.js";
import { weightLayers } from "./layer-names.js";

/** A tfjs weight: "<layer>/<kernel|bias|gamma|...>" with its shape. */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A flatten that reorders (of [C, H, W] with C > 1 and H*W > 1): its [C, H*W]; undefined for one that does not. */
function reorderingFlatten(graph: IrGraph, node: IrNode): [number, number] | undefined {
  const [c, h, w] = graph.nodes[node.inputs[0]!]!.shape as [number, number, number];
  return c !== undefined && h !== undefined && w !== undefined && c > 1 && h * w > 1 ? [c, h * w] : undefined;
}

/**
 * Feature order of a vector-shaped node on the tfjs side: perm[i] is the IR (C,H,W
 * flatten) index of tfjs feature i; undefined when both orders agree. A flatten of
 * [C,H,W] with C > 1 and H*W > 1 reorders; elementwise nodes keep their input's
 * order, dense layers restart it.
 */
export function featureOrder(graph: IrGraph, id: number, memo = new Map<number, Int32Array | undefined>()): Int32Array | undefined {
  if (memo.has(id)) return memo.get(id);
  const node = graph.nodes[id]!;
  let perm: Int32Array | undefined;
  const a = node.attrs;
  if (a.op === "flatten") {
    const f = reorderingFlatten(graph, node);
    if (f) {
      const [c, hw] = f;
      perm = new Int32Array(c * hw);
      for (let p = 0; p < hw; p++) for (let k = 0; k < c; k++) perm[p * c + k] = k * hw + p;
    }
  } else if (node.shape.length === 1 && (opFactsOf(a).elementwise || a.op === "layernorm")) {
    // LayerNorm's statistics span all features whatever their order; gamma and beta follow it.
    const parts = node.inputs.map((i) => featureOrder(graph, i, memo));
    // An elementwise op with several inputs (add) needs them in one order; the checker cannot know, so insist here.
    const key = (p: Int32Array | undefined) => (p ? p.join(",") : "");
    if (parts.some((p) => key(p) !== key(parts[0]))) throw new Error(`netc: ${node.name}: adds vectors flattened in different orders`);
    perm = parts[0];
  } else if (node.shape.length === 1 && a.op === "concat") {
    const parts = node.inputs.map((i) => featureOrder(graph, i, memo));
    if (parts.some((p) => p !== undefined)) {
      perm = new Int32Array(node.shape[0]!);
      let off = 0;
      node.inputs.forEach((inp, j) => {
        const n = graph.nodes[inp]!.shape[0]!;
        for (let i = 0; i < n; i++) perm![off + i] = off + (parts[j] ? parts[j]![i]! : i);
        off += n;
      });
    }
  }
  memo.set(id, perm);
  return perm;
}

/**
 * featureOrder's answer without building the permutation, where the vector
 * comes from flattens through elementwise ops that all agree: their [c, hw];
 * "none" where the order is the canonical one; undefined where it takes
 * featureOrder (a concat, inputs in different orders). A flatten of a large
 * map has more features than an Int32Array holds, and code needs only [c, hw].
 */
export function flattenOrder(graph: IrGraph, id: number): [number, number] | "none" | undefined {
  let found: [number, number] | "none" | undefined;
  const seen = new Set<number>();
  const todo = [id];
  while (todo.length > 0) {
    const node = graph.nodes[todo.pop()!]!;
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    const a = node.attrs;
    let leaf: [number, number] | "none" | undefined;
    if (a.op === "flatten") leaf = reorderingFlatten(graph, node) ?? "none"; else if (node.shape.length !== 1) leaf = "none";
    else if (opFactsOf(a).elementwise || a.op === "layernorm") {
      todo.push(...node.inputs);
      continue;
    } else if (a.op === "concat") return undefined;
    else leaf = "none";
    if (found === undefined) found = leaf;
    else if (String(found) !== String(leaf)) return undefined;
  }
  return found;
}

const bnKeys: [keyof NodeWeights, string][] = [
  ["gamma", "gamma"],
  ["beta", "beta"],
  ["mean", "moving_mean"],
  ["variance", "moving_variance"],
];

/** LayerNorm's and GroupNorm's tensors: tf.layers.layerNormalization's names, which netc's GroupNorm shares. */
const affineKeys: [keyof NodeWeights, string][] = [
  ["gamma", "gamma"],
  ["beta", "beta"],
];

/** Canonical WeightSet -> tfjs weights, keyed "<layer>/<weight>". */
export function toTfjsWeights(graph: IrGraph, weights: WeightSet): Map<string, NamedTensor> {
  const layers = weightLayers(graph);
  const out = new Map<string, NamedTensor>();
  const memo = new Map<number, Int32Array | undefined>();
  for (const node of graph.nodes) {
    const held = layers.get(node.name);
    if (!held) continue;
    const { layer, kind } = held;
    const w = weights.get(node.name);
    // Weights read for inference may leave the auxiliary heads out.
    if (!w && node.aux !== undefined) continue;
    if (!w) throw new Error(`netc: no weights for '${node.name}'`);
    const shapes = weightShapes(graph, node);
    const a = node.attrs;
    if (a.op === "conv") {
      const [o, i, kh, kw] = shapes.kernel!;
      const src = need(w.kernel, node, "kernel", size(shapes.kernel!));
      if (kind === "depthwiseConv2d") {
        const c = graph.nodes[node.inputs[0]!]!.shape[0]!;
        const m = o! / c;
        const dst = new Float32Array(src.length);
        for (let ch = 0; ch < c; ch++)
          for (let j = 0; j < m; j++)
            for (let y = 0; y < kh!; y++)
              for (let x = 0; x < kw!; x++) dst[((y * kw! + x) * c + ch) * m + j] = src[((ch * m + j) * kh! + y) * kw! + x]!;
        out.set(`${layer}/depthwise_kernel`, { shape: [kh!, kw!, c, m], data: dst });
      } else {
        out.set(`${layer}/kernel`, { shape: [kh!, kw!, i!, o!], data: oihwToHwio(src, o!, i!, kh!, kw!) });
      }
      if (a.bias) out.set(`${layer}/bias`, { shape: [o!], data: need(w.bias, node, "bias", o!).slice() });
    } else if (a.op === "dense") {
      const [units, inputs] = shapes.kernel!;
      const src = need(w.kernel, node, "kernel", units! * inputs!);
      const perm = featureOrder(graph, node.inputs[0]!, memo);
      const dst = new Float32Array(src.length);
      for (let r = 0; r < inputs!; r++) {
        const col = perm ? perm[r]! : r;
        for (let u = 0; u < units!; u++) dst[r * units! + u] = src[u * inputs! + col]!;
      }
      out.set(`${layer}/kernel`, { shape: [inputs!, units!], data: dst });
      if (a.bias) out.set(`${layer}/bias`, { shape: [units!], data: need(w.bias, node, "bias", units!).slice() });
    } else if (a.op === "batchnorm" || a.op === "layernorm" || a.op === "groupnorm") {
      const c = shapes.gamma![0]!;
      const perm = node.shape.length === 1 ? featureOrder(graph, node.inputs[0]!, memo) : undefined;
      for (const [key, tfName] of a.op === "batchnorm" ? bnKeys : affineKeys) {
        const src = need(w[key], node, key, c);
        out.set(`${layer}/${tfName}`, { shape: [c], data: perm ? Float32Array.from(perm, (p) => src[p]!) : src.slice() });
      }
    } else if (a.op === "scale") {
      // Canonical [C, 1, 1] (or [F]) is one value per channel; tfjs holds it as [C] on the last axis.
      const c = size(shapes.gamma!);
      const perm = node.shape.length === 1 ? featureOrder(graph, node.inputs[0]!, memo) : undefined;
      const src = need(w.gamma, node, "gamma", c);
      out.set(`${layer}/scale`, { shape: [c], data: perm ? Float32Array.from(perm, (p) => src[p]!) : src.slice() });
    }
  }
  return out;
}

/** tfjs weights keyed "<layer>/<weight>" -> canonical WeightSet. */
export function fromTfjsWeights(graph: IrGraph, named: Map<string, NamedTensor>): WeightSet {
  const layers = weightLayers(graph);
  const out: WeightSet = new Map();
  const memo = new Map<number, Int32Array | undefined>();
  const get = (node: IrNode, key: string, n: number): NamedTensor => {
    const t = named.get(key);
    if (!t) throw new Error(`netc: the checkpoint has no weight '${key}' (for ${node.name}); was it trained from this spec?`);
    if (t.data.length !== n)
      throw new Error(`netc: checkpoint weight '${key}' has ${t.data.length} values, the spec needs ${n} (for ${node.name})`);
    return t;
  };
  // Training saves the inference model, without the auxiliary heads; inference never needs them.
  const saved = new Set([...named.keys()].map((k) => k.slice(0, k.lastIndexOf("/"))));
  for (const node of graph.nodes) {
    const held = layers.get(node.name);
    if (!held) continue;
    const { layer, kind } = held;
    if (node.aux !== undefined && !saved.has(layer)) continue;
    const shapes = weightShapes(graph, node);
    const a = node.attrs;
    const w: NodeWeights = {};
    if (a.op === "conv") {
      const [o, i, kh, kw] = shapes.kernel!;
      if (kind === "depthwiseConv2d") {
        const c = graph.nodes[node.inputs[0]!]!.shape[0]!;
        const m = o! / c;
        const src = get(node, `${layer}/depthwise_kernel`, o! * kh! * kw!).data;
        const dst = new Float32Array(src.length);
        for (let ch = 0; ch < c; ch++)
          for (let j = 0; j < m; j++)
            for (let y = 0; y < kh!; y++)
              for (let x = 0; x < kw!; x++) dst[((ch * m + j) * kh! + y) * kw! + x] = src[((y * kw! + x) * c + ch) * m + j]!;
        w.kernel = dst;
      } else {
        w.kernel = hwioToOihw(get(node, `${layer}/kernel`, o! * i! * kh! * kw!).data, o!, i!, kh!, kw!);
      }
      if (a.bias) w.bias = get(node, `${layer}/bias`, o!).data.slice();
    } else if (a.op === "dense") {
      const [units, inputs] = shapes.kernel!;
      const src = get(node, `${layer}/kernel`, units! * inputs!).data;
      const perm = featureOrder(graph, node.inputs[0]!, memo);
      const dst = new Float32Array(src.length);
      for (let r = 0; r < inputs!; r++) {
        const col = perm ? perm[r]! : r;
        for (let u = 0; u < units!; u++) dst[u * inputs! + col] = src[r * units! + u]!;
      }
      w.kernel = dst;
      if (a.bias) w.bias = get(node, `${layer}/bias`, units!).data.slice();
    } else if (a.op === "batchnorm" || a.op === "layernorm" || a.op === "groupnorm") {
      const c = shapes.gamma![0]!;
      const perm = node.shape.length === 1 ? featureOrder(graph, node.inputs[0]!, memo) : undefined;
      for (const [key, tfName] of a.op === "batchnorm" ? bnKeys : affineKeys) {
        const src = get(node, `${layer}/${tfName}`, c).data;
        const dst = new Float32Array(c);
        for (let i = 0; i < c; i++) dst[perm ? perm[i]! : i] = src[i]!;
        w[key] = dst;
      }
    } else if (a.op === "scale") {
      const c = size(shapes.gamma!);
      const perm = node.shape.length === 1 ? featureOrder(graph, node.inputs[0]!, memo) : undefined;
      const src = get(node, `${layer}/scale`, c).data;
      const dst = new Float32Array(c);
      for (let i = 0; i < c; i++) dst[perm ? perm[i]! : i] = src[i]!;
      w.gamma = dst;
    }
    out.set(node.name, w);
  }
  return out;
}

function need(a: Float32Array | undefined, node: IrNode, key: string, n: number): Float32Array {
  if (!a) throw new Error(`netc: weights of '${node.name}' lack '${key}'`);
  if (a.length !== n) throw new Error(`netc: '${node.name}' ${key} has ${a.length} values, expected ${n}`);
  return a;
}

function oihwToHwio(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) dst[((y * kw + x) * i + b) * o + a] = src[((a * i + b) * kh + y) * kw + x]!;
  return dst;
}

function hwioToOihw(src: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const dst = new Float32Array(src.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) dst[((a * i + b) * kh + y) * kw + x] = src[((y * kw + x) * i + b) * o + a]!;
  return dst;
}
