// What every weight reader returns: a file's tensors in the file's order, as
// float32, with the file's own names. Readers trust nothing in a file: sizes are
// checked against the bytes actually there before anything is allocated, and
// every refusal is a WeightsError naming the file and what is wrong.

import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";

export interface FileTensor {
  /** The file's name for it (a state_dict key, a safetensors key, an ONNX initializer). */
  name: string;
  /** float32 / float16 / bfloat16 / float64 become float32; integer tensors (num_batches_tracked) are not read. */
  dtype: string;
  shape: number[];
  /** Undefined for integer tensors, which no netc weight is. */
  data: Float32Array | undefined;
}

export type WeightFormat = "pytorch" | "safetensors" | "onnx" | "tfjs";

export class WeightsError extends Error {
  /** The file-system error code (ENOENT...) when the file could not be read at all: the CLI exits 2 for those. */
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Node cannot hold more in one Buffer; larger checkpoints are refused, never half read. */
export const MAX_WEIGHT_FILE = 2 ** 31 - 1;

/** Reads a whole regular file of at most MAX_WEIGHT_FILE bytes; never blocks on a FIFO or device. */
export function readWeightBytes(path: string, what = "checkpoint"): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new WeightsError(
      `${path}: cannot read the ${what}: ${(e as Error).message}`,
      (e as NodeJS.ErrnoException).code ?? "EIO",
    );
  }
  if (!st.isFile()) throw new WeightsError(`${path}: the ${what} is not a regular file`, "EFTYPE");
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const size = fstatSync(fd).size;
    if (!fstatSync(fd).isFile()) throw new WeightsError(`${path}: the ${what} is not a regular file`, "EFTYPE");
    if (size > MAX_WEIGHT_FILE)
      throw new WeightsError(`${path}: the ${what} is ${size} bytes; netc reads files up to ${MAX_WEIGHT_FILE} bytes`);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    if (off !== size) throw new WeightsError(`${path}: the ${what} shrank while being read`);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** Bytes per element of the dtypes netc reads (its own names: float32, float16, bfloat16, float64, int64, ...). */
export const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export const isFloat = (dtype: string) =>
  dtype === "float32" || dtype === "float16" || dtype === "bfloat16" || dtype === "float64";

/** Product of a shape, refusing negative, fractional or absurd sizes before anything is allocated. */
export function numel(shape: number[], file: string, name: string): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new WeightsError(`${file}: tensor '${name}' has an invalid size ${String(d)} in its shape`);
    n *= d;
    if (n > 2 ** 40) throw new WeightsError(`${file}: tensor '${name}' declares more than 2^40 elements`);
  }
  return n;
}

/**
 * Little-endian elements `index(i)` (element positions, not bytes) of `bytes` as float32.
 * `index` maps an output position to a storage element, for strided views.
 */
export function toFloat32(
  bytes: Uint8Array,
  dtype: string,
  count: number,
  index?: (i: number) => number,
): Float32Array {
  if (!index) return contiguous(bytes, dtype, count, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case "float32":
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(index(i) * 4, true);
      break;
    case "float64":
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(index(i) * 8, true);
      break;
    case "float16":
      for (let i = 0; i < count; i++) out[i] = half(view.getUint16(index(i) * 2, true));
      break;
    case "bfloat16": {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        f.setUint32(0, view.getUint16(index(i) * 2, true) << 16);
        out[i] = f.getFloat32(0);
      }
      break;
    }
    default:
      throw new Error(`netc: toFloat32 asked for ${dtype}`);
  }
  return out;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `count` elements from element `start` on: float32 is one copy (the hot path: whole checkpoints). */
export function contiguous(bytes: Uint8Array, dtype: string, count: number, start: number): Float32Array {
  if (dtype === "float32" && littleEndian) {
    const from = bytes.byteOffset + start * 4;
    return new Float32Array(bytes.buffer.slice(from, from + count * 4));
  }
  return toFloat32(bytes, dtype, count, (i) => start + i);
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
