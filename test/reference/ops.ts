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

export type ActFn = "none" | "relu" | "relu6" | "sigmoid" | "tanh" | "softmax";

/** Softmax runs over axis 0 (channels/features), per spatial position. */
export function activation(x: T, fn: ActFn): T {
  const y = tensor(x.shape, x.data);
  const d = y.data;
  switch (fn) {
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
  const y = tensor(xs[0]!.shape);
  for (const x of xs) for (let i = 0; i < y.data.length; i++) y.data[i] += x.data[i]!;
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
