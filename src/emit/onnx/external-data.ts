// Moves initializer bytes out of the protobuf (which cannot exceed 2 GB) into
// a side file, as ONNX's external-data convention describes: each tensor gets
// data_location=EXTERNAL and location/offset/length entries.
import { onnx, type TensorProto } from "./proto.js";
import { onnxString } from "./strings.js";

/** Offsets aligned to a page so runtimes can mmap tensors directly. */
export const EXTERNAL_ALIGNMENT = 4096;
/** Tensors smaller than this (scalars) stay inline; ONNX's own tools do the same. */
const MIN_EXTERNAL_BYTES = 16;

export function initializerBytes(tensors: TensorProto[]): number {
  let total = 0;
  for (const t of tensors) total += t.rawData?.byteLength ?? 0;
  return total;
}

/** Rewrites the tensors in place and returns the side file's bytes. */
export function externalize(tensors: TensorProto[], location: string): Uint8Array {
  const align = (n: number) => Math.ceil(n / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
  const moved = tensors.filter((t) => (t.rawData?.byteLength ?? 0) >= MIN_EXTERNAL_BYTES);
  let size = 0;
  const offsets: number[] = [];
  for (const t of moved) {
    size = align(size);
    offsets.push(size);
    size += t.rawData.byteLength;
  }
  const data = new Uint8Array(size);
  moved.forEach((t, i) => {
    const offset = offsets[i]!;
    data.set(t.rawData, offset);
    t.externalData = [
      { key: "location", value: onnxString(location) },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(t.rawData.byteLength) },
    ];
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.rawData = new Uint8Array(0);
  });
  return data;
}
