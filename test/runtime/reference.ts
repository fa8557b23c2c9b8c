// Plain-loop float64 references in NHWC with a batch axis, written independently of the
// runtime (PyTorch semantics, as in the IR). Arrays are flat, row-major.

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
  const [n, h, w, c] = x.shape;
  const [pt, pl, pb, pr] = pads;
  const outLen = (len: number, kk: number, ss: number, before: number, after: number) => {
    const span = len + before + after - kk;
    let o = (ceil ? Math.ceil(span / ss) : Math.floor(span / ss)) + 1;
    if (ceil && (o - 1) * ss >= len + before) o--;
    return o;
  };
  const oh = outLen(h, k[0], s[0], pt, pb);
  const ow = outLen(w, k[1], s[1], pl, pr);
  const shape: [number, number, number, number] = [n, oh, ow, c];
  const y = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          // Window in unpadded coordinates, as PyTorch's kernels compute it.
          const h0 = i * s[0] - pt;
          const w0 = j * s[1] - pl;
          const h1 = Math.min(h0 + k[0], h + pb);
          const w1 = Math.min(w0 + k[1], w + pr);
          let acc = kind === "max" ? -Infinity : 0;
          let real = 0;
          for (let a = Math.max(h0, 0); a < Math.min(h1, h); a++)
            for (let e = Math.max(w0, 0); e < Math.min(w1, w); e++) {
              const v = x.data[at(x.shape, b, a, e, ch)]!;
              acc = kind === "max" ? Math.max(acc, v) : acc + v;
              real++;
            }
          if (kind === "avg") acc /= countIncludePad ? (h1 - h0) * (w1 - w0) : real;
          y[at(shape, b, i, j, ch)] = acc;
        }
  return { shape, data: y };
}

/** PyTorch local_response_norm: window of size//2 channels before and (size-1)//2 after, divided by size. */
export function lrn(x: Nhwc, size: number, alpha: number, beta: number, bias: number): Nhwc {
  const [n, h, w, c] = x.shape;
  const y = new Float64Array(x.data.length);
  for (let p = 0; p < n * h * w; p++)
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let q = ch - Math.floor(size / 2); q <= ch + Math.floor((size - 1) / 2); q++) {
        if (q >= 0 && q < c) sum += x.data[p * c + q]! ** 2;
      }
      y[p * c + ch] = x.data[p * c + ch]! / (bias + (alpha * sum) / size) ** beta;
    }
  return { shape: x.shape, data: y };
}

/** PyTorch AdaptiveAvgPool2d. */
export function adaptiveAvgPool(x: Nhwc, out: [number, number]): Nhwc {
  const [n, h, w, c] = x.shape;
  const shape: [number, number, number, number] = [n, out[0], out[1], c];
  const y = new Float64Array(n * out[0] * out[1] * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < out[0]; i++)
      for (let j = 0; j < out[1]; j++) {
        const h0 = Math.floor((i * h) / out[0]);
        const h1 = Math.ceil(((i + 1) * h) / out[0]);
        const w0 = Math.floor((j * w) / out[1]);
        const w1 = Math.ceil(((j + 1) * w) / out[1]);
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let a = h0; a < h1; a++) for (let e = w0; e < w1; e++) sum += x.data[at(x.shape, b, a, e, ch)]!;
          y[at(shape, b, i, j, ch)] = sum / ((h1 - h0) * (w1 - w0));
        }
      }
  return { shape, data: y };
}

/** Flatten in C, H, W order per image. */
export function flattenChw(x: Nhwc): Float64Array {
  const [n, h, w, c] = x.shape;
  const y = new Float64Array(x.data.length);
  let o = 0;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let a = 0; a < h; a++) for (let e = 0; e < w; e++) y[o++] = x.data[at(x.shape, b, a, e, ch)]!;
  return y;
}
