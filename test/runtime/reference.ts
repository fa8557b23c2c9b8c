// Plain-loop float64 references in NHWC with a batch axis, written independently of the
// runtime (PyTorch semantics, as in the IR). Arrays are flat, row-major. Pooling,
// LRN and adaptive pooling adapt the CHW references shared with the ONNX tests.
import * as ref from "../reference/ops.js";

export interface Nhwc {
  shape: [number, number, number, number];
  data: Float64Array;
}

const at = (s: number[], n: number, h: number, w: number, c: number) => ((n * s[1]! + h) * s[2]! + w) * s[3]! + c;

/** Depthwise conv with explicit pads [top, left] (bottom/right implied by out size), strides and dilations. */
export function depthwise(
  x: Nhwc,
  f: { shape: number[]; data: ArrayLike<number> },
  s: [number, number],
  d: [number, number],
  pads: { top: number; left: number; outH: number; outW: number },
): { y: Nhwc; backFilter: (dy: ArrayLike<number>) => Float64Array; backInput: (dy: ArrayLike<number>) => Float64Array } {
  const [n, h, w, c] = x.shape;
  const [kh, kw, , m] = f.shape as [number, number, number, number];
  const { outH, outW } = pads;
  const yShape: [number, number, number, number] = [n, outH, outW, c * m];
  // Every (output, input, weight) triple once; the three products reuse it.
  const visit = (cb: (yi: number, xi: number, fi: number) => void) => {
    for (let b = 0; b < n; b++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++) {
              const ih = oh * s[0] + i * d[0] - pads.top;
              const iw = ow * s[1] + j * d[1] - pads.left;
              if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
              for (let ch = 0; ch < c; ch++)
                for (let q = 0; q < m; q++)
                  cb(at(yShape, b, oh, ow, ch * m + q), at(x.shape, b, ih, iw, ch), ((i * kw + j) * c + ch) * m + q);
            }
  };
  const y = new Float64Array(n * outH * outW * c * m);
  visit((yi, xi, fi) => (y[yi] += x.data[xi]! * f.data[fi]!));
  return {
    y: { shape: yShape, data: y },
    backFilter: (dy) => {
      const g = new Float64Array(kh * kw * c * m);
      visit((yi, xi, fi) => (g[fi] += x.data[xi]! * dy[yi]!));
      return g;
    },
    backInput: (dy) => {
      const g = new Float64Array(n * h * w * c);
      visit((yi, xi, fi) => (g[xi] += f.data[fi]! * dy[yi]!));
      return g;
    },
  };
}

/**
 * Runs a CHW reference op of test/reference/ops.ts (the one definition of each
 * op's semantics in the tests) on every image of an NHWC batch.
 */
function perImage(x: Nhwc, op: (chw: ref.T) => ref.T): Nhwc {
  const [n, h, w, c] = x.shape;
  const images: ref.T[] = [];
  for (let b = 0; b < n; b++) {
    const chw = ref.tensor([c, h, w]);
    for (let a = 0; a < h; a++) for (let e = 0; e < w; e++) for (let ch = 0; ch < c; ch++) chw.data[(ch * h + a) * w + e] = x.data[at(x.shape, b, a, e, ch)]!;
    images.push(op(chw));
  }
  const [oc, oh, ow] = images[0]!.shape as [number, number, number];
  const shape: [number, number, number, number] = [n, oh, ow, oc];
  const y = new Float64Array(n * oh * ow * oc);
  images.forEach((img, b) => {
    for (let ch = 0; ch < oc; ch++) for (let a = 0; a < oh; a++) for (let e = 0; e < ow; e++) y[at(shape, b, a, e, ch)] = img.data[(ch * oh + a) * ow + e]!;
  });
  return { shape, data: y };
}

/** PyTorch pooling with explicit [top, left, bottom, right] pads (asymmetric allowed). */
export function pool(
  x: Nhwc,
  kind: "max" | "avg",
  k: [number, number],
  s: [number, number],
  pads: [number, number, number, number],
  ceil: boolean,
  countIncludePad: boolean,
): Nhwc {
  return perImage(x, (chw) => ref.pool(chw, kind, { kernel: k, stride: s, pads, ceil, countIncludePad }));
}

/** PyTorch local_response_norm (Caffe's alpha, divided by size). */
export function lrn(x: Nhwc, size: number, alpha: number, beta: number, bias: number): Nhwc {
  return perImage(x, (chw) => ref.lrn(chw, size, alpha, beta, bias));
}

/** PyTorch AdaptiveAvgPool2d. */
export function adaptiveAvgPool(x: Nhwc, out: [number, number]): Nhwc {
  return perImage(x, (chw) => ref.adaptiveAvgPool(chw, out));
}
