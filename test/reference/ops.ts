// Independent reference implementations, plain nested loops in float64, one
// image at a time ([C, H, W] or [F]). Written from the frameworks' definitions
// (PyTorch/Caffe), not from any backend's code, so backends can be checked
// against them.

export interface T {
  shape: number[];
  data: Float64Array;
}

export const tensor = (shape: number[], data?: ArrayLike<number>): T => ({
  shape,
  data: data ? Float64Array.from(data) : new Float64Array(shape.reduce((a, b) => a * b, 1)),
});

export interface ConvParams {
  weight: ArrayLike<number>; // [O, C/groups, kh, kw]
  bias?: ArrayLike<number>;
  out: number;
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  pads: [number, number, number, number]; // top, left, bottom, right
  groups: number;
}

export function conv(x: T, p: ConvParams): T {
  const [c, h, w] = x.shape as [number, number, number];
  const [kh, kw] = p.kernel;
  const [t, l, b, r] = p.pads;
  const oh = Math.floor((h + t + b - p.dilation[0] * (kh - 1) - 1) / p.stride[0]) + 1;
  const ow = Math.floor((w + l + r - p.dilation[1] * (kw - 1) - 1) / p.stride[1]) + 1;
  const cg = c / p.groups;
  const og = p.out / p.groups;
  const y = tensor([p.out, oh, ow]);
  for (let o = 0; o < p.out; o++) {
    const g = Math.floor(o / og);
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let s = p.bias ? p.bias[o]! : 0;
        for (let ci = 0; ci < cg; ci++)
          for (let u = 0; u < kh; u++)
            for (let v = 0; v < kw; v++) {
              const yy = i * p.stride[0] - t + u * p.dilation[0];
              const xx = j * p.stride[1] - l + v * p.dilation[1];
              if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
              s += p.weight[((o * cg + ci) * kh + u) * kw + v]! * x.data[((g * cg + ci) * h + yy) * w + xx]!;
            }
        y.data[(o * oh + i) * ow + j] = s;
      }
  }
  return y;
}

/** PyTorch/Caffe output size: ceil mode drops a last window starting in the end padding. */
export function poolSize(n: number, k: number, s: number, head: number, tail: number, ceil: boolean): number {
  const span = n + head + tail - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= n + head) out--;
  return out;
}

export interface PoolParams {
  kernel: [number, number];
  stride: [number, number];
  pads: [number, number, number, number];
  ceil: boolean;
  countIncludePad: boolean;
}

export function pool(x: T, kind: "max" | "avg", p: PoolParams): T {
  const [c, h, w] = x.shape as [number, number, number];
  const [t, l, b, r] = p.pads;
  const oh = poolSize(h, p.kernel[0], p.stride[0], t, b, p.ceil);
  const ow = poolSize(w, p.kernel[1], p.stride[1], l, r, p.ceil);
  const y = tensor([c, oh, ow]);
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        // Window in padded coordinates, clipped to the padded extent (PyTorch).
        const y0 = i * p.stride[0] - t;
        const x0 = j * p.stride[1] - l;
        const y1 = Math.min(y0 + p.kernel[0], h + b);
        const x1 = Math.min(x0 + p.kernel[1], w + r);
        let m = -Infinity;
        let s = 0;
        let n = 0;
        for (let yy = Math.max(y0, 0); yy < Math.min(y1, h); yy++)
          for (let xx = Math.max(x0, 0); xx < Math.min(x1, w); xx++) {
            const v = x.data[(ch * h + yy) * w + xx]!;
            m = Math.max(m, v);
            s += v;
            n++;
          }
        const divisor = p.countIncludePad ? (y1 - y0) * (x1 - x0) : n;
        y.data[(ch * oh + i) * ow + j] = kind === "max" ? m : s / divisor;
      }
  return y;
}

/** PyTorch AdaptiveAvgPool2d: window i spans [floor(i*H/oh), ceil((i+1)*H/oh)). */
export function adaptiveAvgPool(x: T, out: [number, number]): T {
  const [c, h, w] = x.shape as [number, number, number];
  const [oh, ow] = out;
  const y = tensor([c, oh, ow]);
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        const y0 = Math.floor((i * h) / oh);
        const y1 = Math.ceil(((i + 1) * h) / oh);
        const x0 = Math.floor((j * w) / ow);
        const x1 = Math.ceil(((j + 1) * w) / ow);
        let s = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += x.data[(ch * h + yy) * w + xx]!;
        y.data[(ch * oh + i) * ow + j] = s / ((y1 - y0) * (x1 - x0));
      }
  return y;
}

export function globalPool(x: T, kind: "max" | "avg"): T {
  const [c, h, w] = x.shape as [number, number, number];
  const y = tensor([c, 1, 1]);
  for (let ch = 0; ch < c; ch++) {
    let m = -Infinity;
    let s = 0;
    for (let k = 0; k < h * w; k++) {
      m = Math.max(m, x.data[ch * h * w + k]!);
      s += x.data[ch * h * w + k]!;
    }
    y.data[ch] = kind === "max" ? m : s / (h * w);
  }
  return y;
}

/**
 * Caffe LRN across channels: y = x / (bias + alpha/size * sum x²)^beta, the sum
 * over channels c - floor((size-1)/2) .. c + ceil((size-1)/2).
 */
export function lrn(x: T, size: number, alpha: number, beta: number, bias: number): T {
  const c = x.shape[0]!;
  const plane = x.data.length / c;
  const y = tensor(x.shape);
  // PyTorch's placement: size//2 channels before, (size-1)//2 after (the same as
  // Caffe's and ONNX's for the odd sizes they allow).
  const lo = Math.floor(size / 2);
  const hi = Math.floor((size - 1) / 2);
  for (let ch = 0; ch < c; ch++)
    for (let k = 0; k < plane; k++) {
      let sq = 0;
      for (let cc = Math.max(0, ch - lo); cc <= Math.min(c - 1, ch + hi); cc++) sq += x.data[cc * plane + k]! ** 2;
      y.data[ch * plane + k] = x.data[ch * plane + k]! / (bias + (alpha / size) * sq) ** beta;
    }
  return y;
}

export interface BnParams {
  gamma: ArrayLike<number>;
  beta: ArrayLike<number>;
  mean: ArrayLike<number>;
  variance: ArrayLike<number>;
  eps: number;
}

export function batchnorm(x: T, p: BnParams): T {
  const c = x.shape[0]!;
  const plane = x.data.length / c;
  const y = tensor(x.shape);
  for (let ch = 0; ch < c; ch++)
    for (let k = 0; k < plane; k++) {
      const v = x.data[ch * plane + k]!;
      y.data[ch * plane + k] = ((v - p.mean[ch]!) / Math.sqrt(p.variance[ch]! + p.eps)) * p.gamma[ch]! + p.beta[ch]!;
    }
  return y;
}

/**
 * nn.LayerNorm over axis 0 at each position: the channels of each pixel of a
 * [C, H, W] map (LayerNorm2d), or all features of a vector. Biased variance,
 * eps inside the square root; gamma and beta [C].
 */
export function layernorm(x: T, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number): T {
  const c = x.shape[0]!;
  const plane = x.data.length / c;
  const y = tensor(x.shape);
  for (let k = 0; k < plane; k++) {
    let mean = 0;
    for (let ch = 0; ch < c; ch++) mean += x.data[ch * plane + k]!;
    mean /= c;
    let variance = 0;
    for (let ch = 0; ch < c; ch++) variance += (x.data[ch * plane + k]! - mean) ** 2;
    variance /= c;
    for (let ch = 0; ch < c; ch++) y.data[ch * plane + k] = ((x.data[ch * plane + k]! - mean) / Math.sqrt(variance + eps)) * gamma[ch]! + beta[ch]!;
  }
  return y;
}

/** nn.GroupNorm: channels split into `groups` consecutive groups, statistics over each group's channels and pixels. */
export function groupnorm(x: T, groups: number, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps: number): T {
  const c = x.shape[0]!;
  const plane = x.data.length / c;
  const per = c / groups;
  const y = tensor(x.shape);
  for (let g = 0; g < groups; g++) {
    const lo = g * per * plane;
    const hi = (g + 1) * per * plane;
    let mean = 0;
    for (let i = lo; i < hi; i++) mean += x.data[i]!;
    mean /= hi - lo;
    let variance = 0;
    for (let i = lo; i < hi; i++) variance += (x.data[i]! - mean) ** 2;
    variance /= hi - lo;
    for (let i = lo; i < hi; i++) {
      const ch = Math.floor(i / plane);
      y.data[i] = ((x.data[i]! - mean) / Math.sqrt(variance + eps)) * gamma[ch]! + beta[ch]!;
    }
  }
  return y;
}

/** nn.Linear on axis 0 at each pixel of a [C, H, W] map: weight [units, C]; [units, H, W] out. */
export function pixelwiseDense(x: T, weight: ArrayLike<number>, bias: ArrayLike<number> | undefined, units: number): T {
  const [c, h, w] = x.shape as [number, number, number];
  const y = tensor([units, h, w]);
  for (let k = 0; k < h * w; k++)
    for (let u = 0; u < units; u++) {
      let s = bias ? bias[u]! : 0;
      for (let ch = 0; ch < c; ch++) s += weight[u * c + ch]! * x.data[ch * h * w + k]!;
      y.data[u * h * w + k] = s;
    }
  return y;
}

/** C, H, W order. */
export const flatten = (x: T): T => tensor([x.data.length], x.data);

/** weight [units, in]. */
export function dense(x: T, weight: ArrayLike<number>, bias: ArrayLike<number> | undefined, units: number): T {
  const n = x.data.length;
  const y = tensor([units]);
  for (let u = 0; u < units; u++) {
    let s = bias ? bias[u]! : 0;
    for (let i = 0; i < n; i++) s += weight[u * n + i]! * x.data[i]!;
    y.data[u] = s;
  }
  return y;
}

export type ActFn = "none" | "relu" | "relu6" | "sigmoid" | "tanh" | "softmax" | Elementwise;
/** Activations that act on each value alone, with PyTorch's formulas. */
export type Elementwise = "silu" | "gelu" | "hardswish" | "hardsigmoid" | "leakyrelu" | "elu";

/**
 * erf to about 1e-13: its Maclaurin series below |x| = 3, the continued fraction
 * of erfc (Abramowitz & Stegun 7.1.14) above.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (sum * 2) / Math.sqrt(Math.PI);
  }
  let f = 0;
  for (let k = 80; k >= 1; k--) f = k / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/** Test inputs for activations: negative values, both zeros, the kinks (0, -3, 3) and large magnitudes. */
export const activationInputs = [-1e4, -100, -30, -10, -5, -3, -2.5, -1, -0.5, -1e-3, -0, 0, 1e-3, 0.5, 1, 2.5, 3, 5, 10, 30, 100, 1e4];

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const relu6 = (v: number) => Math.min(6, Math.max(0, v));

/** PyTorch's forward of an elementwise activation; `alpha` is leakyrelu's slope or elu's alpha (PyTorch defaults when absent). */
export function elementwise(fn: Elementwise, v: number, alpha?: number): number {
  switch (fn) {
    case "silu":
      return v * sigmoid(v);
    case "gelu":
      return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case "hardswish":
      return (v * relu6(v + 3)) / 6;
    case "hardsigmoid":
      return relu6(v + 3) / 6;
    case "leakyrelu":
      return v > 0 ? v : (alpha ?? 0.01) * v;
    case "elu":
      return v > 0 ? v : (alpha ?? 1) * Math.expm1(v);
  }
}

/** d activation / dx as PyTorch's backward computes it, including its choice at the kinks (x = 0, -3, 3). */
export function elementwiseGrad(fn: Elementwise, v: number, alpha?: number): number {
  switch (fn) {
    case "silu": {
      const s = sigmoid(v);
      return s * (1 + v * (1 - s));
    }
    case "gelu":
      return 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
    case "hardswish":
      return v < -3 ? 0 : v <= 3 ? v / 3 + 0.5 : 1;
    case "hardsigmoid":
      return v > -3 && v < 3 ? 1 / 6 : 0;
    case "leakyrelu":
      return v > 0 ? 1 : (alpha ?? 0.01);
    case "elu":
      return v > 0 ? 1 : (alpha ?? 1) * Math.exp(v);
  }
}

/** Softmax runs over axis 0 (channels/features), per spatial position. */
export function activation(x: T, fn: ActFn, alpha?: number): T {
  const y = tensor(x.shape, x.data);
  const d = y.data;
  switch (fn) {
    case "silu":
    case "gelu":
    case "hardswish":
    case "hardsigmoid":
    case "leakyrelu":
    case "elu":
      for (let i = 0; i < d.length; i++) d[i] = elementwise(fn, d[i]!, alpha);
      return y;
    case "none":
      return y;
    case "relu":
      for (let i = 0; i < d.length; i++) d[i] = Math.max(0, d[i]!);
      return y;
    case "relu6":
      for (let i = 0; i < d.length; i++) d[i] = Math.min(6, Math.max(0, d[i]!));
      return y;
    case "sigmoid":
      for (let i = 0; i < d.length; i++) d[i] = 1 / (1 + Math.exp(-d[i]!));
      return y;
    case "tanh":
      for (let i = 0; i < d.length; i++) d[i] = Math.tanh(d[i]!);
      return y;
    case "softmax": {
      const c = x.shape[0]!;
      const plane = d.length / c;
      for (let k = 0; k < plane; k++) {
        let m = -Infinity;
        for (let ch = 0; ch < c; ch++) m = Math.max(m, x.data[ch * plane + k]!);
        let s = 0;
        for (let ch = 0; ch < c; ch++) s += Math.exp(x.data[ch * plane + k]! - m);
        for (let ch = 0; ch < c; ch++) d[ch * plane + k] = Math.exp(x.data[ch * plane + k]! - m) / s;
      }
      return y;
    }
  }
}

/** Along channels (axis 0). */
export function concat(xs: T[]): T {
  const rest = xs[0]!.shape.slice(1);
  const c = xs.reduce((a, x) => a + x.shape[0]!, 0);
  const y = tensor([c, ...rest]);
  let off = 0;
  for (const x of xs) {
    y.data.set(x.data, off);
    off += x.data.length;
  }
  return y;
}

export function add(xs: T[]): T {
  return broadcastFold(xs, 0, (a, b) => a + b);
}

export function mul(xs: T[]): T {
  return broadcastFold(xs, 1, (a, b) => a * b);
}

/**
 * NumPy broadcasting, by definition: the output takes each dimension's largest
 * size, and an input of size 1 in a dimension is read at index 0 there.
 */
function broadcastFold(xs: T[], start: number, f: (a: number, b: number) => number): T {
  const rank = xs[0]!.shape.length;
  for (const x of xs) if (x.shape.length !== rank) throw new Error(`reference: broadcast of ranks ${xs.map((v) => v.shape.length)}`);
  const shape = xs[0]!.shape.map((_, d) => Math.max(...xs.map((x) => x.shape[d]!)));
  for (const x of xs)
    x.shape.forEach((n, d) => {
      if (n !== 1 && n !== shape[d]) throw new Error(`reference: ${x.shape} does not broadcast to ${shape}`);
    });
  const y = tensor(shape);
  y.data.fill(start);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < y.data.length; i++) {
    let rest = i;
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    let acc = start;
    for (const x of xs) {
      let off = 0;
      for (let d = 0; d < rank; d++) off = off * x.shape[d]! + (x.shape[d] === 1 ? 0 : index[d]!);
      acc = f(acc, x.data[off]!);
    }
    y.data[i] = acc;
  }
  return y;
}

/** Layer scale: channel c (axis 0 of [C,H,W], or feature c of [F]) times scale[c]. */
export function scale(x: T, s: ArrayLike<number>): T {
  const y = tensor(x.shape, x.data);
  const per = y.data.length / x.shape[0]!;
  for (let i = 0; i < y.data.length; i++) y.data[i] *= s[Math.floor(i / per)]!;
  return y;
}

/** Channels [start, end) of a [C, H, W] map: x[:, start:end] in PyTorch. */
export function channelSlice(x: T, start: number, end: number): T {
  const plane = x.shape[1]! * x.shape[2]!;
  return tensor([end - start, x.shape[1]!, x.shape[2]!], x.data.subarray(start * plane, end * plane));
}

/**
 * ShuffleNet's channel shuffle, from its definition (Zhang et al. 2018; PyTorch's
 * channel_shuffle): output channel j*g + i is input channel i*(C/g) + j.
 */
export function channelShuffle(x: T, g: number): T {
  const [c, h, w] = x.shape as [number, number, number];
  const per = c / g;
  const y = tensor([c, h, w]);
  for (let i = 0; i < g; i++)
    for (let j = 0; j < per; j++) y.data.set(x.data.subarray((i * per + j) * h * w, (i * per + j + 1) * h * w), (j * g + i) * h * w);
  return y;
}
