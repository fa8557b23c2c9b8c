// safetensors: an 8-byte little-endian header length N, N bytes of JSON
// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}),
// then the data. Every entry is checked: a known dtype, a shape whose size
// matches its byte range, ranges inside the data and not overlapping. Tensors
// come back in the order of their data, which is the writer's order (a
// state_dict written in order keeps it; the safetensors library sorts by name,
// and such files need a name map).

import { DTYPE_BYTES, isFloat, numel, toFloat32, WeightsError, type FileTensor } from "./tensor.js";

/** The safetensors library's own limit on the header. */
const MAX_HEADER = 100 * 2 ** 20;

const DTYPES: Record<string, string> = {
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  F64: "float64",
  I64: "int64",
  I32: "int32",
  I16: "int16",
  I8: "int8",
  U8: "uint8",
  BOOL: "bool",
};

/** Looks like safetensors: JSON that opens with '{"' (or '{}') after the 8-byte length, whatever the length claims. */
export function isSafetensors(bytes: Uint8Array): boolean {
  return bytes.length >= 10 && bytes[8] === 0x7b && (bytes[9] === 0x22 || bytes[9] === 0x7d);
}

export function readSafetensors(file: string, bytes: Uint8Array): FileTensor[] {
  const fail = (what: string): never => {
    throw new WeightsError(`${file}: not a valid safetensors file: ${what}`);
  };
  if (bytes.length < 8) fail("shorter than its 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER) fail(`the header declares ${n} bytes (limit ${MAX_HEADER})`);
  if (8 + n > bytes.length)
    fail(`the header declares ${n} bytes but the file has ${bytes.length - 8} after the length`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header is not a JSON object");
  const data = bytes.subarray(8 + n);
  const entries: { t: FileTensor; begin: number; end: number; el: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== "object" || e === null) fail(`entry '${name}' is not an object`);
    const dtype = typeof e.dtype === "string" ? DTYPES[e.dtype] : undefined;
    if (!dtype)
      fail(`entry '${name}' has dtype ${JSON.stringify(e.dtype)}; netc reads ${Object.keys(DTYPES).join(", ")}`);
    if (!Array.isArray(e.shape)) fail(`entry '${name}' has no shape list`);
    const shape = e.shape as number[];
    const count = numel(shape, file, name);
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((x) => Number.isSafeInteger(x) && x >= 0) ||
      off[0] > off[1]
    ) {
      fail(`entry '${name}' has data_offsets ${JSON.stringify(off)}, not [begin, end]`);
    }
    const [begin, end] = off as [number, number];
    if (end > data.length) fail(`entry '${name}' ends at byte ${end} of the data, which has ${data.length}`);
    const el = DTYPE_BYTES[dtype!]!;
    if (end - begin !== count * el)
      fail(
        `entry '${name}' has shape [${shape}] (${count * el} bytes of ${dtype}) but data_offsets span ${end - begin} bytes`,
      );
    entries.push({ t: { name, dtype: dtype!, shape, data: undefined }, begin, end, el });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.begin < entries[i - 1]!.end)
      fail(`entries '${entries[i - 1]!.t.name}' and '${entries[i]!.t.name}' overlap`);
  }
  for (const e of entries) {
    if (isFloat(e.t.dtype)) e.t.data = toFloat32(data.subarray(e.begin, e.end), e.t.dtype, (e.end - e.begin) / e.el);
  }
  return entries.map((e) => e.t);
}
