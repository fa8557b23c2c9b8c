// Thin helpers over onnx-proto's generated classes (protobufjs 6). Everything
// the emitter writes goes through these, so the wire format is protobufjs's and
// every string is sanitised (onnxString) on its way in.
import onnxProto from "onnx-proto";
import { onnxString } from "./strings.js";

export const onnx = onnxProto.onnx;
export type NodeProto = InstanceType<typeof onnx.NodeProto>;
export type TensorProto = InstanceType<typeof onnx.TensorProto>;
export type ValueInfoProto = InstanceType<typeof onnx.ValueInfoProto>;

export const FLOAT = onnx.TensorProto.DataType.FLOAT;
export const INT64 = onnx.TensorProto.DataType.INT64;

export type AttrValue = number | number[] | string | { float: number };

/** Integers become INT/INTS, `{ float }` a FLOAT (ONNX is strict about the type). */
export function attribute(name: string, value: AttrValue) {
  const A = onnx.AttributeProto.AttributeType;
  name = onnxString(name);
  if (typeof value === "string") return onnx.AttributeProto.create({ name, type: A.STRING, s: Buffer.from(onnxString(value), "utf8") });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: A.INTS, ints: value });
  if (typeof value === "number") return onnx.AttributeProto.create({ name, type: A.INT, i: value });
  return onnx.AttributeProto.create({ name, type: A.FLOAT, f: value.float });
}

export function node(
  opType: string,
  name: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  docString = "",
): NodeProto {
  // Attributes sorted by name: stable bytes whatever order the table wrote them in.
  const attribute_ = Object.keys(attrs)
    .sort()
    .map((k) => attribute(k, attrs[k]!));
  return onnx.NodeProto.create({
    opType,
    name: onnxString(name),
    input: inputs.map(onnxString),
    output: outputs.map(onnxString),
    attribute: attribute_,
    docString: onnxString(docString),
  });
}

/** Little-endian bytes of a float32 tensor (the view shares memory; x86/ARM are little-endian). */
function floatBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  return onnx.TensorProto.create({ name: onnxString(name), dims, dataType: FLOAT, rawData: floatBytes(data) });
}

export function int64Tensor(name: string, dims: number[], values: number[]): TensorProto {
  return onnx.TensorProto.create({ name: onnxString(name), dims, dataType: INT64, int64Data: values });
}

/** A float tensor value with a leading symbolic batch dimension "N". */
/** A value's type; a string dimension is symbolic (dim_param). */
export function valueInfo(name: string, shapeWithoutBatch: (number | string)[], batchParam = "N"): ValueInfoProto {
  const dim = [{ dimParam: onnxString(batchParam) }, ...shapeWithoutBatch.map((d) => (typeof d === "string" ? { dimParam: onnxString(d) } : { dimValue: d }))];
  return onnx.ValueInfoProto.create({
    name: onnxString(name),
    type: { tensorType: { elemType: FLOAT, shape: { dim } } },
  });
}
