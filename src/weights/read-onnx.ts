// An ONNX model's initializers as weights (what torch.onnx.export writes:
// state_dict names, PyTorch layouts). Initializers are read in the graph's
// order; external data (location, offset, length) is read from files beside
// the model, never from outside its folder.

import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import onnxProto from "onnx-proto";
import { DTYPE_BYTES, isFloat, numel, readWeightBytes, toFloat32, WeightsError, type FileTensor } from "./tensor.js";

const onnx = onnxProto.onnx;
const T = onnx.TensorProto.DataType;
const DTYPES: Record<number, string> = {
  [T.FLOAT]: "float32",
  [T.FLOAT16]: "float16",
  [T.BFLOAT16]: "bfloat16",
  [T.DOUBLE]: "float64",
  [T.INT64]: "int64",
  [T.INT32]: "int32",
};

type Long = number | { toString(): string };
const num = (v: Long | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === "number" ? v : Number(v.toString());

/** Protobuf has no magic number: an ONNX model is whatever decodes as a ModelProto with a graph. */
export function readOnnx(file: string, bytes: Uint8Array): FileTensor[] {
  let model;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new WeightsError(
      `${file}: not a PyTorch checkpoint, safetensors file, ONNX model or tfjs checkpoint (as ONNX: ${(e as Error).message})`,
    );
  }
  if (!model.graph)
    throw new WeightsError(
      `${file}: not a PyTorch checkpoint, safetensors file, ONNX model or tfjs checkpoint (it has no ONNX graph)`,
    );
  const externals = new Map<string, Uint8Array>();
  const out: FileTensor[] = [];
  for (const t of model.graph.initializer ?? []) {
    const name = t.name ?? "";
    const dtype = DTYPES[t.dataType ?? 0];
    if (!dtype)
      throw new WeightsError(
        `${file}: initializer '${name}' has ONNX data type ${t.dataType}; netc reads float, float16, bfloat16, double (and skips int64)`,
      );
    const shape = (t.dims ?? []).map(num);
    const count = numel(shape, file, name);
    if (!isFloat(dtype)) {
      out.push({ name, dtype, shape, data: undefined });
      continue;
    }
    let raw: Uint8Array | undefined;
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
      raw = external(file, name, t.externalData ?? [], externals);
    else if (t.rawData && t.rawData.length > 0) raw = t.rawData;
    let data: Float32Array;
    if (raw) {
      const want = count * DTYPE_BYTES[dtype]!;
      if (raw.length !== want)
        throw new WeightsError(
          `${file}: initializer '${name}' has shape [${shape}] (${want} bytes of ${dtype}) but holds ${raw.length} bytes`,
        );
      data = toFloat32(raw, dtype, count);
    } else {
      const typed = dtype === "float32" ? t.floatData : dtype === "float64" ? t.doubleData : t.int32Data;
      const values = typed ?? [];
      if (values.length !== count)
        throw new WeightsError(
          `${file}: initializer '${name}' has shape [${shape}] (${count} values) but holds ${values.length}`,
        );
      if (dtype === "float32" || dtype === "float64") data = Float32Array.from(values as number[]);
      else {
        // float16 and bfloat16 travel as the low 16 bits of int32_data.
        const bits = new Uint8Array(count * 2);
        const v = new DataView(bits.buffer);
        for (let i = 0; i < count; i++) v.setUint16(i * 2, (values as number[])[i]! & 0xffff, true);
        data = toFloat32(bits, dtype, count);
      }
    }
    out.push({ name, dtype, shape, data });
  }
  return out;
}

function external(
  file: string,
  name: string,
  entries: { key?: string | null; value?: string | null }[],
  cache: Map<string, Uint8Array>,
): Uint8Array {
  const kv = new Map(entries.map((e) => [e.key ?? "", e.value ?? ""]));
  const location = kv.get("location");
  if (!location) throw new WeightsError(`${file}: initializer '${name}' is stored externally but names no location`);
  const rel = normalize(location);
  if (isAbsolute(rel) || rel === ".." || rel.startsWith(`..${sep}`)) {
    throw new WeightsError(
      `${file}: initializer '${name}' points at '${location}', outside the model's folder (refused)`,
    );
  }
  const path = join(dirname(file), rel);
  let bytes = cache.get(path);
  if (!bytes) cache.set(path, (bytes = readWeightBytes(path, `external data of ${file}`)));
  const offset = Number(kv.get("offset") ?? "0");
  const length = kv.has("length") ? Number(kv.get("length")) : bytes.length - offset;
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > bytes.length
  ) {
    throw new WeightsError(
      `${file}: initializer '${name}' asks for bytes ${offset}..${offset + length} of ${path}, which has ${bytes.length}`,
    );
  }
  return bytes.subarray(offset, offset + length);
}
