// How frameworks compute sizes (padding, convolution and pooling output sizes),
// and the result type of an op's shape rule. The rules per op are in op-facts.ts.

import type { Shape } from "./graph.js";

export type ShapeResult = { shape: Shape } | { error: ShapeError };

export type ShapeError =
  | { kind: "rank"; expected: string; found: Shape }
  | { kind: "zero"; output: Shape }
  | { kind: "kernel"; kernel: [number, number]; padded: [number, number] }
  | { kind: "groups"; groups: number; inC: number; outC: number };

/** TF-style 'same' padding for one axis: out = ceil(in / stride), the extra pixel at the end. */
export function samePads(input: number, kernel: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(input / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Convolution output size (floor), as every framework computes it. */
export function convOut(input: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((input + before + after - (dilation * (kernel - 1) + 1)) / stride) + 1;
}

/**
 * Pooling output size as PyTorch and Caffe compute it: with ceil rounding the
 * last window is dropped when it would start inside the end padding.
 */
export function poolOut(input: number, kernel: number, stride: number, before: number, after: number, ceil: boolean): number {
  const span = input + before + after - kernel;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= input + before) out -= 1;
  return out;
}

export function formatShape(s: Shape): string {
  return s.join("x");
}
