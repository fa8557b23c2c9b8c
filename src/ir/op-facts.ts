// The facts of every IR op, one record each: output shape, weight tensors (from
// which the parameter count follows), MACs, initialiser and whether the op is
// elementwise. The record is typed against OpKind, so an op added to graph.ts
// without its facts does not compile. The checker and every backend read these;
// none re-derives them.

import { convOut, effectiveKernel, poolOut } from "./geometry.js";
import type { NodeAttrs, OpKind, Shape } from "./graph.js";
import type { ShapeResult } from "./shapes.js";
import type { NodeWeights } from "./weights.js";

/** Shape of each tensor a node owns, in canonical layout (src/ir/weights.ts). */
export type WeightShapes = Partial<Record<keyof NodeWeights, number[]>>;

/**
 * How initWeights fills a node's tensors: He normal kernels, Glorot uniform
 * kernels (biases zero for both), BatchNorm's identity, a norm's affine
 * identity (gamma 1, beta 0: LayerNorm, GroupNorm), a constant (scale's
 * `init` in gamma), or nothing to fill.
 */
export type InitScheme = "none" | "heNormal" | "glorotUniform" | "batchNorm" | "affine" | "constant";

export interface OpFacts<A extends NodeAttrs> {
  /** Output shape (without batch) from the input shapes, or why there is none. */
  shape(a: A, inputs: Shape[]): ShapeResult;
  /** Tensors the op owns; the learnable ones make its parameter count. */
  weights(a: A, inputs: Shape[]): WeightShapes;
  /** Multiply-accumulates for one image (convolution and dense only count them). */
  macs(a: A, inputs: Shape[], output: Shape): number;
  init: InitScheme;
  /**
   * Output element i depends only on element i of each input (same shape in
   * and out): feature orders and layouts pass through unchanged.
   */
  elementwise: boolean;
}

/** The attributes of op K (pooling attributes serve both maxpool and avgpool). */
export type AttrsOf<K extends OpKind> = NodeAttrs extends infer T ? (T extends { op: infer O } ? (K extends O ? T : never) : never) : never;

export type OpFactsTable = { [K in OpKind]: OpFacts<AttrsOf<K>> };

/** Tensors counted as parameters, as PyTorch counts them (not BatchNorm's running statistics). */
const LEARNABLE: (keyof NodeWeights)[] = ["kernel", "bias", "gamma", "beta"];

const isMap = (s: Shape) => s.length === 3;
const rank = (found: Shape): ShapeResult => ({ error: { kind: "rank", expected: "CxHxW feature-map", found } });
const first = (inputs: Shape[]): Shape => inputs[0] ?? [];
const same = (_a: unknown, inputs: Shape[]): ShapeResult => ({ shape: first(inputs) });
const none = (): WeightShapes => ({});
const zero = () => 0;

function sized(shape: Shape): ShapeResult {
  return shape.some((d) => d <= 0) ? { error: { kind: "zero", output: shape } } : { shape };
}

/**
 * NumPy/PyTorch broadcasting of the branches' shapes (without batch): equal
 * ranks (a flat vector beside a map would align its features with W, never
 * what a spec means), each dimension equal or 1. Undefined when they do not.
 */
export function broadcastShape(shapes: Shape[]): Shape | undefined {
  const r = first(shapes).length;
  if (shapes.some((s) => s.length !== r)) return undefined;
  const out: Shape = [];
  for (let d = 0; d < r; d++) {
    const sizes = new Set(shapes.map((s) => s[d]!).filter((n) => n !== 1));
    if (sizes.size > 1) return undefined;
    out.push(sizes.size === 0 ? 1 : [...sizes][0]!);
  }
  return out;
}

// The checker reports branches that do not broadcast, naming them; this is the backstop.
const broadcast = (_a: unknown, inputs: Shape[]): ShapeResult => {
  const s = broadcastShape(inputs);
  return s ? { shape: s } : { error: { kind: "rank", expected: "broadcastable branch shapes", found: first(inputs) } };
};

function poolShape(a: Extract<NodeAttrs, { op: "maxpool" | "avgpool" }>, inputs: Shape[]): ShapeResult {
  const x = first(inputs);
  if (!isMap(x)) return rank(x);
  const [c, h, w] = x as [number, number, number];
  const [pt, pl, pb, pr] = a.pads;
  if (h + pt + pb < a.kernel[0] || w + pl + pr < a.kernel[1])
    return { error: { kind: "kernel", kernel: a.kernel, padded: [h + pt + pb, w + pl + pr] } };
  const oh = poolOut(h, a.kernel[0], a.stride[0], pt, pb, a.ceil);
  const ow = poolOut(w, a.kernel[1], a.stride[1], pl, pr, a.ceil);
  return sized([c, oh, ow]);
}

function globalPoolShape(_a: unknown, inputs: Shape[]): ShapeResult {
  const x = first(inputs);
  return isMap(x) ? { shape: [x[0]!, 1, 1] } : rank(x);
}

const pool = { shape: poolShape, weights: none, macs: zero, init: "none", elementwise: false } as const;
const globalPool = { shape: globalPoolShape, weights: none, macs: zero, init: "none", elementwise: false } as const;

export const opFacts = {
  input: { shape: same, weights: none, macs: zero, init: "none", elementwise: false },

  conv: {
    shape(a, inputs) {
      const x = first(inputs);
      if (!isMap(x)) return rank(x);
      const [c, h, w] = x as [number, number, number];
      if (c % a.groups !== 0 || a.outChannels % a.groups !== 0)
        return { error: { kind: "groups", groups: a.groups, inC: c, outC: a.outChannels } };
      const [pt, pl, pb, pr] = a.pads;
      const kh = effectiveKernel(a.kernel[0], a.dilation[0]);
      const kw = effectiveKernel(a.kernel[1], a.dilation[1]);
      if (h + pt + pb < kh || w + pl + pr < kw)
        return { error: { kind: "kernel", kernel: [kh, kw], padded: [h + pt + pb, w + pl + pr] } };
      const oh = convOut(h, a.kernel[0], a.stride[0], a.dilation[0], pt, pb);
      const ow = convOut(w, a.kernel[1], a.stride[1], a.dilation[1], pl, pr);
      return sized([a.outChannels, oh, ow]);
    },
    weights(a, inputs) {
      const s: WeightShapes = { kernel: [a.outChannels, first(inputs)[0]! / a.groups, a.kernel[0], a.kernel[1]] };
      if (a.bias) s.bias = [a.outChannels];
      return s;
    },
    macs: (a, inputs, out) => out[0]! * out[1]! * out[2]! * (first(inputs)[0]! / a.groups) * a.kernel[0] * a.kernel[1],
    init: "heNormal",
    elementwise: false,
  },

  batchnorm: {
    shape: same,
    weights(_a, inputs) {
      const c = [first(inputs)[0]!];
      return { gamma: c, beta: c, mean: c, variance: c };
    },
    macs: zero,
    init: "batchNorm",
    elementwise: true,
  },

  lrn: {
    shape: (_a, inputs) => (isMap(first(inputs)) ? { shape: first(inputs) } : rank(first(inputs))),
    weights: none,
    macs: zero,
    init: "none",
    // The window sums over neighbouring channels.
    elementwise: false,
  },

  maxpool: pool,
  avgpool: pool,
  globalavgpool: globalPool,
  globalmaxpool: globalPool,

  adaptiveavgpool: {
    shape: (a, inputs) => (isMap(first(inputs)) ? sized([first(inputs)[0]!, a.out[0], a.out[1]]) : rank(first(inputs))),
    weights: none,
    macs: zero,
    init: "none",
    elementwise: false,
  },

  dropout: { shape: same, weights: none, macs: zero, init: "none", elementwise: true },

  flatten: {
    shape: (_a, inputs) => ({ shape: [first(inputs).reduce((p, q) => p * q, 1)] }),
    weights: none,
    macs: zero,
    init: "none",
    elementwise: false,
  },

  dense: {
    shape(a, inputs) {
      const x = first(inputs);
      if (x.length === 1) return sized([a.units]);
      if (a.pixelwise && isMap(x)) return sized([a.units, x[1]!, x[2]!]);
      return { error: { kind: "rank", expected: "flat vector", found: x } };
    },
    // Channels (or features) in, as nn.Linear stores it: [units, C] also when pixelwise.
    weights(a, inputs) {
      const s: WeightShapes = { kernel: [a.units, first(inputs)[0]!] };
      if (a.bias) s.bias = [a.units];
      return s;
    },
    // Pixelwise: the [units, C] product once per pixel.
    macs: (a, inputs) => a.units * first(inputs).reduce((p, q) => p * q, 1),
    init: "glorotUniform",
    elementwise: false,
  },

  // Normalises across channels (or features), so not elementwise: a vector's
  // feature order still passes through (checkpoint-layout.ts permutes gamma, beta).
  layernorm: {
    shape: same,
    weights: (_a, inputs) => ({ gamma: [first(inputs)[0]!], beta: [first(inputs)[0]!] }),
    macs: zero,
    init: "affine",
    elementwise: false,
  },

  groupnorm: {
    shape(a, inputs) {
      const x = first(inputs);
      if (!isMap(x)) return rank(x);
      if (x[0]! % a.groups !== 0) return { error: { kind: "normGroups", groups: a.groups, channels: x[0]! } };
      return { shape: x };
    },
    weights: (_a, inputs) => ({ gamma: [first(inputs)[0]!], beta: [first(inputs)[0]!] }),
    macs: zero,
    init: "affine",
    elementwise: false,
  },

  act: { shape: same, weights: none, macs: zero, init: "none", elementwise: true },

  // The merge checks (branch agreement) live in the checker, which can name branches.
  concat: {
    shape: (_a, inputs) => ({ shape: [inputs.reduce((s, i) => s + (i[0] ?? 0), 0), ...first(inputs).slice(1)] }),
    weights: none,
    macs: zero,
    init: "none",
    elementwise: false,
  },

  // Broadcasting add and mul: every output element reads one element of each input, in the same
  // feature order (a broadcast input repeats), which is what `elementwise` promises the layouts.
  add: { shape: broadcast, weights: none, macs: zero, init: "none", elementwise: true },
  mul: { shape: broadcast, weights: none, macs: zero, init: "none", elementwise: true },

  // PyTorch stores layer scale as [C, 1, 1]; C parameters, no MACs (only conv and dense count them).
  scale: {
    shape: same,
    weights: (_a, inputs) => {
      const x = first(inputs);
      return { gamma: isMap(x) ? [x[0]!, 1, 1] : [...x] };
    },
    macs: zero,
    init: "constant",
    elementwise: true,
  },

  droppath: { shape: same, weights: none, macs: zero, init: "none", elementwise: true },

  // Channel slice and shuffle move channels, so feature orders change: not elementwise.
  slice: {
    shape(a, inputs) {
      const x = first(inputs);
      if (!isMap(x)) return rank(x);
      if (a.start < 0 || a.end > x[0]! || a.start >= a.end) return { error: { kind: "slice", start: a.start, end: a.end, inC: x[0]! } };
      return { shape: [a.end - a.start, x[1]!, x[2]!] };
    },
    weights: none,
    macs: zero,
    init: "none",
    elementwise: false,
  },

  shuffle: {
    shape(a, inputs) {
      const x = first(inputs);
      if (!isMap(x)) return rank(x);
      if (x[0]! % a.groups !== 0) return { error: { kind: "shuffle", groups: a.groups, inC: x[0]! } };
      return { shape: x };
    },
    weights: none,
    macs: zero,
    init: "none",
    elementwise: false,
  },
} satisfies OpFactsTable;

/** The record of `a`'s op, typed for `a` (TypeScript cannot correlate the two without help). */
export function opFactsOf<A extends NodeAttrs>(a: A): OpFacts<A> {
  return (opFacts as OpFactsTable)[a.op] as unknown as OpFacts<A>;
}

export function outputShape(a: NodeAttrs, inputs: Shape[]): ShapeResult {
  return opFactsOf(a).shape(a, inputs);
}

export function weightShapesOf(a: NodeAttrs, inputs: Shape[]): WeightShapes {
  return opFactsOf(a).weights(a, inputs);
}

/** Learnable parameters as PyTorch counts them: the sizes of the op's learnable tensors. */
export function paramCount(a: NodeAttrs, inputs: Shape[]): number {
  const shapes = weightShapesOf(a, inputs);
  let n = 0;
  for (const k of LEARNABLE) if (shapes[k]) n += shapes[k]!.reduce((p, q) => p * q, 1);
  return n;
}

/** Multiply-accumulates for one image. */
export function macCount(a: NodeAttrs, inputs: Shape[], output: Shape): number {
  return opFactsOf(a).macs(a, inputs, output);
}
