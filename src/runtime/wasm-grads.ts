// Gradient kernels that tfjs-backend-wasm 4.22 lacks, so a CNN can train on it:
// Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and
// DepthwiseConv2dNativeBackpropInput (tfjs issue: "Kernel 'Conv2DBackpropFilter' not
// registered for backend 'wasm'"). Plus a replacement for Conv2DBackpropInput, which wasm
// has as a plain C++ loop that dominated training time. The pooling gradients are in
// wasm-pool-grads.ts, faster copies and reductions in wasm-copies.ts and wasm-reduce.ts;
// test/runtime/ checks each against the cpu backend, and a GoogLeNet-style training step.
//
// Each kernel is built only from the wasm backend's own kernels (XNNPACK convolutions,
// transposes, pads, slices), so it runs at native-ish WASM speed, and every
// intermediate is disposed before returning.
//
// The filter gradient is a convolution: with explicit padding (top, left),
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} xpad[n, oh*s + kh*d, ow*s + kw*d, ci] * dy[n,oh,ow,co]
// i.e. conv2d of x with batch and channels swapped ([Ci,H,W,N]) by dy used as the
// filter ([OH,OW,N,Co]), where the forward stride becomes the dilation and the forward
// dilation becomes the stride. The output is [Ci,KH,KW,Co], transposed to [KH,KW,Ci,Co].

import type * as TfNamespace from "@tensorflow/tfjs";
import { heap, Ops, type Backend, type Pads, type TensorInfo, type Tf } from "./wasm-ops.js";

type Pair = [number, number];

const registered = new WeakSet<object>();

/** Registers the missing gradient kernels for the "wasm" backend (idempotent per namespace). */
export function registerWasmGradKernels(tf: Tf): void {
  if (registered.has(tf)) return;
  registered.add(tf);
  const add = (kernelName: string, kernelFunc: TfNamespace.KernelFunc) => {
    // Another copy of netc's runtime (or a future tfjs) may have registered it already.
    if (tf.getKernel(kernelName, "wasm")) return;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  };
  add("Conv2DBackpropFilter", (args) => conv2dBackpropFilter(tf, args));
  add("DepthwiseConv2dNativeBackpropFilter", (args) => depthwiseBackpropFilter(tf, args));
  add("DepthwiseConv2dNativeBackpropInput", (args) => depthwiseBackpropInput(tf, args));
  // wasm's own Conv2DBackpropInput is a plain C++ loop (~0.1 GFLOP/s).
  if (tf.getKernel("Conv2DBackpropInput", "wasm")) tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({ kernelName: "Conv2DBackpropInput", backendName: "wasm", kernelFunc: (args) => conv2dBackpropInput(tf, args) });
}

function pair(v: number | number[] | undefined, fallback = 1): Pair {
  if (v == null) return [fallback, fallback];
  if (typeof v === "number") return [v, v];
  return [v[0]!, v[1] ?? v[0]!];
}

/** The forward convolution's padding, resolved exactly as tfjs does ('same', 'valid', numbers, explicit). */
function forwardPads(
  tf: Tf,
  xShape: number[],
  filterShape: number[],
  strides: Pair,
  dilations: Pair,
  pad: unknown,
  dimRoundingMode: unknown,
  depthwise: boolean,
): { pads: Pads; outH: number; outW: number } {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad as "same",
    dimRoundingMode as "floor" | undefined,
    depthwise,
  );
  const p = info.padInfo;
  return { pads: { top: p.top, left: p.left, bottom: p.bottom, right: p.right }, outH: info.outHeight, outW: info.outWidth };
}

/**
 * Padding for the "filter gradient as a convolution": keep the forward top/left pads,
 * and trim bottom/right so the result has exactly KH x KW positions (the forward pass
 * may leave trailing rows unused; those are cropped, never computed).
 */
function gradPads(p: Pads, h: number, w: number, oh: number, ow: number, k: Pair, s: Pair, d: Pair): Pads {
  return {
    top: p.top,
    left: p.left,
    bottom: (oh - 1) * s[0] + (k[0] - 1) * d[0] + 1 - h - p.top,
    right: (ow - 1) * s[1] + (k[1] - 1) * d[1] + 1 - w - p.left,
  };
}

function explicit(p: Pads): number[][] {
  return [
    [0, 0],
    [p.top, p.bottom],
    [p.left, p.right],
    [0, 0],
  ];
}

function conv2dBackpropFilter(tf: Tf, args: Parameters<TfNamespace.KernelFunc>[0]): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.Conv2DBackpropFilterAttrs;
  if (attrs.dataFormat === "NCHW") throw new Error("netc: wasm Conv2DBackpropFilter supports NHWC only");
  const filterShape = attrs.filterShape;
  const [kh, kw, ci] = filterShape;
  const s = pair(attrs.strides);
  const d: Pair = [1, 1]; // the kernel has no dilations attribute: tfjs only differentiates undilated convs
  const [, h, w] = x.shape as number[];
  const { pads, outH, outW } = forwardPads(tf, x.shape, filterShape, s, d, attrs.pad, attrs.dimRoundingMode, false);
  const ops = new Ops(tf, args.backend as Backend);
  if (kh * kw * ci <= SMALL_PATCH) return ops.finish(filterGradByPatches(ops, x, dy, filterShape, s, pads, outH, outW));
  // [N,H,W,Ci] -> [Ci,H,W,N]: channels become the batch, the batch becomes channels.
  const xt = ops.transpose(x, [3, 1, 2, 0]);
  // [N,OH,OW,Co] -> [OH,OW,N,Co]: dy is the filter.
  const dyt = ops.transpose(dy, [1, 2, 0, 3]);
  const cropped = ops.cropNegative(xt, gradPads(pads, h!, w!, outH, outW, [kh, kw], s, d));
  const out = ops.run(
    "Conv2D",
    { x: cropped.x, filter: dyt },
    { strides: d, dilations: s, pad: explicit(cropped.pads), dataFormat: "NHWC" },
  );
  // [Ci,KH,KW,Co] -> [KH,KW,Ci,Co]
  return ops.finish(ops.transpose(out, [1, 2, 0, 3]));
}

/**
 * Patches no longer than this take filterGradByPatches: for a stem conv on a 1- or
 * 3-channel image the convolution form has a huge filter (the whole dy map) and a 3x3
 * output, which XNNPACK runs at a fraction of its speed (3x3x1->24 at 28x28, batch 64:
 * 13.7 ms that way, ~2 ms as patches and a matmul).
 */
const SMALL_PATCH = 27;

/**
 * dW = patches^T . dy as one matmul: the patches matrix is built already transposed,
 * [KH*KW*Ci, N*OH*OW], row (kh, kw, ci) in HWIO order, so the matmul needs no
 * transposed operand (wasm's transposeA path is ~10x slower).
 */
function filterGradByPatches(
  ops: Ops,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: [number, number, number, number],
  s: Pair,
  pads: Pads,
  outH: number,
  outW: number,
): TensorInfo {
  const [kh, kw, ci, co] = filterShape;
  const [n, h, w] = x.shape as number[];
  const m = n! * outH * outW;
  const patches = ops.filled([kh * kw * ci, m], 0); // padding stays 0
  const xs = heap(ops.backend, x);
  const p = heap(ops.backend, patches);
  let row = 0;
  for (let a = 0; a < kh; a++) {
    for (let q = 0; q < kw; q++) {
      for (let c = 0; c < ci; c++, row++) {
        let o = row * m;
        for (let b = 0; b < n!; b++) {
          for (let i = 0; i < outH; i++) {
            const y = i * s[0] - pads.top + a;
            if (y < 0 || y >= h!) {
              o += outW;
              continue;
            }
            const base = (b * h! + y) * w!;
            for (let j = 0; j < outW; j++, o++) {
              const xc = j * s[1] - pads.left + q;
              if (xc >= 0 && xc < w!) p[o] = xs[(base + xc) * ci + c]!;
            }
          }
        }
      }
    }
  }
  const grad = ops.matMul(ops.reshape(patches, [1, kh * kw * ci, m]), ops.reshape(dy, [1, m, co]));
  return ops.reshape(grad, [kh, kw, ci, co]);
}

/**
 * The input gradient for few input channels (a stem conv's image gradient, which a
 * fused conv computes whether or not anything needs it): the patch gradients
 * dy . W^T as one matmul, [N*OH*OW, Co] x [Co, KH*KW*Ci] (the small operand is the one
 * XNNPACK repacks), then each patch added back to its pixels (col2im). As a convolution
 * with Ci = 1 output channel, XNNPACK is ~4x slower.
 */
function inputGradByPatches(
  ops: Ops,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: [number, number, number, number],
  s: Pair,
  pads: Pads,
  outH: number,
  outW: number,
): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const [n, h, w] = inputShape;
  const k = kh * kw * ci;
  const m = n * outH * outW;
  const wt = ops.transpose(ops.reshape(filter, [k, co]), [1, 0]);
  const z = ops.matMul(ops.reshape(dy, [1, m, co]), ops.reshape(wt, [1, co, k]));
  const dx = ops.filled(inputShape, 0);
  const zs = heap(ops.backend, z);
  const out = heap(ops.backend, dx);
  let row = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++, row += k) {
        let col = row;
        for (let a = 0; a < kh; a++) {
          const y = i * s[0] - pads.top + a;
          if (y < 0 || y >= h) {
            col += kw * ci;
            continue;
          }
          for (let q = 0; q < kw; q++, col += ci) {
            const xc = j * s[1] - pads.left + q;
            if (xc < 0 || xc >= w) continue;
            const base = ((b * h + y) * w + xc) * ci;
            for (let c = 0; c < ci; c++) out[base + c] += zs[col + c]!;
          }
        }
      }
    }
  }
  return dx;
}

function depthwiseBackpropFilter(tf: Tf, args: Parameters<TfNamespace.KernelFunc>[0]): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.DepthwiseConv2dNativeBackpropFilterAttrs;
  const filterShape = attrs.filterShape;
  const [kh, kw, c, m] = filterShape;
  const s = pair(attrs.strides);
  const d = pair(attrs.dilations);
  const [n, h, w] = x.shape as number[];
  const { pads, outH, outW } = forwardPads(tf, x.shape, filterShape, s, d, attrs.pad, attrs.dimRoundingMode, true);
  const ops = new Ops(tf, args.backend as Backend);
  // One image whose channels are (c, n) pairs: [N,H,W,C] -> [1,H,W,C*N].
  const xt = ops.reshape(ops.transpose(x, [1, 2, 3, 0]), [1, h!, w!, c * n!]);
  // dy as a depthwise filter with matching (c, n) channels and multiplier m:
  // [N,OH,OW,C*M] -> [OH,OW,C,N,M] -> [OH,OW,C*N,M].
  const dy5 = ops.reshape(dy, [n!, outH, outW, c, m]);
  const filt = ops.reshape(ops.transpose(dy5, [1, 2, 3, 0, 4]), [outH, outW, c * n!, m]);
  const cropped = ops.cropNegative(xt, gradPads(pads, h!, w!, outH, outW, [kh, kw], s, d));
  const out = ops.run(
    "DepthwiseConv2dNative",
    { x: cropped.x, filter: filt },
    { strides: d, dilations: s, pad: explicit(cropped.pads), dataFormat: "NHWC" },
  );
  // [1,KH,KW,C*N*M] -> [KH,KW,C,N,M] -> sum over the batch -> [KH,KW,C,M]
  const out5 = ops.reshape(out, [kh, kw, c, n!, m]);
  return ops.finish(n === 1 ? ops.reshape(out5, [kh, kw, c, m]) : ops.sum(out5, 3));
}

/**
 * Input gradient as a stride-1 correlation: dy with s-1 zeros inserted between rows and
 * columns (for stride s), padded to "full" size, correlated with the spatially flipped
 * filter. `filterFlipped` is already flipped and laid out for `kernel`.
 */
function inputGradient(
  ops: Ops,
  dy: TensorInfo,
  filterFlipped: TensorInfo,
  kernel: "Conv2D" | "DepthwiseConv2dNative",
  inputHW: Pair,
  k: Pair,
  s: Pair,
  d: Pair,
  pads: Pads,
  outH: number,
  outW: number,
): TensorInfo {
  const [n, , , ch] = dy.shape as number[];
  const [h, w] = inputHW;
  let up = dy;
  const lh = (outH - 1) * s[0] + 1;
  const lw = (outW - 1) * s[1] + 1;
  if (s[0] > 1 || s[1] > 1) {
    // Insert s-1 zeros after every row and column: [N,OH,1,OW,1,C] padded, then flattened.
    const six = ops.reshape(dy, [n!, outH, 1, outW, 1, ch!]);
    const padded = ops.run(
      "PadV2",
      { x: six },
      { paddings: [[0, 0], [0, 0], [0, s[0] - 1], [0, 0], [0, s[1] - 1], [0, 0]], constantValue: 0 },
    );
    const flat = ops.reshape(padded, [n!, outH * s[0], outW * s[1], ch!]);
    up = ops.slice(flat, [0, 0, 0, 0], [n!, lh, lw, ch!]);
  }
  const fullTop = (k[0] - 1) * d[0] - pads.top;
  const fullLeft = (k[1] - 1) * d[1] - pads.left;
  const cropped = ops.cropNegative(up, {
    top: fullTop,
    left: fullLeft,
    bottom: h + (k[0] - 1) * d[0] - fullTop - lh,
    right: w + (k[1] - 1) * d[1] - fullLeft - lw,
  });
  return ops.run(
    kernel,
    { x: cropped.x, filter: filterFlipped },
    { strides: [1, 1], dilations: d, pad: explicit(cropped.pads), dataFormat: "NHWC" },
  );
}

/**
 * dx[n,h,w,c] = sum_{kh,kw,m} dy[n,oh,ow,c*M+m] * W[kh,kw,c,m] where h = oh*s + kh*d - top:
 * the input gradient with one filter per (c, m) channel, then a sum over the multiplier.
 */
function depthwiseBackpropInput(tf: Tf, args: Parameters<TfNamespace.KernelFunc>[0]): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.DepthwiseConv2dNativeBackpropInputAttrs;
  const inputShape = attrs.inputShape;
  const [n, h, w, c] = inputShape;
  const [kh, kw, , m] = filter.shape as number[];
  const s = pair(attrs.strides);
  const d = pair(attrs.dilations);
  const { pads, outH, outW } = forwardPads(tf, inputShape, filter.shape, s, d, attrs.pad, attrs.dimRoundingMode, true);
  const ops = new Ops(tf, args.backend as Backend);
  const flipped = ops.reshape(ops.run("Reverse", { x: filter }, { dims: [0, 1] }), [kh!, kw!, c * m!, 1]);
  const out = inputGradient(ops, dy, flipped, "DepthwiseConv2dNative", [h, w], [kh!, kw!], s, d, pads, outH, outW);
  if (m === 1) return ops.finish(out);
  return ops.finish(ops.sum(ops.reshape(out, [n, h, w, c, m!]), 4));
}

/**
 * Replaces wasm's Conv2DBackpropInput, a plain C++ loop (~0.1 GFLOP/s, the slowest step of
 * training), with an XNNPACK convolution of dy by the flipped, in/out-swapped filter.
 */
function conv2dBackpropInput(tf: Tf, args: Parameters<TfNamespace.KernelFunc>[0]): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.Conv2DBackpropInputAttrs;
  if (attrs.dataFormat === "NCHW") throw new Error("netc: wasm Conv2DBackpropInput supports NHWC only");
  const inputShape = attrs.inputShape;
  const [kh, kw] = filter.shape as number[];
  const s = pair(attrs.strides);
  const d: Pair = [1, 1];
  const { pads, outH, outW } = forwardPads(tf, inputShape, filter.shape, s, d, attrs.pad, attrs.dimRoundingMode, false);
  const ops = new Ops(tf, args.backend as Backend);
  const ci = inputShape[3];
  if (kh! * kw! * ci <= SMALL_PATCH) return ops.finish(inputGradByPatches(ops, dy, filter, inputShape, s, pads, outH, outW));
  // [KH,KW,Ci,Co] -> flipped -> [KH,KW,Co,Ci]
  const flipped = ops.transpose(ops.run("Reverse", { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
  return ops.finish(inputGradient(ops, dy, flipped, "Conv2D", [inputShape[1], inputShape[2]], [kh!, kw!], s, d, pads, outH, outW));
}
