// Shape, parameter and MAC rules for every IR op. The window arithmetic itself
// (padding, output sizes, ceil rounding) is in geometry.ts, shared with the backends.

import { convOut, effectiveKernel, poolOut } from "./geometry.js";
import type { NodeAttrs, Shape } from "./graph.js";

export type ShapeResult = { shape: Shape } | { error: ShapeError };

export type ShapeError =
  | { kind: "rank"; expected: string; found: Shape }
  | { kind: "zero"; output: Shape }
  | { kind: "kernel"; kernel: [number, number]; padded: [number, number] }
  | { kind: "groups"; groups: number; inC: number; outC: number };

const isMap = (s: Shape) => s.length === 3;

export function outputShape(a: NodeAttrs, inputs: Shape[]): ShapeResult {
  const x = inputs[0] ?? [];
  switch (a.op) {
    case "input":
      return { shape: x };
    case "conv": {
      if (!isMap(x)) return { error: { kind: "rank", expected: "CxHxW feature-map", found: x } };
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
    }
    case "maxpool":
    case "avgpool": {
      if (!isMap(x)) return { error: { kind: "rank", expected: "CxHxW feature-map", found: x } };
      const [c, h, w] = x as [number, number, number];
      const [pt, pl, pb, pr] = a.pads;
      if (h + pt + pb < a.kernel[0] || w + pl + pr < a.kernel[1])
        return { error: { kind: "kernel", kernel: a.kernel, padded: [h + pt + pb, w + pl + pr] } };
      const oh = poolOut(h, a.kernel[0], a.stride[0], pt, pb, a.ceil);
      const ow = poolOut(w, a.kernel[1], a.stride[1], pl, pr, a.ceil);
      return sized([c, oh, ow]);
    }
    case "globalavgpool":
    case "globalmaxpool":
      if (!isMap(x)) return { error: { kind: "rank", expected: "CxHxW feature-map", found: x } };
      return { shape: [x[0]!, 1, 1] };
    case "adaptiveavgpool":
      if (!isMap(x)) return { error: { kind: "rank", expected: "CxHxW feature-map", found: x } };
      return sized([x[0]!, a.out[0], a.out[1]]);
    case "batchnorm":
    case "lrn":
      if (a.op === "lrn" && !isMap(x)) return { error: { kind: "rank", expected: "CxHxW feature-map", found: x } };
      return { shape: x };
    case "flatten":
      return { shape: [x.reduce((p, q) => p * q, 1)] };
    case "dense":
      if (x.length !== 1) return { error: { kind: "rank", expected: "flat vector", found: x } };
      return sized([a.units]);
    case "dropout":
    case "act":
      return { shape: x };
    case "concat":
    case "add":
      // The merge checks (branch agreement) live in the checker, which can name branches.
      if (a.op === "add") return { shape: x };
      return { shape: [inputs.reduce((s, i) => s + (i[0] ?? 0), 0), ...x.slice(1)] };
  }
}

function sized(shape: Shape): ShapeResult {
  return shape.some((d) => d <= 0) ? { error: { kind: "zero", output: shape } } : { shape };
}

/** Learnable parameters as PyTorch counts them. */
export function paramCount(a: NodeAttrs, inputs: Shape[]): number {
  const x = inputs[0] ?? [];
  switch (a.op) {
    case "conv":
      return a.outChannels * (x[0]! / a.groups) * a.kernel[0] * a.kernel[1] + (a.bias ? a.outChannels : 0);
    case "dense":
      return a.units * x[0]! + (a.bias ? a.units : 0);
    case "batchnorm":
      return 2 * x[0]!;
    default:
      return 0;
  }
}

/** Multiply-accumulates for one image: convolution and dense layers only. */
export function macCount(a: NodeAttrs, inputs: Shape[], output: Shape): number {
  const x = inputs[0] ?? [];
  switch (a.op) {
    case "conv":
      return output[0]! * output[1]! * output[2]! * (x[0]! / a.groups) * a.kernel[0] * a.kernel[1];
    case "dense":
      return a.units * x[0]!;
    default:
      return 0;
  }
}

export function formatShape(s: Shape): string {
  return s.join("x");
}
