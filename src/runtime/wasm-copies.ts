// Faster data-movement kernels for tfjs-backend-wasm 4.22. Its own are correct but
// slow on the shapes of a channels-last CNN:
// - Tile: a per-element C++ loop; batch norm's gradient tiles a [C] vector to the whole
//   feature map (110 ms for [64,28,28,32]). Here: copy once, then double with copyWithin.
// - Concat (channels of an Inception module) and Slice/SplitV (its gradient): a
//   subarray().set() per pixel, i.e. an object allocation per 16 floats. Here: short runs
//   are copied element by element (copyRuns).
// Strings (and anything else without a heap view) go to the original kernels.

import { copyRuns, heap, makeOutput, replaceKernel, type TensorInfo, type Tf } from "./wasm-ops.js";

export function registerWasmCopies(tf: Tf): void {
  replaceKernel(tf, "Tile", (original) => (args) =>
    args.inputs.x!.dtype === "string" ? original(args) : tile(args.backend, args.inputs.x!, args.attrs!.reps as number[]),
  );
  replaceKernel(tf, "Slice", (original) => (args) => {
    const x = args.inputs.x!;
    if (x.dtype === "string") return original(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x, args.attrs!.begin as number[], args.attrs!.size as number[]);
    return slice(args.backend, x, begin, size);
  });
  replaceKernel(tf, "SplitV", (original) => (args) => {
    const x = args.inputs.x!;
    if (x.dtype === "string") return original(args);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as never, args.attrs!.numOrSizeSplits as number[], axis);
    const begin = x.shape.map(() => 0);
    return sizes.map((s) => {
      const size = [...x.shape];
      size[axis] = s;
      const out = slice(args.backend, x, [...begin], size);
      begin[axis]! += s;
      return out;
    });
  });
  replaceKernel(tf, "Concat", (original) => (args) => {
    const inputs = (args.inputs as unknown as TensorInfo[]).filter((t) => t.shape.reduce((a, b) => a * b, 1) > 0);
    if (inputs.length < 2 || inputs[0]!.dtype === "string") return original(args);
    const axis = tf.util.parseAxisParam(args.attrs!.axis as number, inputs[0]!.shape)[0]!;
    return concat(args.backend, inputs, axis, tf.backend_util.computeOutShape(inputs.map((t) => t.shape), axis));
  });
}

/** x repeated reps[i] times along each axis i (tf.tile). */
export function tile(backend: unknown, x: TensorInfo, reps: number[]): TensorInfo {
  const shape = x.shape;
  const outShape = shape.map((d, i) => d * reps[i]!);
  const out = makeOutput(backend, outShape, x.dtype);
  if (outShape.some((d) => d === 0)) return out;
  const src = heap(backend, x);
  const dst = heap(backend, out);
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const inStride = strides(shape);
  const outStride = strides(outShape);
  // Writes the tile of the block at (dim, srcOff) to dstOff: its sub-blocks first, then
  // the whole block repeated reps[dim] times by doubling (each copy is one memmove).
  const fill = (dim: number, srcOff: number, dstOff: number): void => {
    const len = shape[dim]! * outStride[dim]!; // one copy of this block in the output
    if (dim === rank - 1) {
      copyRuns(src, srcOff, 0, dst, dstOff, 0, 1, shape[dim]!);
    } else {
      for (let i = 0; i < shape[dim]!; i++) fill(dim + 1, srcOff + i * inStride[dim]!, dstOff + i * outStride[dim]!);
    }
    const total = len * reps[dim]!;
    for (let done = len; done < total; done *= 2) dst.copyWithin(dstOff + done, dstOff, dstOff + Math.min(done, total - done));
  };
  fill(0, 0, 0);
  return out;
}

function strides(shape: number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/**
 * Copies a box of x. Trailing dimensions taken whole merge into one contiguous run;
 * the leading ones are walked with an odometer.
 */
function slice(backend: unknown, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  const out = makeOutput(backend, size, x.dtype);
  const total = size.reduce((a, b) => a * b, 1);
  if (total === 0) return out;
  const src = heap(backend, x);
  const dst = heap(backend, out);
  const shape = x.shape;
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const st = strides(shape);
  // Dims d+1.. are whole, so each run covers size[d] * st[d] contiguous elements.
  let d = rank - 1;
  while (d > 0 && size[d] === shape[d]) d--;
  const run = size[d]! * st[d]!;
  // The innermost walked dimension becomes the rows of copyRuns; outer ones the odometer.
  const rowDim = d - 1;
  const rows = rowDim >= 0 ? size[rowDim]! : 1;
  const rowStride = rowDim >= 0 ? st[rowDim]! : 0;
  let base = 0;
  for (let k = 0; k < rank; k++) base += begin[k]! * st[k]!;
  const idx = new Array<number>(Math.max(0, rowDim)).fill(0);
  let o = 0;
  for (;;) {
    let off = base;
    for (let k = 0; k < idx.length; k++) off += idx[k]! * st[k]!;
    copyRuns(src, off, rowStride, dst, o, run, rows, run);
    o += rows * run;
    let k = idx.length - 1;
    while (k >= 0 && ++idx[k]! === size[k]) idx[k--] = 0;
    if (k < 0) break;
  }
  return out;
}

/** Each input is [outer, inner_i]; the output row is the inputs' rows side by side. */
function concat(backend: unknown, inputs: TensorInfo[], axis: number, outShape: number[]): TensorInfo {
  const out = makeOutput(backend, outShape, inputs[0]!.dtype);
  const outer = outShape.slice(0, axis).reduce((a, b) => a * b, 1);
  const width = outShape.slice(axis).reduce((a, b) => a * b, 1);
  const dst = heap(backend, out);
  let col = 0;
  for (const t of inputs) {
    const inner = t.shape.slice(axis).reduce((a, b) => a * b, 1);
    copyRuns(heap(backend, t), 0, inner, dst, col, width, outer, inner);
    col += inner;
  }
  return out;
}
