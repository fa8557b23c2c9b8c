// Window geometry, written once: TF's 'same' split, convolution and pooling
// output sizes (PyTorch/Caffe ceil rule), average-pool divisors, PyTorch's
// adaptive windows and LRN's channel window. The checker computes the IR with
// these; the emitters and the runtime use them to reproduce the IR exactly, so
// a convention cannot drift between backends. Pure arithmetic, one axis at a time.

/** Extent of a dilated kernel: d * (k - 1) + 1. */
export function effectiveKernel(kernel: number, dilation = 1): number {
  return dilation * (kernel - 1) + 1;
}

/** Output size of TF's 'same' padding: ceil(in / stride), whatever the kernel. */
export function sameOut(input: number, stride: number): number {
  return Math.ceil(input / stride);
}

/** TF-style 'same' padding for one axis: out = ceil(in / stride), the extra pixel at the end. */
export function samePads(input: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = sameOut(input, stride);
  const total = Math.max((out - 1) * stride + effectiveKernel(kernel, dilation) - input, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Convolution output size (floor), as every framework computes it. */
export function convOut(input: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((input + before + after - effectiveKernel(kernel, dilation)) / stride) + 1;
}

/**
 * Pooling output size as PyTorch and Caffe compute it (the IR's size): with ceil
 * rounding the last window is dropped when it would start inside the end padding.
 * onnxruntime's ceil_mode computes the same.
 */
export function poolOut(input: number, kernel: number, stride: number, before: number, after: number, ceil: boolean): number {
  let out = ceil ? poolOutNoDrop(input, kernel, stride, before, after) : convOut(input, kernel, stride, 1, before, after);
  if (ceil && (out - 1) * stride >= input + before) out -= 1;
  return out;
}

/** Ceil rounding without the drop rule: the ONNX spec's ceil_mode formula (and ONNX shape inference). */
export function poolOutNoDrop(input: number, kernel: number, stride: number, before: number, after: number): number {
  return Math.ceil((input + before + after - kernel) / stride) + 1;
}

/**
 * How many pixels to add (positive) or remove (negative) after the input along one
 * axis so that valid windows produce exactly `out` outputs and read nothing beyond
 * the last: the end padding a ceil-mode overhang needs.
 */
export function tailPad(input: number, kernel: number, stride: number, before: number, out: number): number {
  return (out - 1) * stride + kernel - before - input;
}

/**
 * Per-window divisors of an average pool along one axis, as PyTorch computes them:
 * with countIncludePad the window is clipped to the padded border (so a ceil-mode
 * overhang beyond it does not count), otherwise to the real input.
 */
export function avgDivisors(
  input: number,
  kernel: number,
  stride: number,
  before: number,
  after: number,
  out: number,
  countIncludePad: boolean,
): number[] {
  const counts: number[] = [];
  for (let i = 0; i < out; i++) {
    let start = i * stride - before;
    let end = Math.min(start + kernel, input + after);
    if (!countIncludePad) {
      start = Math.max(start, 0);
      end = Math.min(end, input);
    }
    counts.push(Math.max(end - start, 0));
  }
  return counts;
}

/**
 * PyTorch's adaptive window i of `out` over `input`: [floor(i*in/out), ceil((i+1)*in/out)).
 * Integer arithmetic, as PyTorch does it: i * in may pass 2^53.
 */
export function adaptiveWindow(i: number, input: number, out: number): [number, number] {
  const [n, o] = [BigInt(input), BigInt(out)];
  return [Number((BigInt(i) * n) / o), Number((BigInt(i + 1) * n + o - 1n) / o)];
}

/** The window when adaptive pooling is a plain average pool (input divisible by out: equal, disjoint windows). */
export function adaptiveUniformKernel(input: number, out: number): number | undefined {
  return input % out === 0 ? input / out : undefined;
}

/**
 * [out, input] row-major (or [input, out] when `transposed`): row i averages
 * adaptive window i, so averaging an axis is one matrix product.
 */
export function averagingMatrix(input: number, out: number, transposed: boolean): Float32Array {
  const m = new Float32Array(input * out);
  for (let i = 0; i < out; i++) {
    const [start, end] = adaptiveWindow(i, input, out);
    for (let j = start; j < end; j++) m[transposed ? j * out + i : i * input + j] = 1 / (end - start);
  }
  return m;
}

/** LRN's channel window, PyTorch's placement: channels c - before .. c + after (centred for odd sizes). */
export function lrnWindow(size: number): [number, number] {
  return [Math.floor(size / 2), Math.floor((size - 1) / 2)];
}
