// The op table: every op a spec can write, defined once with its attributes,
// flags, positional forms and how it lowers to IR nodes. Shape, parameter and MAC
// rules of the IR ops live in src/ir/op-facts.ts.

import { ACTIVATION_PARAMS, ACTIVATIONS, type Activation, type NodeAttrs, type Shape } from "../ir/graph.js";
import { samePads } from "../ir/geometry.js";
import type { Value } from "./values.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Span } from "../util/span.js";

export type AttrType = "int" | "number" | "bool" | "pair" | "pads" | "act" | "rate";

export interface AttrSpec {
  key: string;
  type: AttrType;
  aliases?: string[];
  /** Smallest allowed value (ints, numbers, each pair element). */
  min?: number;
  doc: string;
}

export interface OpSpec {
  name: string;
  aliases?: string[];
  /** `defaults` entries that apply, in increasing priority. */
  groups: string[];
  doc: string;
  attrs: AttrSpec[];
  /** Bare keywords: `relu` sets act=relu, `ceil` sets ceil=true. */
  flags: Record<string, [string, Value]>;
  /** Where `7x7/2` goes (kernel key, stride key). */
  dims?: [string, string];
  /** Keys filled by bare values, in order (`conv 3x3 64`: outChannels). */
  values: string[];
  /** Keys that must be given. */
  required: string[];
  /** Defaults that are not plain constants. */
  initial: Record<string, Value>;
  /** Lowers resolved attributes to IR nodes (names relative to the statement; "" = the statement itself). */
  lower(a: Resolved, input: Shape): { suffix: string; attrs: NodeAttrs }[] | string | LowerError;
}

/** A lowering failure with its own diagnostic code (a plain string is reported as NET4005). */
export type LowerError = (file: string, span: Span) => Diagnostic;

export type Resolved = Record<string, Value>;

export const activations: Activation[] = [...ACTIVATIONS];
const actFlags: Record<string, [string, Value]> = {
  ...Object.fromEntries(ACTIVATIONS.map((f): [string, [string, Value]] => [f, ["act", f]])),
  linear: ["act", "none"],
  // PyTorch's SiLU is the Swish of Ramachandran et al.; both names are common.
  swish: ["act", "silu"],
};

/**
 * The IR form of a resolved `act` value: an activation name, or [name, number]
 * from `act=leakyrelu(0.2)`. A parameterised activation without its number gets
 * PyTorch's default.
 */
export function actOf(v: Value | undefined): { act: Activation; actAlpha?: number } {
  const [act, given] = Array.isArray(v) ? [v[0] as Activation, v[1] as number] : [(v ?? "none") as Activation, undefined];
  const param = ACTIVATION_PARAMS[act];
  return param ? { act, actAlpha: given ?? param.default } : { act };
}
const padFlags: Record<string, [string, Value]> = { same: ["pad", "same"], valid: ["pad", "valid"] };

const a = (key: string, type: AttrType, doc: string, extra: Partial<AttrSpec> = {}): AttrSpec => ({ key, type, doc, ...extra });

const kernel = a("kernel", "pair", "kernel height x width", { aliases: ["k"], min: 1 });
const stride = a("stride", "pair", "step between windows", { aliases: ["s"], min: 1 });
const pad = a("pad", "pads", "'same' (TF split: extra pixel at the end), 'valid', N, (h, w) or (top, left, bottom, right)", {
  aliases: ["padding"],
});
const act = a("act", "act", `activation after the layer: ${ACTIVATIONS.join(", ")} or none; leakyrelu(slope), elu(alpha)`, { aliases: ["activation"] });
const bias = a("bias", "bool", "learn a bias (default true; false when followed by bn)");
const eps = a("eps", "number", "BatchNorm epsilon (PyTorch default 1e-5; TF/tfjs and torchvision GoogLeNet use 1e-3)", {
  aliases: ["epsilon"],
  min: 0,
});
const normEps = a("eps", "number", "added to the variance inside the square root (PyTorch default 1e-5)", { aliases: ["epsilon"], min: 0 });
const momentum = a("momentum", "number", "BatchNorm running-statistics momentum (PyTorch convention, default 0.1)", { min: 0 });

type Pads = [number, number, number, number];

/** Explicit [top, left, bottom, right] pads from a `pad` value and the input. */
function resolvePads(p: Value, input: Shape, k: [number, number], s: [number, number], d: [number, number]): Pads | string {
  if (p === "valid") return [0, 0, 0, 0];
  if (p === "same") {
    const [t, b] = samePads(input[1] ?? 1, k[0], s[0], d[0]);
    const [l, r] = samePads(input[2] ?? 1, k[1], s[1], d[1]);
    return [t, l, b, r];
  }
  if (typeof p === "number") return [p, p, p, p];
  if (Array.isArray(p) && p.length === 2) return [p[0], p[1], p[0], p[1]] as Pads;
  if (Array.isArray(p) && p.length === 4) return p as Pads;
  return `pad must be 'same', 'valid', a number, (h, w) or (top, left, bottom, right)`;
}

const pair = (v: Value) => v as [number, number];

function convLower(r: Resolved, input: Shape, groups: number, outChannels: number) {
  const k = pair(r.kernel!);
  const s = pair(r.stride!);
  const d = pair(r.dilation!);
  const pads = resolvePads(r.pad!, input, k, s, d);
  if (typeof pads === "string") return pads;
  const withBn = r.bn === true;
  const conv: NodeAttrs = {
    op: "conv",
    outChannels,
    kernel: k,
    stride: s,
    dilation: d,
    pads,
    groups,
    bias: (r.bias as boolean | undefined) ?? !withBn,
    ...(withBn ? { act: "none" as const } : actOf(r.act)),
  };
  const nodes: { suffix: string; attrs: NodeAttrs }[] = [{ suffix: "", attrs: conv }];
  if (withBn) nodes.push({ suffix: "bn", attrs: { op: "batchnorm", eps: r.eps as number, momentum: r.momentum as number, ...actOf(r.act) } });
  return nodes;
}

const convAttrs = [kernel, stride, pad, act, bias, eps, momentum,
  a("dilation", "pair", "spacing between kernel taps", { min: 1 }),
  a("bn", "bool", "follow with BatchNorm (then the activation comes after it)")];
const convFlags = { ...actFlags, ...padFlags, bn: ["bn", true], nobias: ["bias", false] } as Record<string, [string, Value]>;
const convInitial = { stride: [1, 1], dilation: [1, 1], pad: "valid", act: "none", bn: false, eps: 1e-5, momentum: 0.1 };

function poolSpec(kind: "maxpool" | "avgpool"): OpSpec {
  const attrs = [kernel, stride, pad, a("ceil", "bool", "round the output size up (Caffe); default floor (PyTorch)")];
  if (kind === "avgpool")
    attrs.push(a("count_include_pad", "bool", "count padded zeros in the average (PyTorch default true)", { aliases: ["include_pad"] }));
  return {
    name: kind,
    aliases: kind === "maxpool" ? ["max_pool"] : ["avg_pool"],
    groups: ["pool", kind],
    doc: kind === "maxpool" ? "Max pooling: `maxpool 3x3/2`, stride defaults to the kernel." : "Average pooling: `avgpool 5x5/3`, or `avgpool global`.",
    attrs,
    flags: { ...padFlags, ceil: ["ceil", true], floor: ["ceil", false], global: ["global", true] },
    dims: ["kernel", "stride"],
    values: [],
    // The kernel is required unless `global` is given: checked in lower().
    required: [],
    initial: { pad: "valid", ceil: false, count_include_pad: true, global: false },
    lower(r, input) {
      if (r.global === true) return [{ suffix: "", attrs: { op: kind === "maxpool" ? "globalmaxpool" : "globalavgpool" } }];
      if (r.kernel === undefined) return "needs a kernel size, e.g. '3x3/2', or 'global'";
      const k = pair(r.kernel);
      const s = r.stride === undefined ? k : pair(r.stride);
      const pads = resolvePads(r.pad!, input, k, s, [1, 1]);
      if (typeof pads === "string") return pads;
      // PyTorch's pooling refuses a pad above half the kernel ("pad should be at most half of
      // kernel size"); 'same' never needs more. Convolutions take any padding, as in PyTorch.
      const [hh, hw] = [Math.floor(k[0] / 2), Math.floor(k[1] / 2)];
      if (pads[0] > hh || pads[2] > hh || pads[1] > hw || pads[3] > hw) {
        const limit = hh === hw ? String(hh) : `(${hh}, ${hw})`;
        const written = pads.every((p) => p === pads[0]) ? `pad=${pads[0]}` : `pads (top, left, bottom, right) = (${pads.join(", ")})`;
        return (file, span) => diag("NET4013", file, span, { op: kind, limit, kernel: k.join("x"), pads: written });
      }
      return [{ suffix: "", attrs: { op: kind, kernel: k, stride: s, pads, ceil: r.ceil as boolean, countIncludePad: (r.count_include_pad as boolean) ?? true } }];
    },
  };
}

const actDocs: Record<Exclude<Activation, "none">, string> = {
  relu: "max(0, x)",
  relu6: "min(max(0, x), 6)",
  sigmoid: "1 / (1 + exp(-x))",
  tanh: "tanh(x)",
  softmax: "softmax over channels (features)",
  silu: "x * sigmoid(x) (SiLU, Swish)",
  gelu: "0.5 * x * (1 + erf(x / sqrt(2))), the exact GELU (PyTorch approximate='none')",
  hardswish: "x * relu6(x + 3) / 6",
  hardsigmoid: "relu6(x + 3) / 6 (PyTorch's; ONNX's default alpha 0.2 differs)",
  leakyrelu: "x for x > 0, else slope * x: `leakyrelu 0.2` (default 0.01)",
  elu: "x for x > 0, else alpha * (exp(x) - 1): `elu alpha=0.5` (default 1)",
};

function actSpec(fn: Exclude<Activation, "none">): OpSpec {
  const param = ACTIVATION_PARAMS[fn];
  const alias = Object.keys(actFlags).filter((k) => k !== fn && actFlags[k]![1] === fn);
  return {
    name: fn, ...(alias.length ? { aliases: alias } : {}), groups: [], doc: `${actDocs[fn]}, as its own layer.`,
    attrs: param ? [a(param.key, "number", param.doc)] : [], flags: {}, values: param ? [param.key] : [], required: [],
    initial: param ? { [param.key]: param.default } : {},
    lower: (r) => [{ suffix: "", attrs: param ? { op: "act", fn, alpha: r[param.key] as number } : { op: "act", fn } }],
  };
}

export const ops: OpSpec[] = [
  {
    name: "conv", aliases: ["conv2d"], groups: ["conv"],
    doc: "2-D convolution: `conv 7x7/2 64 pad=3 relu`. Attributes: groups, dilation, bias, bn, act.",
    attrs: [...convAttrs, a("groups", "int", "channel groups (groups = input channels: depthwise)", { min: 1 }),
      a("out", "int", "output channels", { aliases: ["channels", "filters"], min: 1 })],
    flags: convFlags, dims: ["kernel", "stride"], values: ["out"], required: ["kernel", "out"],
    initial: { ...convInitial, groups: 1 },
    lower: (r, input) => convLower(r, input, r.groups as number, r.out as number),
  },
  {
    name: "dwconv", aliases: ["depthwise"], groups: ["conv", "dwconv"],
    doc: "Depthwise convolution (groups = input channels): `dwconv 3x3/2`, optional channel multiplier.",
    attrs: [...convAttrs, a("multiplier", "int", "output channels per input channel", { min: 1 })],
    flags: convFlags, dims: ["kernel", "stride"], values: ["multiplier"], required: ["kernel"],
    initial: { ...convInitial, multiplier: 1 },
    lower: (r, input) => convLower(r, input, input[0] ?? 1, (input[0] ?? 1) * (r.multiplier as number)),
  },
  {
    name: "sepconv", aliases: ["separable"], groups: ["conv", "sepconv"],
    doc: "Separable convolution: a depthwise kxk (no bias, no activation) then a pointwise 1x1 with bias and activation.",
    attrs: [...convAttrs, a("out", "int", "output channels", { min: 1 })],
    flags: convFlags, dims: ["kernel", "stride"], values: ["out"], required: ["kernel", "out"],
    initial: convInitial,
    lower(r, input) {
      const dw = convLower({ ...r, bn: false, bias: false, act: "none" }, input, input[0] ?? 1, input[0] ?? 1);
      if (typeof dw === "string") return dw;
      const pw = convLower({ ...r, kernel: [1, 1], stride: [1, 1], dilation: [1, 1], pad: "valid" }, input, 1, r.out as number);
      if (typeof pw === "string") return pw;
      return [{ suffix: "dw", attrs: dw[0]!.attrs }, ...pw];
    },
  },
  {
    name: "bn", aliases: ["batchnorm"], groups: ["bn"],
    doc: "Batch normalisation over channels: `bn eps=1e-3`.",
    attrs: [eps, momentum, act], flags: actFlags, values: [], required: [], initial: { eps: 1e-5, momentum: 0.1, act: "none" },
    lower: (r) => [{ suffix: "", attrs: { op: "batchnorm", eps: r.eps as number, momentum: r.momentum as number, ...actOf(r.act) } }],
  },
  {
    name: "lrn", groups: ["lrn"],
    doc: "Local response normalisation across channels (Caffe/PyTorch/ONNX convention: x / (bias + alpha/size * sum x^2)^beta).",
    attrs: [a("size", "int", "channels in the window", { min: 1 }), a("alpha", "number", "scale (divided by size)", { min: 0 }),
      a("beta", "number", "exponent", { min: 0 }), a("bias", "number", "additive constant k", { aliases: ["k"] })],
    flags: {}, values: ["size"], required: ["size"], initial: { alpha: 1e-4, beta: 0.75, bias: 1 },
    lower: (r) => [{ suffix: "", attrs: { op: "lrn", size: r.size as number, alpha: r.alpha as number, beta: r.beta as number, bias: r.bias as number } }],
  },
  poolSpec("maxpool"),
  poolSpec("avgpool"),
  {
    name: "globalavgpool", aliases: ["gap"], groups: [], doc: "Average over the whole feature map: CxHxW -> Cx1x1.",
    attrs: [], flags: {}, values: [], required: [], initial: {},
    lower: () => [{ suffix: "", attrs: { op: "globalavgpool" } }],
  },
  {
    name: "globalmaxpool", groups: [], doc: "Maximum over the whole feature map: CxHxW -> Cx1x1.",
    attrs: [], flags: {}, values: [], required: [], initial: {},
    lower: () => [{ suffix: "", attrs: { op: "globalmaxpool" } }],
  },
  {
    name: "adaptiveavgpool", aliases: ["adaptivepool"], groups: [],
    doc: "Adaptive average pooling to a fixed output size, PyTorch semantics: `adaptiveavgpool 4x4`.",
    attrs: [a("out", "pair", "output height x width", { min: 1 })], flags: {}, dims: ["out", "_stride"], values: ["out"], required: ["out"], initial: {},
    lower: (r) => [{ suffix: "", attrs: { op: "adaptiveavgpool", out: pair(r.out!) } }],
  },
  {
    name: "dropout", groups: ["dropout"], doc: "Dropout (training only): `dropout 0.4`.",
    attrs: [a("rate", "rate", "fraction of units dropped, 0 to <1")], flags: {}, values: ["rate"], required: ["rate"], initial: {},
    lower: (r) => [{ suffix: "", attrs: { op: "dropout", rate: r.rate as number } }],
  },
  {
    name: "flatten", groups: [], doc: "Flattens CxHxW to C*H*W features in C, H, W order.",
    attrs: [], flags: {}, values: [], required: [], initial: {},
    lower: () => [{ suffix: "", attrs: { op: "flatten" } }],
  },
  {
    name: "dense", aliases: ["linear", "fc"], groups: ["dense"],
    doc: "Fully connected layer: `dense 1000`, optional activation; `dense 384 pixelwise` applies it to the channels of every pixel of a CxHxW map (nn.Linear between NHWC permutes).",
    attrs: [a("units", "int", "output features", { min: 1 }), bias, act,
      a("pixelwise", "bool", "on a CxHxW map, the same [units, C] layer at every pixel: units x H x W out")],
    flags: { ...actFlags, nobias: ["bias", false], pixelwise: ["pixelwise", true] }, values: ["units"], required: ["units"],
    initial: { bias: true, act: "none", pixelwise: false },
    lower: (r) => [{
      suffix: "",
      // Only when set, so the IR of every plain dense layer stays as it was.
      attrs: { op: "dense", units: r.units as number, bias: r.bias as boolean, ...actOf(r.act), ...(r.pixelwise === true ? { pixelwise: true } : {}) },
    }],
  },
  {
    name: "layernorm", groups: ["layernorm"],
    doc: "nn.LayerNorm over the channels at each pixel of a CxHxW map (ConvNeXt's LayerNorm2d), or over a vector's features: `layernorm eps=1e-6`.",
    attrs: [normEps], flags: {}, values: [], required: [], initial: { eps: 1e-5 },
    lower: (r) => [{ suffix: "", attrs: { op: "layernorm", eps: r.eps as number } }],
  },
  {
    name: "groupnorm", groups: ["groupnorm"],
    doc: "nn.GroupNorm: statistics over each group of C/G channels and all pixels: `groupnorm 32`.",
    attrs: [a("groups", "int", "channel groups; must divide the channels", { min: 1 }), normEps],
    flags: {}, values: ["groups"], required: ["groups"], initial: { eps: 1e-5 },
    lower: (r) => [{ suffix: "", attrs: { op: "groupnorm", groups: r.groups as number, eps: r.eps as number } }],
  },
  {
    name: "scale", aliases: ["layerscale"], groups: ["scale"],
    doc: "Learned per-channel scale (ConvNeXt's layer scale): `scale 1e-6`, the weights' initial value. Weight [C,1,1] as PyTorch stores it: C parameters, no MACs.",
    attrs: [a("init", "number", "initial value of every channel's scale (default 1)", { aliases: ["value"] })],
    flags: {}, values: ["init"], required: [], initial: { init: 1 },
    lower: (r) => [{ suffix: "", attrs: { op: "scale", init: r.init as number } }],
  },
  {
    name: "droppath", aliases: ["stochasticdepth"], groups: ["droppath"],
    doc: "Drop path / stochastic depth (training only, torchvision mode 'row'): zeroes a sample's whole branch with probability p and scales survivors by 1/(1-p): `droppath 0.2`.",
    attrs: [a("rate", "rate", "probability of dropping a sample's branch, 0 to <1")], flags: {}, values: ["rate"], required: ["rate"], initial: {},
    lower: (r) => [{ suffix: "", attrs: { op: "droppath", rate: r.rate as number } }],
  },
  ...activations.map((f) => actSpec(f as Exclude<Activation, "none">)),
  {
    name: "chunk", groups: [],
    doc: "One of torch.chunk's pieces of the channels: `chunk 2 take=1` is x.chunk(2, dim=1)[1] (pieces of ceil(C/n) channels, the last one shorter).",
    attrs: [a("chunks", "int", "pieces to split the channels into (torch.chunk's chunks)", { min: 1 }),
      a("take", "int", "which piece, from 0", { min: 0 })],
    flags: {}, values: ["chunks", "take"], required: ["chunks", "take"], initial: {},
    lower(r, input) {
      const c = input[0] ?? 0;
      const [n, take] = [r.chunks as number, r.take as number];
      // torch.chunk: pieces of ceil(C/n) channels, so there may be fewer than n of them.
      const size = Math.ceil(c / n);
      const count = size > 0 ? Math.ceil(c / size) : 0;
      if (take >= count)
        return `take=${take} is out of range: torch.chunk splits ${c} channels into ${count} piece${count === 1 ? "" : "s"} of up to ${size} (take 0 to ${count - 1})`;
      return [{ suffix: "", attrs: { op: "slice", start: take * size, end: Math.min(c, (take + 1) * size) } }];
    },
  },
  {
    name: "slice", groups: [], doc: "Channels start to end (end excluded), as x[:, start:end]: `slice 0 58`.",
    attrs: [a("start", "int", "first channel, from 0", { min: 0 }), a("end", "int", "one past the last channel", { min: 1 })],
    flags: {}, values: ["start", "end"], required: ["start", "end"], initial: {},
    lower: (r) => [{ suffix: "", attrs: { op: "slice", start: r.start as number, end: r.end as number } }],
  },
  {
    name: "shuffle", aliases: ["channel_shuffle"], groups: [],
    doc: "ShuffleNet's channel shuffle, as PyTorch's channel_shuffle: `shuffle 2` views C as groups x C/groups and transposes.",
    attrs: [a("groups", "int", "groups the channels are interleaved from", { min: 1 })],
    flags: {}, values: ["groups"], required: ["groups"], initial: {},
    lower: (r) => [{ suffix: "", attrs: { op: "shuffle", groups: r.groups as number } }],
  },
  {
    name: "identity", groups: [], doc: "Passes its input through (a residual shortcut).",
    attrs: [], flags: {}, values: [], required: [], initial: {},
    lower: () => [],
  },
];

// Flags are looked up by words a spec writes (`conv 1x1 toString`): without a
// prototype, no such word can reach Object.prototype's members.
for (const op of ops) {
  op.flags = Object.assign(Object.create(null) as OpSpec["flags"], op.flags);
  op.initial = Object.assign(Object.create(null) as OpSpec["initial"], op.initial);
}

const byName = new Map<string, OpSpec>();
for (const op of ops) for (const n of [op.name, ...(op.aliases ?? [])]) byName.set(n, op);

export function findOp(name: string): OpSpec | undefined {
  return byName.get(name);
}
// The table is fixed once this module has run: its name lists are computed once
// (a spec of thousands of errors lists them thousands of times) and copied out.
const allOpNames = [...byName.keys()];
const canonicalNames = ops.map((o) => o.name);
const groupNames = [...new Set(ops.flatMap((o) => o.groups))];
const groupMembers = new Map(groupNames.map((g) => [g, ops.filter((o) => o.groups.includes(g))]));

export function opNames(): string[] {
  return [...allOpNames];
}
/** One name per op (no aliases), for listing what exists. */
export function canonicalOpNames(): string[] {
  return [...canonicalNames];
}
/** Group names usable in `defaults`. */
export function defaultGroups(): string[] {
  return [...groupNames];
}
export function opsInGroup(group: string): OpSpec[] {
  return [...groupOps(group)];
}
const NO_OPS: readonly OpSpec[] = Object.freeze([]);
/** The ops of a group, not copied (every network's defaults ask): not to be changed. */
export function groupOps(group: string): readonly OpSpec[] {
  return groupMembers.get(group) ?? NO_OPS;
}
/** The flag `name` of an op (`relu` on conv: act=relu). */
export function findFlag(op: OpSpec, name: string): [string, Value] | undefined {
  return Object.hasOwn(op.flags, name) ? op.flags[name] : undefined;
}
export function findAttr(op: OpSpec, key: string): AttrSpec | undefined {
  return op.attrs.find((x) => x.key === key || x.aliases?.includes(key));
}
