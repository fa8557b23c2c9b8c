// Gradient kernels that tfjs-backend-wasm 4.22 lacks, so a CNN can train on it:
// Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and
// DepthwiseConv2dNativeBackpropInput (tfjs issue: "Kernel 'Conv2DBackpropFilter' not
// registered for backend 'wasm'"). Plus replacements for two kernels wasm has: MaxPoolGrad,
// which misroutes gradients for some shapes (e.g. 2x2/2 on [1,6,4,1]: a window's gradient
// is lost), and Conv2DBackpropInput, a plain C++ loop that dominated training time.
// Every other kernel a GoogLeNet-style net needs to train
// AvgPoolGrad, LRNGrad, Step for ReLU, SplitV/Slice/PadV2 for concat, softmax
// cross-entropy, batch-norm ops) is present and correct; test/runtime/ checks a
// GoogLeNet-style training step on wasm against cpu.
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

type Tf = typeof TfNamespace;
type TensorInfo = TfNamespace.TensorInfo;
type Backend = TfNamespace.KernelBackend;
type Pair = [number, number];

interface Pads {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

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
  // Replacements for kernels wasm has but gets wrong (MaxPoolGrad) or runs slowly
  // (Conv2DBackpropInput).
  const replace = (kernelName: string, kernelFunc: TfNamespace.KernelFunc) => {
    if (tf.getKernel(kernelName, "wasm")) tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  };
  replace("MaxPoolGrad", (args) => maxPoolGrad(tf, args));
  replace("Conv2DBackpropInput", (args) => conv2dBackpropInput(tf, args));
}

/** Calls the wasm backend's own kernels and remembers what to dispose. */
class Ops {
  private readonly temps: TensorInfo[] = [];
  constructor(
    private readonly tf: Tf,
    private readonly backend: Backend,
  ) {}

  run(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
    const kernel = this.tf.getKernel(name, "wasm");
    if (!kernel) throw new Error(`netc: wasm kernel ${name} is missing`);
    const out = kernel.kernelFunc({ inputs, attrs: attrs as TfNamespace.NamedAttrMap, backend: this.backend });
    const info = Array.isArray(out) ? out[0]! : out;
    this.temps.push(info);
    return info;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run("Transpose", { x }, { perm });
  }
  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run("Reshape", { x }, { shape });
  }
  slice(x: TensorInfo, begin: number[], size: number[]): TensorInfo {
    return this.run("Slice", { x }, { begin, size });
  }
  sum(x: TensorInfo, axis: number): TensorInfo {
    return this.run("Sum", { x }, { axis: [axis], keepDims: false });
  }

  /** Pads rows/cols of an NHWC tensor; negative amounts crop instead. Returns the non-negative pads. */
  cropNegative(x: TensorInfo, p: Pads): { x: TensorInfo; pads: Pads } {
    const [n, h, w, c] = x.shape as number[];
    const cropT = Math.max(0, -p.top);
    const cropL = Math.max(0, -p.left);
    const cropB = Math.max(0, -p.bottom);
    const cropR = Math.max(0, -p.right);
    const pads = {
      top: Math.max(0, p.top),
      left: Math.max(0, p.left),
      bottom: Math.max(0, p.bottom),
      right: Math.max(0, p.right),
    };
    if (cropT + cropL + cropB + cropR === 0) return { x, pads };
    const y = this.slice(x, [0, cropT, cropL, 0], [n!, h! - cropT - cropB, w! - cropL - cropR, c!]);
    return { x: y, pads };
  }

  /** Returns `keep` and disposes every other intermediate. */
  finish(keep: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== keep) this.backend.disposeData(t.dataId);
    return keep;
  }
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
  const [kh, kw] = filterShape;
  const s = pair(attrs.strides);
  const d: Pair = [1, 1]; // the kernel has no dilations attribute: tfjs only differentiates undilated convs
  const [, h, w] = x.shape as number[];
  const { pads, outH, outW } = forwardPads(tf, x.shape, filterShape, s, d, attrs.pad, attrs.dimRoundingMode, false);
  const ops = new Ops(tf, args.backend as Backend);
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
  // [KH,KW,Ci,Co] -> flipped -> [KH,KW,Co,Ci]
  const flipped = ops.transpose(ops.run("Reverse", { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
  return ops.finish(inputGradient(ops, dy, flipped, "Conv2D", [inputShape[1], inputShape[2]], [kh!, kw!], s, d, pads, outH, outW));
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

/**
 * MaxPoolGrad with the cpu backend's semantics: each window's gradient goes to its first
 * maximum (row-major), padding never wins. A plain loop over the WASM heap: the work is
 * one pass over the windows, small next to the convolutions around it.
 */
function maxPoolGrad(tf: Tf, args: Parameters<TfNamespace.KernelFunc>[0]): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const attrs = args.attrs as unknown as TfNamespace.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const backend = args.backend as unknown as WasmHeapBackend;
  const out = backend.makeOutput(input.shape, "float32");
  // Views after makeOutput: allocating may grow (and detach) the WASM memory.
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { strideHeight: sh, strideWidth: sw, effectiveFilterHeight: kh, effectiveFilterWidth: kw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const y0 = i * sh - top;
      for (let j = 0; j < ow; j++) {
        const x0 = j * sw - left;
        let first = true;
        for (let r = 0; r < kh; r += dh) {
          const y = y0 + r;
          if (y < 0 || y >= h) continue;
          for (let q = 0; q < kw; q += dw) {
            const xc = x0 + q;
            if (xc < 0 || xc >= w) continue;
            const base = ((b * h + y) * w + xc) * c;
            if (first) {
              // The first in-bounds pixel seeds the maxima; padding never competes.
              first = false;
              for (let ch = 0; ch < c; ch++) {
                best[ch] = x[base + ch]!;
                where[ch] = base + ch;
              }
              continue;
            }
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              // Strictly greater: ties keep the first maximum, as the cpu backend does.
              if (v > best[ch]!) {
                best[ch] = v;
                where[ch] = base + ch;
              }
            }
          }
        }
        if (first) continue;
        const gbase = ((b * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) dx[where[ch]!] += g[gbase + ch]!;
      }
    }
  }
  return out;
}
