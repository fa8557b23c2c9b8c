// The result type of an op's shape rule, and how shapes are printed. The rules
// per op are in op-facts.ts; the window arithmetic they use (padding, output
// sizes, ceil rounding) is in geometry.ts, shared with the backends.

import type { IrNode, Shape } from "./graph.js";

export type ShapeResult = { shape: Shape } | { error: ShapeError };

export type ShapeError =
  | { kind: "rank"; expected: string; found: Shape }
  | { kind: "zero"; output: Shape }
  | { kind: "kernel"; kernel: [number, number]; padded: [number, number] }
  | { kind: "groups"; groups: number; inC: number; outC: number }
  | { kind: "normGroups"; groups: number; channels: number }
  | { kind: "slice"; start: number; end: number; inC: number }
  | { kind: "shuffle"; groups: number; inC: number };

export function formatShape(s: Shape): string {
  return s.join("x");
}

/** A window layer's kernel and stride as the spec writes them (`3x3/2`, `1x7/1`); "" for other layers. */
export function formatPatch(n: IrNode): string {
  const a = n.attrs;
  if (a.op !== "conv" && a.op !== "maxpool" && a.op !== "avgpool") return "";
  const k = a.kernel[0] === a.kernel[1] ? `${a.kernel[0]}x${a.kernel[0]}` : a.kernel.join("x");
  const s = a.stride[0] === a.stride[1] ? String(a.stride[0]) : a.stride.join("x");
  return `${k}/${s}`;
}
