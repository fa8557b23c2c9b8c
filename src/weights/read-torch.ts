// PyTorch checkpoints as torch.save(model.state_dict(), path) writes them since
// PyTorch 1.6: a ZIP holding <archive>/data.pkl (the OrderedDict, pickled) and
// <archive>/data/<key> (each storage's raw little-endian bytes). Tensors are
// views of storages (offset, shape, strides), read into contiguous float32.

import { unpickle, type DictValue, type PickleValue, type TensorRef } from "./read-pickle.js";
import { ZipFile } from "./read-zip.js";
import { contiguous, DTYPE_BYTES, isFloat, numel, toFloat32, WeightsError, type FileTensor } from "./tensor.js";

const MAX_PICKLE = 256 * 2 ** 20;

/** Where training checkpoints keep the model's state_dict. */
const STATE_KEYS = ["state_dict", "model_state_dict", "model"];

export function readTorch(file: string, bytes: Uint8Array): FileTensor[] {
  const zip = new ZipFile(file, bytes);
  const pkl = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkl.length !== 1) {
    throw new WeightsError(
      `${file}: a ZIP but not a PyTorch checkpoint: expected one <archive>/data.pkl entry, found ${pkl.length}`,
    );
  }
  const prefix = pkl[0]!.slice(0, -"data.pkl".length);
  const entry = zip.entries.get(pkl[0]!)!;
  if (entry.size > MAX_PICKLE)
    throw new WeightsError(
      `${file}: data.pkl is ${entry.size} bytes; a state_dict's is far smaller (limit ${MAX_PICKLE})`,
    );
  const top = unpickle(zip.read(pkl[0]!), file);
  if (!isDict(top))
    throw new WeightsError(
      `${file}: the checkpoint holds a ${describe(top)}, not a state_dict (save model.state_dict(), not the model)`,
    );
  // A training checkpoint {"state_dict": ..., "epoch": ...}: the model's part.
  const inner = top.entries.find(([k, v]) => STATE_KEYS.includes(k as string) && isDict(v))?.[1];
  const root = inner && isDict(inner) && top.entries.some(([, v]) => !isTensor(v)) ? inner : top;
  // A budget on materialised elements: a stride-0 view could otherwise ask for far more memory than the file holds.
  let budget = bytes.length + 2 ** 20;
  const out: FileTensor[] = [];
  for (const [k, v] of root.entries) {
    if (typeof k !== "string") throw new WeightsError(`${file}: a state_dict key is a ${describe(k)}, not a name`);
    if (typeof v !== "object" || v === null || Array.isArray(v) || v.kind !== "tensor") {
      throw new WeightsError(
        `${file}: state_dict entry '${k}' is a ${describe(v)}, not a tensor (a training checkpoint? save model.state_dict() itself)`,
      );
    }
    const n = numel(v.shape, file, k);
    if (!isFloat(v.storage.dtype)) {
      out.push({ name: k, dtype: v.storage.dtype, shape: v.shape, data: undefined });
      continue;
    }
    budget -= n;
    if (budget < 0)
      throw new WeightsError(
        `${file}: its tensors hold more elements than the file has bytes (strided views that repeat data?)`,
      );
    out.push({ name: k, dtype: v.storage.dtype, shape: v.shape, data: materialise(zip, prefix, file, k, v, n) });
  }
  return out;
}

function materialise(zip: ZipFile, prefix: string, file: string, name: string, t: TensorRef, n: number): Float32Array {
  const path = `${prefix}data/${t.storage.key}`;
  if (!zip.entries.has(path))
    throw new WeightsError(
      `${file}: tensor '${name}' refers to storage '${t.storage.key}', which the checkpoint lacks`,
    );
  const bytes = zip.read(path);
  const el = DTYPE_BYTES[t.storage.dtype]!;
  const have = Math.floor(bytes.length / el);
  if (have < t.storage.numel)
    throw new WeightsError(
      `${file}: storage '${t.storage.key}' declares ${t.storage.numel} elements but holds ${have}`,
    );
  if (n === 0) return new Float32Array(0);
  // The last element the view touches must lie inside the storage.
  let last = t.offset;
  for (let d = 0; d < t.shape.length; d++) last += (t.shape[d]! - 1) * t.stride[d]!;
  if (last >= t.storage.numel) {
    throw new WeightsError(
      `${file}: tensor '${name}' (shape [${t.shape}], offset ${t.offset}, strides [${t.stride}]) reaches element ${last} of a storage of ${t.storage.numel}`,
    );
  }
  let dense = true;
  for (let d = t.shape.length - 1, s = 1; d >= 0; d--) {
    if (t.shape[d]! !== 1 && t.stride[d]! !== s) dense = false;
    s *= t.shape[d]!;
  }
  if (dense) return contiguous(bytes, t.storage.dtype, n, t.offset);
  const rank = t.shape.length;
  return toFloat32(bytes, t.storage.dtype, n, (i) => {
    let at = t.offset;
    for (let d = rank - 1; d >= 0; d--) {
      const size = t.shape[d]!;
      at += (i % size) * t.stride[d]!;
      i = Math.floor(i / size);
    }
    return at;
  });
}

function isDict(v: PickleValue): v is DictValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "dict";
}

function isTensor(v: PickleValue): v is TensorRef {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "tensor";
}

function describe(v: PickleValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (typeof v === "object") return v.kind;
  return typeof v;
}
