// The op-mapping table: one entry per IR op, each writing ONNX nodes for one IR
// node into the builder. Fused activations become a separate node after the op
// (ORT's graph optimizer fuses Conv+Relu again at load time).
import type { Activation, IrGraph, IrNode, NodeAttrs, OpKind, Shape } from "../../ir/graph.js";
import type { AttrsOf } from "../../ir/op-facts.js";
import type { NodeWeights } from "../../ir/weights.js";
import type { GraphBuilder } from "./builder.js";
import type { AttrValue } from "./proto.js";
import { adaptiveUniformKernel, adaptiveWindow, averagingMatrix, lrnWindow } from "../../ir/geometry.js";
import { assertNever } from "../../util/assert-never.js";
import { planPool } from "./pool-plan.js";

export interface OpContext {
  b: GraphBuilder;
  graph: IrGraph;
  node: IrNode;
  /** Value names of the IR inputs, in order. */
  inputs: string[];
  /** Value name this node's result must be written to. */
  output: string;
  /** Weights to write (already folded when a BN was folded into this conv). */
  weights: NodeWeights;
  /** The activation to apply (a folded BN's activation for a folded conv). */
  act: Activation;
  /** The activation's number (leakyrelu's slope, elu's alpha), when it takes one. */
  actAlpha?: number;
  doc: string;
  /** The graph takes any input height and width (sizes.ts): nothing may depend on the spec's. */
  dynamicSize?: boolean;
}

type Emitter<A extends NodeAttrs> = (ctx: OpContext, attrs: A) => void;
/**
 * Every IR op maps to an emitter, or to no node of its own: "graphInput" is the
 * graph's input value, "alias" passes its input's value on (dropout at inference).
 */
export type Lowering<A extends NodeAttrs> = Emitter<A> | "graphInput" | "alias";
type Table = { [K in OpKind]: Lowering<AttrsOf<K>> };

/** The node carrying the IR node's own name (exactly once per IR node). */
function primary(ctx: OpContext, opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): void {
  ctx.b.addNode(opType, ctx.node.name, inputs, outputs, attrs, ctx.doc, true);
}

const inShape = (ctx: OpContext, i = 0): Shape => ctx.graph.nodes[ctx.node.inputs[i]!]!.shape;

/**
 * Runs `primary` writing to the node's output, or to an intermediate followed
 * by the activation node when there is one.
 */
function withAct(ctx: OpContext, act: Activation, emit: (out: string) => void): void {
  if (act === "none") return emit(ctx.output);
  const pre = ctx.b.intermediate(`${ctx.node.name}/pre_act`, ctx.node.shape);
  emit(pre);
  activation(ctx, act, pre, ctx.output, false, ctx.actAlpha);
}

function activation(ctx: OpContext, fn: Exclude<Activation, "none">, input: string, output: string, exact = false, alpha?: number): void {
  const { b, node, doc } = ctx;
  const name = exact ? node.name : `${node.name}/${fn}`;
  const constant = (key: string, v: number) => b.sharedFloat(key, [], new Float32Array([v]));
  // A step of a multi-node lowering: "<node>/<fn>/<what>", writing a fresh value.
  const step = (what: string, opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}) => {
    const out = b.intermediate(`${node.name}/${fn}_${what}`, node.shape);
    b.addNode(opType, `${node.name}/${fn}/${what}`, inputs, [out], attrs, doc);
    return out;
  };
  // relu6(x + 3), as PyTorch computes it for hardswish and hardsigmoid.
  const relu6Plus3 = () =>
    step("clip", "Clip", [step("add", "Add", [input, constant("netc.three", 3)]), constant("netc.relu6.min", 0), constant("netc.relu6.max", 6)]);
  switch (fn) {
    case "relu":
      return b.addNode("Relu", name, [input], [output], {}, doc, exact);
    case "relu6": {
      const lo = b.sharedFloat("netc.relu6.min", [], new Float32Array([0]));
      const hi = b.sharedFloat("netc.relu6.max", [], new Float32Array([6]));
      return b.addNode("Clip", name, [input, lo, hi], [output], {}, doc, exact);
    }
    case "sigmoid":
      return b.addNode("Sigmoid", name, [input], [output], {}, doc, exact);
    case "tanh":
      return b.addNode("Tanh", name, [input], [output], {}, doc, exact);
    case "softmax":
      // Over channels/features: axis 1 with the batch dimension.
      return b.addNode("Softmax", name, [input], [output], { axis: 1 }, doc, exact);
    case "silu":
      return b.addNode("Mul", name, [input, step("sigmoid", "Sigmoid", [input])], [output], {}, doc, exact);
    case "gelu": {
      // Gelu is an ONNX op only from opset 20. PyTorch's order: x * 0.5 * (1 + erf(x * sqrt(1/2))).
      const erf = step("erf", "Erf", [step("scale", "Mul", [input, constant("netc.sqrt_half", Math.SQRT1_2)])]);
      const cdf = step("cdf", "Add", [erf, constant("netc.one", 1)]);
      return b.addNode("Mul", name, [step("half", "Mul", [input, constant("netc.half", 0.5)]), cdf], [output], {}, doc, exact);
    }
    // ONNX's HardSwish/HardSigmoid compute alpha*x + beta with alpha = 1/6 rounded to
    // float32; PyTorch divides relu6(x + 3) by 6. The same steps give the same float32 bits.
    case "hardswish":
      return b.addNode("Div", name, [step("mul", "Mul", [input, relu6Plus3()]), constant("netc.six", 6)], [output], {}, doc, exact);
    case "hardsigmoid":
      return b.addNode("Div", name, [relu6Plus3(), constant("netc.six", 6)], [output], {}, doc, exact);
    case "leakyrelu":
      return b.addNode("LeakyRelu", name, [input], [output], { alpha: { float: alpha ?? 0.01 } }, doc, exact);
    case "elu":
      return b.addNode("Elu", name, [input], [output], { alpha: { float: alpha ?? 1 } }, doc, exact);
    default:
      assertNever(fn);
  }
}

function need(ctx: OpContext, key: keyof NodeWeights): Float32Array {
  const w = ctx.weights[key];
  if (!w) throw new Error(`weights for '${ctx.node.name}': missing ${key}`);
  return w;
}

const OPS = {
  input: "graphInput",
  dropout: "alias",
  // Stochastic depth is identity at inference, as torchvision exports it.
  droppath: "alias",

  conv(ctx, a) {
    const c = inShape(ctx)[0]!;
    const kernel = ctx.b.addFloat(`${ctx.node.name}.weight`, [a.outChannels, c / a.groups, a.kernel[0], a.kernel[1]], need(ctx, "kernel"));
    const inputs = [ctx.inputs[0]!, kernel];
    if (ctx.weights.bias) inputs.push(ctx.b.addFloat(`${ctx.node.name}.bias`, [a.outChannels], ctx.weights.bias));
    withAct(ctx, ctx.act, (out) =>
      primary(ctx, "Conv", inputs, [out], {
        kernel_shape: a.kernel,
        strides: a.stride,
        dilations: a.dilation,
        pads: a.pads, // IR [top,left,bottom,right] = ONNX [x1_begin,x2_begin,x1_end,x2_end]
        group: a.groups,
      }),
    );
  },

  batchnorm(ctx, a) {
    const c = inShape(ctx)[0]!;
    const n = ctx.node.name;
    const scale = ctx.b.addFloat(`${n}.weight`, [c], need(ctx, "gamma"));
    const bias = ctx.b.addFloat(`${n}.bias`, [c], need(ctx, "beta"));
    const mean = ctx.b.addFloat(`${n}.running_mean`, [c], need(ctx, "mean"));
    const variance = ctx.b.addFloat(`${n}.running_var`, [c], need(ctx, "variance"));
    withAct(ctx, ctx.act, (out) =>
      primary(ctx, "BatchNormalization", [ctx.inputs[0]!, scale, bias, mean, variance], [out], { epsilon: { float: a.eps } }),
    );
  },

  lrn(ctx, a) {
    if (a.size % 2 === 1) {
      // Same convention as ONNX (alpha scaled by 1/size, window centred): no conversion.
      return primary(ctx, "LRN", [ctx.inputs[0]!], [ctx.output], {
        size: a.size,
        alpha: { float: a.alpha },
        beta: { float: a.beta },
        bias: { float: a.bias },
      });
    }
    lrnEven(ctx, a);
  },

  maxpool: pool,
  avgpool: pool,

  globalavgpool(ctx) {
    primary(ctx, "GlobalAveragePool", [ctx.inputs[0]!], [ctx.output], {});
  },
  globalmaxpool(ctx) {
    primary(ctx, "GlobalMaxPool", [ctx.inputs[0]!], [ctx.output], {});
  },

  adaptiveavgpool(ctx, a) {
    const [c, h, w] = inShape(ctx) as [number, number, number];
    const [oh, ow] = a.out;
    const { b, node } = ctx;
    if (oh === 1 && ow === 1) return primary(ctx, "GlobalAveragePool", [ctx.inputs[0]!], [ctx.output], {});
    const kh = adaptiveUniformKernel(h, oh);
    const kw = adaptiveUniformKernel(w, ow);
    if (kh !== undefined && kw !== undefined) {
      const k = [kh, kw];
      return primary(ctx, "AveragePool", [ctx.inputs[0]!], [ctx.output], { kernel_shape: k, strides: k, pads: [0, 0, 0, 0] });
    }
    // PyTorch's windows overlap unevenly: the average over window (i, j) is
    // separable, so Y = A_h · X · A_wᵀ with constant averaging matrices. A
    // matrix has n*out entries, which for a large side would not fit in memory
    // (or the model): such a side averages one slice per output instead.
    const mid = b.intermediate(`${node.name}/cols`, [c, h, ow]);
    if (w * ow <= ADAPTIVE_MATRIX_LIMIT) {
      const awName = b.addFloat(`${node.name}.avg_w`, [w, ow], averagingMatrix(w, ow, true));
      b.addNode("MatMul", `${node.name}/cols`, [ctx.inputs[0]!, awName], [mid], {}, ctx.doc);
    } else {
      const parts = windowMeans(ctx, ctx.inputs[0]!, w, ow, -1, `${node.name}/cols`, [c, h]);
      b.addNode("Concat", `${node.name}/cols`, parts, [mid], { axis: -1 }, ctx.doc);
    }
    if (h * oh <= ADAPTIVE_MATRIX_LIMIT) {
      const ahName = b.addFloat(`${node.name}.avg_h`, [oh, h], averagingMatrix(h, oh, false));
      primary(ctx, "MatMul", [ahName, mid], [ctx.output], {});
    } else {
      const parts = windowMeans(ctx, mid, h, oh, -2, `${node.name}/rows`, [c, ow]);
      primary(ctx, "Concat", parts, [ctx.output], { axis: -2 });
    }
  },

  flatten(ctx) {
    // ONNX Flatten keeps C, H, W order: the IR's (and the weights') order.
    primary(ctx, "Flatten", [ctx.inputs[0]!], [ctx.output], { axis: 1 });
  },

  dense(ctx, a) {
    const shape = inShape(ctx);
    if (a.pixelwise && shape.length === 3) return pixelwiseDense(ctx, a);
    // The IR (and weightShapes) define a plain dense layer on vectors only: [units, F] after a flatten.
    if (shape.length !== 1) throw new Error(`dense '${ctx.node.name}' reads a [${shape.join(", ")}] tensor; the IR expects a flattened vector`);
    const kernel = ctx.b.addFloat(`${ctx.node.name}.weight`, [a.units, shape[0]!], need(ctx, "kernel"));
    const inputs = [ctx.inputs[0]!, kernel];
    if (ctx.weights.bias) inputs.push(ctx.b.addFloat(`${ctx.node.name}.bias`, [a.units], ctx.weights.bias));
    // Canonical [units, in] layout is B transposed: transB=1, no copy.
    withAct(ctx, ctx.act, (out) => primary(ctx, "Gemm", inputs, [out], { transB: 1, alpha: { float: 1 }, beta: { float: 1 } }));
  },

  layernorm(ctx, a) {
    const shape = inShape(ctx);
    const n = ctx.node.name;
    const c = shape[0]!;
    const scale = ctx.b.addFloat(`${n}.weight`, [c], need(ctx, "gamma"));
    const bias = ctx.b.addFloat(`${n}.bias`, [c], need(ctx, "beta"));
    // Biased variance, eps inside the square root: ONNX's definition is PyTorch's.
    const attrs = { axis: -1, epsilon: { float: a.eps } };
    if (shape.length === 1) return primary(ctx, "LayerNormalization", [ctx.inputs[0]!, scale, bias], [ctx.output], attrs);
    // LayerNormalization normalises trailing axes: channels go last and come back.
    const [, h, w] = shape as [number, number, number];
    const nhwc = ctx.b.intermediate(`${n}/nhwc`, [h, w, c]);
    ctx.b.addNode("Transpose", `${n}/nhwc`, [ctx.inputs[0]!], [nhwc], { perm: [0, 2, 3, 1] }, ctx.doc);
    const normed = ctx.b.intermediate(`${n}/normed`, [h, w, c]);
    primary(ctx, "LayerNormalization", [nhwc, scale, bias], [normed], attrs);
    ctx.b.addNode("Transpose", `${n}/nchw`, [normed], [ctx.output], { perm: [0, 3, 1, 2] }, ctx.doc);
  },

  groupnorm: groupNorm,

  act(ctx, a) {
    activation(ctx, a.fn, ctx.inputs[0]!, ctx.output, true, a.alpha);
  },

  concat(ctx) {
    primary(ctx, "Concat", ctx.inputs, [ctx.output], { axis: 1 });
  },

  add: (ctx) => chain(ctx, "Add", "sum"),
  mul: (ctx) => chain(ctx, "Mul", "product"),

  scale(ctx) {
    const shape = inShape(ctx);
    // [C, 1, 1] is PyTorch's layer-scale shape and broadcasts against N, C, H, W as Mul needs.
    const dims = shape.length === 3 ? [shape[0]!, 1, 1] : [...shape];
    const weight = ctx.b.addFloat(`${ctx.node.name}.weight`, dims, need(ctx, "gamma"));
    primary(ctx, "Mul", [ctx.inputs[0]!, weight], [ctx.output]);
  },

  slice(ctx, a) {
    const n = ctx.node.name;
    const starts = ctx.b.addInt64(`${n}.starts`, [1], [a.start]);
    const ends = ctx.b.addInt64(`${n}.ends`, [1], [a.end]);
    const axes = ctx.b.addInt64(`${n}.axes`, [1], [1]);
    primary(ctx, "Slice", [ctx.inputs[0]!, starts, ends, axes], [ctx.output]);
  },

  shuffle(ctx, a) {
    // PyTorch's channel_shuffle: [N, g, C/g, H, W], swap axes 1 and 2, back to [N, C, H, W].
    const { b, node } = ctx;
    const [c, h, w] = inShape(ctx) as [number, number, number];
    const n = node.name;
    if (ctx.dynamicSize) {
      // Any height and width: [N, g, C/g, H*W], swap, and back to the input's own shape.
      const grouped = b.intermediate(`${n}/grouped`, [a.groups, c / a.groups, h * w]);
      b.addNode("Reshape", `${n}/grouped`, [ctx.inputs[0]!, b.addInt64(`${n}.grouped_shape`, [4], [0, a.groups, c / a.groups, -1])], [grouped], {}, ctx.doc);
      const swapped = b.intermediate(`${n}/transposed`, [c / a.groups, a.groups, h * w]);
      b.addNode("Transpose", `${n}/transposed`, [grouped], [swapped], { perm: [0, 2, 1, 3] }, ctx.doc);
      const shape = b.values.take(`${n}/input_shape`);
      b.addNode("Shape", `${n}/input_shape`, [ctx.inputs[0]!], [shape], {}, ctx.doc);
      return primary(ctx, "Reshape", [swapped, shape], [ctx.output]);
    }
    const grouped = b.intermediate(`${n}/grouped`, [a.groups, c / a.groups, h, w]);
    b.addNode("Reshape", `${n}/grouped`, [ctx.inputs[0]!, b.addInt64(`${n}.grouped_shape`, [5], [0, a.groups, c / a.groups, h, w])], [grouped], {}, ctx.doc);
    const swapped = b.intermediate(`${n}/transposed`, [c / a.groups, a.groups, h, w]);
    b.addNode("Transpose", `${n}/transposed`, [grouped], [swapped], { perm: [0, 2, 1, 3, 4] }, ctx.doc);
    primary(ctx, "Reshape", [swapped, b.addInt64(`${n}.shape`, [4], [0, c, h, w])], [ctx.output]);
  },
} satisfies Table;

/**
 * IR add and mul may have more than two inputs: a chain of binary nodes. ONNX
 * broadcasts N, C, H, W (or N, F) numpy-style, exactly the IR's rule with the
 * batch in front; each partial result gets its own broadcast shape.
 */
function chain(ctx: OpContext, opType: "Add" | "Mul", part: string): void {
  withAct(ctx, ctx.act, (out) => {
    let acc = ctx.inputs[0]!;
    let accShape = inShape(ctx, 0);
    for (let i = 1; i < ctx.inputs.length; i++) {
      const last = i === ctx.inputs.length - 1;
      accShape = accShape.map((d, j) => Math.max(d, inShape(ctx, i)[j]!));
      const dst = last ? out : ctx.b.intermediate(`${ctx.node.name}/${part}${i}`, accShape);
      if (last) primary(ctx, opType, [acc, ctx.inputs[i]!], [dst]);
      else ctx.b.addNode(opType, `${ctx.node.name}/${part}${i}`, [acc, ctx.inputs[i]!], [dst], {}, ctx.doc);
      acc = dst;
    }
    if (ctx.inputs.length === 1) primary(ctx, "Identity", [acc], [out], {});
  });
}

/** The lowering of `a`'s op, typed for `a`. */
export function loweringOf<A extends NodeAttrs>(a: A): Lowering<A> {
  return (OPS as Table)[a.op] as unknown as Lowering<A>;
}

function pool(ctx: OpContext, a: Extract<NodeAttrs, { op: "maxpool" | "avgpool" }>): void {
  const { b, node } = ctx;
  const [c, h, w] = inShape(ctx) as [number, number, number];
  // At any size, a ceil-mode max pooling is onnxruntime's ceil_mode (the IR's drop rule), not the tail pads of one size.
  const plan: ReturnType<typeof planPool> =
    ctx.dynamicSize && a.op === "maxpool" && a.ceil
      ? { pads: [...a.pads], ceilMode: 1, countIncludePad: 0 }
      : planPool(a.op, [h, w], a.kernel, a.stride, a.pads, a.countIncludePad, [node.shape[1]!, node.shape[2]!]);
  let input = ctx.inputs[0]!;
  if (plan.prePad) {
    const [t, l, bo, r] = plan.prePad;
    const padded = b.intermediate(`${node.name}/pad`, [c, h + t + bo, w + l + r]);
    const pads = b.addInt64(`${node.name}.pads`, [8], [0, 0, t, l, 0, 0, bo, r]);
    b.addNode("Pad", `${node.name}/pad`, [input, pads], [padded], { mode: "constant" }, ctx.doc);
    input = padded;
  }
  const attrs: Record<string, number | number[]> = {
    kernel_shape: a.kernel,
    strides: a.stride,
    pads: plan.pads,
    ceil_mode: plan.ceilMode,
  };
  if (a.op === "avgpool") attrs.count_include_pad = plan.countIncludePad;
  primary(ctx, a.op === "maxpool" ? "MaxPool" : "AveragePool", [input], [ctx.output], attrs);
}

/** Largest averaging matrix (entries) adaptive pooling writes; past it, slices. */
export const ADAPTIVE_MATRIX_LIMIT = 1 << 16;

/**
 * The mean of each adaptive window of `x` along `axis` (-1: W, -2: H), one
 * Slice and ReduceMean per output position: O(out) nodes whatever the size
 * of the input. `rest` is the value's other two CHW dims, in order.
 */
function windowMeans(ctx: OpContext, x: string, n: number, out: number, axis: -1 | -2, name: string, rest: [number, number]): string[] {
  const { b } = ctx;
  const axes = b.addInt64(`${name}.axes`, [1], [axis]);
  const parts: string[] = [];
  for (let i = 0; i < out; i++) {
    const [start, end] = adaptiveWindow(i, n, out);
    const shape = (len: number) => (axis === -1 ? [rest[0], rest[1], len] : [rest[0], len, rest[1]]);
    const slice = b.intermediate(`${name}/slice${i}`, shape(end - start));
    const starts = b.addInt64(`${name}.start${i}`, [1], [start]);
    const ends = b.addInt64(`${name}.end${i}`, [1], [end]);
    b.addNode("Slice", `${name}/slice${i}`, [x, starts, ends, axes], [slice], {}, ctx.doc);
    const mean = b.intermediate(`${name}/mean${i}`, shape(1));
    b.addNode("ReduceMean", `${name}/mean${i}`, [slice], [mean], { axes: [axis], keepdims: 1 }, ctx.doc);
    parts.push(mean);
  }
  return parts;
}

/**
 * onnxruntime's LRN kernel only takes odd sizes. An even window is written out
 * with the IR's (PyTorch's) placement, channels c - floor(size/2) ..
 * c + floor((size-1)/2); ONNX's own LRN would centre it the other way round
 * (c - floor((size-1)/2) .. c + ceil((size-1)/2)), and the tfjs runtime follows
 * PyTorch. y = x / (bias + alpha/size * band(x²))^beta, band() the sum over each
 * channel's window: x² viewed as [N, 1, C, H*W] and convolved with a [size, 1]
 * kernel of ones, zero-padded lo before and hi after. Its size is the window's,
 * not C x C, so any channel count lowers in bounded memory.
 */
function lrnEven(ctx: OpContext, a: Extract<NodeAttrs, { op: "lrn" }>): void {
  const { b, node } = ctx;
  const shape = node.shape;
  const c = shape[0]!;
  const spatial = shape.slice(1).reduce((p, d) => p * d, 1);
  const [lo, hi] = lrnWindow(a.size);
  const x = ctx.inputs[0]!;
  const v = (s: string) => b.intermediate(`${node.name}/${s}`, shape);
  const sq = v("square");
  b.addNode("Mul", `${node.name}/square`, [x, x], [sq], {}, ctx.doc);
  const columns = b.intermediate(`${node.name}/channel_columns`, [1, c, spatial]);
  b.addNode("Reshape", `${node.name}/channel_columns`, [sq, b.addInt64(`${node.name}.columns_shape`, [4], [0, 1, c, spatial])], [columns], {}, ctx.doc);
  const ones = b.addFloat(`${node.name}.window`, [1, 1, a.size, 1], new Float32Array(a.size).fill(1));
  const windows = b.intermediate(`${node.name}/window_columns`, [1, c, spatial]);
  b.addNode("Conv", `${node.name}/window_columns`, [columns, ones], [windows], { kernel_shape: [a.size, 1], pads: [lo, 0, hi, 0] }, ctx.doc);
  const sum = v("window_sum");
  b.addNode("Reshape", `${node.name}/window_sum`, [windows, b.addInt64(`${node.name}.shape`, [shape.length + 1], [0, ...shape])], [sum], {}, ctx.doc);
  const scaled = v("scaled");
  b.addNode("Mul", `${node.name}/scaled`, [sum, b.addFloat(`${node.name}.alpha_over_size`, [], new Float32Array([a.alpha / a.size]))], [scaled], {}, ctx.doc);
  const based = v("plus_bias");
  b.addNode("Add", `${node.name}/plus_bias`, [scaled, b.addFloat(`${node.name}.bias`, [], new Float32Array([a.bias]))], [based], {}, ctx.doc);
  const denom = v("denominator");
  b.addNode("Pow", `${node.name}/denominator`, [based, b.addFloat(`${node.name}.beta`, [], new Float32Array([a.beta]))], [denom], {}, ctx.doc);
  primary(ctx, "Div", [x, denom], [ctx.output]);
}

/**
 * nn.Linear on the channels of every pixel is a 1x1 convolution. The weight
 * stays [units, C], as nn.Linear stores it (a checkpoint's tensor as it is),
 * and a Reshape (folded by onnxruntime) makes it the [units, C, 1, 1] kernel.
 */
function pixelwiseDense(ctx: OpContext, a: Extract<NodeAttrs, { op: "dense" }>): void {
  const { b, node } = ctx;
  const c = inShape(ctx)[0]!;
  const weight = b.addFloat(`${node.name}.weight`, [a.units, c], need(ctx, "kernel"));
  // A weight, not an activation: no batch dimension, so no value_info (which assumes one).
  const kernel = b.values.take(`${node.name}/kernel`);
  b.addNode("Reshape", `${node.name}/kernel`, [weight, b.addInt64(`${node.name}.kernel_shape`, [4], [a.units, c, 1, 1])], [kernel], {}, ctx.doc);
  const inputs = [ctx.inputs[0]!, kernel];
  if (ctx.weights.bias) inputs.push(b.addFloat(`${node.name}.bias`, [a.units], ctx.weights.bias));
  withAct(ctx, ctx.act, (out) => primary(ctx, "Conv", inputs, [out], { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0] }));
}

/**
 * GroupNormalization is opset 18+; written out exactly for opset 17: the input
 * viewed as [N, G, C/G*H*W], each group's biased mean and variance, then the
 * per-channel gamma and beta on the [N, C, H, W] result.
 */
function groupNorm(ctx: OpContext, a: Extract<NodeAttrs, { op: "groupnorm" }>): void {
  const { b, node, doc } = ctx;
  const n = node.name;
  const shape = inShape(ctx);
  const [c, h, w] = shape as [number, number, number];
  const per = (c / a.groups) * h * w;
  const grouped = (s: string) => b.intermediate(`${n}/${s}`, [a.groups, per]);
  const stat = (s: string) => b.intermediate(`${n}/${s}`, [a.groups, 1]);
  const x = grouped("groups");
  // With symbolic height and width the group size is left to Reshape (-1) and the map takes the input's shape back.
  b.addNode("Reshape", `${n}/groups`, [ctx.inputs[0]!, b.addInt64(`${n}.groups_shape`, [3], [0, a.groups, ctx.dynamicSize ? -1 : per])], [x], {}, doc);
  const mean = stat("mean");
  b.addNode("ReduceMean", `${n}/mean`, [x], [mean], { axes: [2], keepdims: 1 }, doc);
  const centred = grouped("centred");
  b.addNode("Sub", `${n}/centred`, [x, mean], [centred], {}, doc);
  const sq = grouped("square");
  b.addNode("Mul", `${n}/square`, [centred, centred], [sq], {}, doc);
  const variance = stat("variance");
  b.addNode("ReduceMean", `${n}/variance`, [sq], [variance], { axes: [2], keepdims: 1 }, doc);
  const shifted = stat("plus_eps");
  b.addNode("Add", `${n}/plus_eps`, [variance, b.addFloat(`${n}.eps`, [], new Float32Array([a.eps]))], [shifted], {}, doc);
  const sd = stat("std");
  b.addNode("Sqrt", `${n}/std`, [shifted], [sd], {}, doc);
  const normed = grouped("normed");
  b.addNode("Div", `${n}/normed`, [centred, sd], [normed], {}, doc);
  const map = b.intermediate(`${n}/map`, shape);
  let mapShape: string;
  if (ctx.dynamicSize) {
    mapShape = b.values.take(`${n}/input_shape`);
    b.addNode("Shape", `${n}/input_shape`, [ctx.inputs[0]!], [mapShape], {}, doc);
  } else mapShape = b.addInt64(`${n}.map_shape`, [4], [0, c, h, w]);
  b.addNode("Reshape", `${n}/map`, [normed, mapShape], [map], {}, doc);
  // gamma and beta stay [C], as nn.GroupNorm stores them; a Reshape broadcasts them over H, W.
  const perChannel = b.addInt64(`${n}.channel_shape`, [3], [c, 1, 1]);
  const column = (key: "gamma" | "beta", suffix: string) => {
    const v = b.addFloat(`${n}.${suffix}`, [c], need(ctx, key));
    const out = b.values.take(`${n}/${suffix}_column`); // no batch dimension: no value_info
    b.addNode("Reshape", `${n}/${suffix}_column`, [v, perChannel], [out], {}, doc);
    return out;
  };
  const scaled = b.intermediate(`${n}/scaled`, shape);
  b.addNode("Mul", `${n}/scaled`, [map, column("gamma", "weight")], [scaled], {}, doc);
  primary(ctx, "Add", [scaled, column("beta", "bias")], [ctx.output]);
}
