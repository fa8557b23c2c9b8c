// Sum and Mean over leading or middle axes for tfjs-backend-wasm 4.22. Its kernels
// reduce innermost axes only and transpose everything else first: batch norm's
// statistics and gradients (sum over N, H, W of an NHWC map) and bias gradients pay a
// full transpose each time (4 ms for [64,28,28,32]). A mean over a contiguous block of
// axes is an average pool: x viewed as [P, M, 1, C] pooled by an M x 1 window gives
// [P, 1, 1, C] (0.3 ms for that map, XNNPACK's pooling); a sum is that times M.
// (A matmul with a ones vector is no faster: XNNPACK repacks the fresh operand.)
// Innermost reductions (C = 1), non-float inputs and non-contiguous axes go to the
// original kernels, which handle them without a transpose or are rare.

import { heap, Ops, replaceKernel, type Backend, type KernelArgs, type TensorInfo, type Tf } from "./wasm-ops.js";

export function registerWasmReductions(tf: Tf): void {
  for (const name of ["Sum", "Mean"]) {
    replaceKernel(tf, name, (original) => (args) => reduce(tf, args, name === "Mean") ?? original(args));
  }
}

function reduce(tf: Tf, args: KernelArgs, mean: boolean): TensorInfo | undefined {
  const x = args.inputs.x!;
  if (x.dtype !== "float32") return undefined;
  const shape = x.shape;
  const axes = [...new Set(tf.util.parseAxisParam(args.attrs!.axis as number | number[], shape))].sort((a, b) => a - b);
  if (axes.length === 0) return undefined;
  const first = axes[0]!;
  const last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length || last === shape.length - 1) return undefined;
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const p = size(0, first);
  const m = size(first, last + 1);
  const c = size(last + 1, shape.length);
  if (m === 0 || p * c === 0) return undefined;
  const ops = new Ops(tf, args.backend as Backend);
  const pooled = ops.run("AvgPool", { x: ops.reshape(x, [p, m, 1, c]) }, { filterSize: [m, 1], strides: [1, 1], pad: "valid" });
  if (!mean) {
    // Rounding: XNNPACK scales the sum by 1/M; times M is within a few ulps of the sum.
    const v = heap(args.backend, pooled);
    for (let i = 0; i < v.length; i++) v[i]! *= m;
  }
  const kept = shape.map((d, i) => (i >= first && i <= last ? 1 : d));
  const outShape = args.attrs!.keepDims ? kept : shape.filter((_, i) => i < first || i > last);
  return ops.finish(ops.reshape(pooled, outShape));
}
