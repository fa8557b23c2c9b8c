// Pooling gradients for tfjs-backend-wasm 4.22, as plain loops over the WASM heap with
// the cpu backend's semantics.
//
// - MaxPoolGrad: wasm's own misroutes gradients for some shapes (e.g. 2x2/2 on
//   [1,6,4,1]: a window's gradient is lost). Each window's gradient goes to its first
//   maximum in row-major order; padding never wins.
// - AvgPoolGrad: wasm's own is correct but slow (8 ms for the 7x7 global pool of a
//   [64,7,7,112] map); a scatter over the windows is one pass over the input.

import type * as TfNamespace from "@tensorflow/tfjs";
import { heap, makeOutput, replaceKernel, type KernelArgs, type TensorInfo, type Tf } from "./wasm-ops.js";

export function registerWasmPoolGrads(tf: Tf): void {
  replaceKernel(tf, "MaxPoolGrad", () => (args) => maxPoolGrad(tf, args));
  replaceKernel(tf, "AvgPoolGrad", () => (args) => avgPoolGrad(tf, args));
}

type PoolInfo = ReturnType<Tf["backend_util"]["computePool2DInfo"]>;

/** The in-bounds rows [y0, y1) and columns [x0, x1) of output window (i, j). */
function windowBounds(info: PoolInfo, i: number, j: number): [number, number, number, number] {
  const top = i * info.strideHeight - info.padInfo.top;
  const left = j * info.strideWidth - info.padInfo.left;
  return [
    Math.max(0, top),
    Math.min(info.inHeight, top + info.effectiveFilterHeight),
    Math.max(0, left),
    Math.min(info.inWidth, left + info.effectiveFilterWidth),
  ];
}

/**
 * Uses the forward output: the first pixel of a window equal to the window's maximum is
 * exactly where the cpu backend's strict-greater scan ends up. (The max is exact, and
 * 0 === -0 as both scans treat it.) A window whose maximum matches nothing (NaN) routes
 * to its first pixel.
 *
 * The scan is branch-free: on random data "is this the maximum?" is a coin toss per
 * pixel, and mispredicted branches made an early-exit scan 2x slower than this one,
 * which visits every tap and keeps the first match with integer masks.
 */
function maxPoolGrad(tf: Tf, args: KernelArgs): TensorInfo {
  const { dy, input, output } = args.inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = makeOutput(args.backend, input.shape, "float32");
  const x = heap(args.backend, input) as Float32Array;
  const y = heap(args.backend, output) as Float32Array;
  const g = heap(args.backend, dy) as Float32Array;
  const dx = heap(args.backend, out) as Float32Array;
  dx.fill(0);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  // Offsets of a window's in-bounds pixels from its first one, in row-major order.
  const taps = new Int32Array(info.effectiveFilterHeight * info.effectiveFilterWidth);
  // tfjs differentiates undilated pools only (maxPool's gradient asserts dilation 1).
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const [y0, y1, x0, x1] = windowBounds(info, i, j);
        if (y0 >= y1 || x0 >= x1) continue;
        let count = 0;
        for (let r = y0; r < y1; r++) for (let q = x0; q < x1; q++) taps[count++] = ((r - y0) * w + (q - x0)) * c;
        const o = ((b * oh + i) * ow + j) * c;
        const first = ((b * h + y0) * w + x0) * c;
        for (let ch = 0; ch < c; ch++) {
          const m = y[o + ch]!;
          const base = first + ch;
          let searching = -1; // all ones until the first match
          let at = 0;
          for (let t = 0; t < count; t++) {
            const d = taps[t]!;
            const hit = -(+(x[base + d]! === m) | 0); // -1 on a match, else 0
            at |= searching & hit & d;
            searching &= ~hit;
          }
          dx[base + at] += g[o + ch]!;
        }
      }
    }
  }
  return out;
}

/** dx gets dy / (filter area) from every window covering it, as the cpu backend computes. */
function avgPoolGrad(tf: Tf, args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.AvgPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
  );
  const out = makeOutput(args.backend, input.shape, "float32");
  const g = heap(args.backend, dy);
  const dx = heap(args.backend, out);
  dx.fill(0);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const scale = 1 / (info.filterHeight * info.filterWidth);
  const share = new Float32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const [y0, y1, x0, x1] = windowBounds(info, i, j);
        const o = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) share[ch] = g[o + ch]! * scale;
        for (let r = y0; r < y1; r++) {
          for (let q = x0; q < x1; q++) {
            const k = ((b * h + r) * w + q) * c;
            for (let ch = 0; ch < c; ch++) dx[k + ch] += share[ch]!;
          }
        }
      }
    }
  }
  return out;
}
