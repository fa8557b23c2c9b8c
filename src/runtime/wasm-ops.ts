// Shared plumbing for netc's wasm kernels: calling the backend's own kernels with
// cleanup (Ops), direct access to tensors on the WASM heap, and replacing a kernel
// while keeping the original as a fallback.

import type * as TfNamespace from "@tensorflow/tfjs";

export type Tf = typeof TfNamespace;
export type TensorInfo = TfNamespace.TensorInfo;
export type Backend = TfNamespace.KernelBackend;
export type KernelArgs = Parameters<TfNamespace.KernelFunc>[0];

export interface Pads {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** The parts of tfjs-backend-wasm's BackendWasm that the JS kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: TfNamespace.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object): boolean;
}

export type Numeric = Float32Array | Int32Array | Uint8Array;

/** Heap view of a tensor. Fetch views after every makeOutput: growing WASM memory detaches them. */
export function heap(backend: unknown, t: TensorInfo): Numeric {
  return (backend as WasmHeapBackend).typedArrayFromHeap(t);
}

export function dispose(backend: unknown, t: TensorInfo): void {
  (backend as WasmHeapBackend).disposeData(t.dataId);
}

export function makeOutput(backend: unknown, shape: number[], dtype: TfNamespace.DataType): TensorInfo {
  return (backend as WasmHeapBackend).makeOutput(shape, dtype);
}

const replaced = Symbol.for("netc.wasmReplaced");

/**
 * Replaces a wasm kernel, keeping its setupFunc (tfjs runs it when the backend
 * initialises; without it the original's cwrapped C++ entry stays unset) and handing
 * the original kernelFunc to the replacement as its fallback.
 */
export function replaceKernel(
  tf: Tf,
  kernelName: string,
  make: (original: TfNamespace.KernelFunc) => TfNamespace.KernelFunc,
): void {
  const original = tf.getKernel(kernelName, "wasm") as (TfNamespace.KernelConfig & { [replaced]?: true }) | undefined;
  if (!original) throw new Error(`netc: wasm kernel ${kernelName} is missing`);
  if (original[replaced]) return; // another copy of netc's runtime got here first
  tf.unregisterKernel(kernelName, "wasm");
  tf.registerKernel({ ...original, kernelFunc: make(original.kernelFunc), [replaced]: true } as TfNamespace.KernelConfig);
}

/**
 * Copies `rows` runs of `len` elements. Short runs are copied element by element:
 * subarray() allocates an object per call, which costs more than a few dozen floats.
 */
export function copyRuns(
  src: Numeric,
  srcOff: number,
  srcStride: number,
  dst: Numeric,
  dstOff: number,
  dstStride: number,
  rows: number,
  len: number,
): void {
  if (rows === 1 || (srcStride === len && dstStride === len)) {
    dst.set(src.subarray(srcOff, srcOff + rows * len), dstOff);
  } else if (len >= 64) {
    for (let r = 0; r < rows; r++) dst.set(src.subarray(srcOff + r * srcStride, srcOff + r * srcStride + len), dstOff + r * dstStride);
  } else if (src instanceof Float32Array && dst instanceof Float32Array) {
    copyShortF32(src, srcOff, srcStride, dst, dstOff, dstStride, rows, len);
  } else {
    copyShort(src, srcOff, srcStride, dst, dstOff, dstStride, rows, len);
  }
}

// Two copies of one loop: V8 optimises an element access for the array types it has
// seen there, and float32 (nearly every call) stays fast only if it sees nothing else.
function copyShortF32(src: Float32Array, so: number, ss: number, dst: Float32Array, d0: number, ds: number, rows: number, len: number): void {
  for (let r = 0; r < rows; r++) {
    const s = so + r * ss;
    const d = d0 + r * ds;
    for (let i = 0; i < len; i++) dst[d + i] = src[s + i]!;
  }
}

function copyShort(src: Numeric, so: number, ss: number, dst: Numeric, d0: number, ds: number, rows: number, len: number): void {
  for (let r = 0; r < rows; r++) {
    const s = so + r * ss;
    const d = d0 + r * ds;
    for (let i = 0; i < len; i++) dst[d + i] = src[s + i]!;
  }
}

/** Calls the wasm backend's own kernels and remembers what to dispose. */
export class Ops {
  private readonly temps: TensorInfo[] = [];
  constructor(
    private readonly tf: Tf,
    readonly backend: Backend,
  ) {}

  run(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
    const kernel = this.tf.getKernel(name, "wasm");
    if (!kernel) throw new Error(`netc: wasm kernel ${name} is missing`);
    const out = kernel.kernelFunc({ inputs, attrs: attrs as TfNamespace.NamedAttrMap, backend: this.backend });
    const info = Array.isArray(out) ? out[0]! : out;
    this.temps.push(info);
    return info;
  }

  /** A new float32 tensor filled with `value`, disposed by finish(). */
  filled(shape: number[], value: number): TensorInfo {
    const t = makeOutput(this.backend, shape, "float32");
    heap(this.backend, t).fill(value);
    this.temps.push(t);
    return t;
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
  matMul(a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
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
