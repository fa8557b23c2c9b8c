// `train --init FILE`: the network's tensors in PyTorch state_dict order, each
// with the tfjs weight it fills and how its layout changes on the way. The
// table is computed from the IR when the code is generated (model.ts exports it
// as `stateDict`, one row per layer: the row functions at the end), so a generated training program maps a PyTorch, safetensors
// or ONNX checkpoint exactly as `netc compile --weights` does, without the IR.
// The same conversions as toTfjsWeights (checkpoint-layout.ts), one tensor at a
// time; a test holds the two to the same bytes.

import type { IrGraph } from "../ir/graph.js";
import { stateDictOrder } from "../ir/state-dict.js";
import { featureOrder, flattenOrder, type NamedTensor } from "./checkpoint-layout.js";
import { tfjsSafe, weightLayers } from "./layer-names.js";

export interface InitTensor {
  /** netc's path: the node's IR path and PyTorch's attribute ("stem/conv1/bn.running_mean"). */
  path: string;
  /** Canonical (PyTorch) shape: conv [O, I/groups, kh, kw], linear [out, in]. */
  shape: number[];
  /** The tfjs weight it fills ("stem/conv1/bn/moving_mean"). */
  tfjs: string;
  /** hwio: conv kernel to [kh, kw, I, O]; depthwise: to [kh, kw, C, O/C]; dense: [out, in] to [in, out]. Else a vector. */
  layout?: "hwio" | "depthwise" | "dense";
  /** Depthwise: the input channels C. */
  channels?: number;
  /** tfjs feature i is canonical feature `(i % c) * hw + floor(i / c)` (a flatten of a C x (H*W) map, as [c, hw]). */
  flatten?: [number, number];
  /** Any other feature order: tfjs feature i is canonical feature order[i]. */
  order?: number[];
  /** The auxiliary head it belongs to (optional in a checkpoint). */
  aux?: string;
}

const TFJS_NAMES: Record<string, string> = { mean: "moving_mean", variance: "moving_variance" };

/** The table for a checked graph (aux heads included, where they stand in state_dict order). */
export function initTable(graph: IrGraph): InitTensor[] {
  const layers = weightLayers(graph);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const memo = new Map<number, Int32Array | undefined>();
  const out: InitTensor[] = [];
  for (const t of stateDictOrder(graph)) {
    const node = byName.get(t.node)!;
    const held = layers.get(t.node);
    if (!held) continue;
    const a = node.attrs;
    const e: InitTensor = { path: `${t.node}.${t.torchName}`, shape: t.shape, tfjs: "" };
    let vectorOrder: Pick<InitTensor, "flatten" | "order"> | undefined;
    if (a.op === "conv" && t.tensor === "kernel") {
      if (held.kind === "depthwiseConv2d") {
        e.tfjs = `${held.layer}/depthwise_kernel`;
        e.layout = "depthwise";
        e.channels = graph.nodes[node.inputs[0]!]!.shape[0]!;
      } else {
        e.tfjs = `${held.layer}/kernel`;
        e.layout = "hwio";
      }
    } else if (a.op === "dense" && t.tensor === "kernel") {
      e.tfjs = `${held.layer}/kernel`;
      e.layout = "dense";
      vectorOrder = orderAt(graph, node.inputs[0]!, memo);
    } else if (t.tensor === "bias" && (a.op === "conv" || a.op === "dense")) {
      e.tfjs = `${held.layer}/bias`;
    } else if (a.op === "scale") {
      e.tfjs = `${held.layer}/scale`;
      if (node.shape.length === 1) vectorOrder = orderAt(graph, node.inputs[0]!, memo);
    } else if (a.op === "batchnorm" || a.op === "layernorm" || a.op === "groupnorm") {
      e.tfjs = `${held.layer}/${TFJS_NAMES[t.tensor] ?? t.tensor}`;
      if (node.shape.length === 1) vectorOrder = orderAt(graph, node.inputs[0]!, memo);
    } else continue;
    if (vectorOrder) Object.assign(e, vectorOrder);
    if (node.aux !== undefined) e.aux = node.aux;
    out.push(e);
  }
  return out;
}

/** The order of the vector `id` as a table entry gives it; a flatten's without its permutation. */
function orderAt(graph: IrGraph, id: number, memo: Map<number, Int32Array | undefined>): Pick<InitTensor, "flatten" | "order"> | undefined {
  const f = flattenOrder(graph, id);
  if (f !== undefined) return f === "none" ? undefined : { flatten: f };
  const p = featureOrder(graph, id, memo);
  return p ? encodeOrder(p) : undefined;
}

/** A feature order as [c, hw] when it is one flatten's, else listed. */
function encodeOrder(p: Int32Array): Pick<InitTensor, "flatten" | "order"> {
  const n = p.length;
  const hw = p[1];
  if (n > 1 && hw !== undefined && hw > 0 && n % hw === 0) {
    const c = n / hw;
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = p[i] === (i % c) * hw + Math.floor(i / c);
    if (ok) return { flatten: [c, hw] };
  }
  return { order: Array.from(p) };
}

/** tfjs feature i's canonical index. */
function orderOf(t: InitTensor): ((i: number) => number) | undefined {
  if (t.flatten) {
    const [c, hw] = t.flatten;
    return (i) => (i % c) * hw + Math.floor(i / c);
  }
  if (t.order) {
    const o = t.order;
    return (i) => o[i]!;
  }
  return undefined;
}

/** The tfjs shape the tensor takes. */
export function tfjsShape(t: InitTensor): number[] {
  const s = t.shape;
  if (t.layout === "hwio") return [s[2]!, s[3]!, s[1]!, s[0]!];
  if (t.layout === "depthwise") return [s[2]!, s[3]!, t.channels!, s[0]! / t.channels!];
  if (t.layout === "dense") return [s[1]!, s[0]!];
  return [s.reduce((a, b) => a * b, 1)];
}

/** A canonical tensor (PyTorch's layout and feature order) in tfjs's. */
export function toTfjsTensor(t: InitTensor, src: Float32Array): NamedTensor {
  const shape = tfjsShape(t);
  const dst = new Float32Array(src.length);
  const s = t.shape;
  if (t.layout === "hwio") {
    const [o, i, kh, kw] = s as [number, number, number, number];
    for (let a = 0; a < o; a++)
      for (let b = 0; b < i; b++)
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) dst[((y * kw + x) * i + b) * o + a] = src[((a * i + b) * kh + y) * kw + x]!;
  } else if (t.layout === "depthwise") {
    const [o, , kh, kw] = s as [number, number, number, number];
    const c = t.channels!;
    const m = o / c;
    for (let ch = 0; ch < c; ch++)
      for (let j = 0; j < m; j++)
        for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) dst[((y * kw + x) * c + ch) * m + j] = src[((ch * m + j) * kh + y) * kw + x]!;
  } else if (t.layout === "dense") {
    const [units, inputs] = s as [number, number];
    const col = orderOf(t) ?? ((r: number) => r);
    for (let r = 0; r < inputs; r++) {
      const c = col(r);
      for (let u = 0; u < units; u++) dst[r * units + u] = src[u * inputs + c]!;
    }
  } else {
    const at = orderOf(t);
    for (let i = 0; i < dst.length; i++) dst[i] = src[at ? at(i) : i]!;
  }
  return { shape, data: dst };
}

// ---- model.ts's table, one row per weighted layer ----
// model.ts writes `stateDict` as one call per layer that holds weights (a conv
// and the BatchNorm after it share one); each gives that layer's entries, in
// PyTorch's order. The code generator checks every row against initTable's
// entries when it writes it and spells out, entry by entry, any layer a row
// would not give exactly.

/** What a row may add to its layer's entries. */
export interface InitRowOptions {
  /** The tfjs layer, where it is not the path made tfjs-safe (src/runtime/layer-names.ts): a name made unique. */
  layer?: string;
  /** conv, dense: the layer has a bias. */
  bias?: boolean;
  /** A vector's feature order (dense: its kernel's input rows), as in InitTensor. */
  flatten?: [number, number];
  order?: number[];
  /** The auxiliary head the layer belongs to. */
  aux?: string;
}

function entry(path: string, attr: string, shape: number[], tfjs: string, extra: Partial<InitTensor>, o: InitRowOptions): InitTensor {
  const e: InitTensor = { path: `${path}.${attr}`, shape, tfjs, ...extra };
  if (o.aux !== undefined) e.aux = o.aux;
  return e;
}

const layerOf = (path: string, o: InitRowOptions): string => o.layer ?? tfjsSafe(path);

const orderOpts = (o: InitRowOptions): Partial<InitTensor> => (o.flatten ? { flatten: o.flatten } : o.order ? { order: o.order } : {});

function withBias(path: string, shape: number[], kernel: InitTensor, o: InitRowOptions): InitTensor[] {
  const layer = layerOf(path, o);
  return o.bias ? [kernel, entry(path, "bias", [shape[0]!], `${layer}/bias`, {}, o)] : [kernel];
}

/** A convolution (nn.Conv2d, groups included): weight [O, I/groups, kh, kw] as tfjs's [kh, kw, I/groups, O]. */
export function convInit(path: string, shape: number[], o: InitRowOptions = {}): InitTensor[] {
  return withBias(path, shape, entry(path, "weight", shape, `${layerOf(path, o)}/kernel`, { layout: "hwio" }, o), o);
}

/** A depthwise convolution over `channels` input channels: weight [O, 1, kh, kw] as [kh, kw, channels, O/channels]. */
export function depthwiseInit(path: string, shape: number[], channels: number, o: InitRowOptions = {}): InitTensor[] {
  return withBias(path, shape, entry(path, "weight", shape, `${layerOf(path, o)}/depthwise_kernel`, { layout: "depthwise", channels }, o), o);
}

/** nn.Linear: weight [out, in] as [in, out], its input rows in tfjs's feature order. */
export function denseInit(path: string, shape: number[], o: InitRowOptions = {}): InitTensor[] {
  return withBias(path, shape, entry(path, "weight", shape, `${layerOf(path, o)}/kernel`, { layout: "dense", ...orderOpts(o) }, o), o);
}

/** nn.BatchNorm: weight, bias, running_mean, running_var, each `shape`. */
export function batchNormInit(path: string, shape: number[], o: InitRowOptions = {}): InitTensor[] {
  const layer = layerOf(path, o);
  const names: [string, string][] = [
    ["weight", "gamma"],
    ["bias", "beta"],
    ["running_mean", "moving_mean"],
    ["running_var", "moving_variance"],
  ];
  return names.map(([attr, tf]) => entry(path, attr, shape, `${layer}/${tf}`, orderOpts(o), o));
}

/** A convolution and the BatchNorm after it, at `${path}/bn` (its layer at `${layer}/bn`), as one spec statement writes them. */
export function convBnInit(path: string, shape: number[], o: InitRowOptions = {}): InitTensor[] {
  return [...convInit(path, shape, o), ...batchNormInit(`${path}/bn`, [shape[0]!], bnOptions(o))];
}

const bnOptions = (o: InitRowOptions): InitRowOptions => ({ aux: o.aux, ...(o.layer !== undefined ? { layer: `${o.layer}/bn` } : {}) });

/** A depthwise convolution and the BatchNorm after it, at `${path}/bn`, as one spec statement writes them. */
export function depthwiseBnInit(path: string, shape: number[], channels: number, o: InitRowOptions = {}): InitTensor[] {
  return [...depthwiseInit(path, shape, channels, o), ...batchNormInit(`${path}/bn`, [shape[0]!], bnOptions(o))];
}

/** nn.LayerNorm, nn.GroupNorm: weight and bias, each `shape`. */
export function normInit(path: string, shape: number[], o: InitRowOptions = {}): InitTensor[] {
  const layer = layerOf(path, o);
  return [entry(path, "weight", shape, `${layer}/gamma`, orderOpts(o), o), entry(path, "bias", shape, `${layer}/beta`, orderOpts(o), o)];
}

/** A layer scale (an nn.Parameter of its block's module): layer_scale `shape`. */
export function scaleInit(path: string, shape: number[], o: InitRowOptions = {}): InitTensor[] {
  return [entry(path, "layer_scale", shape, `${layerOf(path, o)}/scale`, orderOpts(o), o)];
}
