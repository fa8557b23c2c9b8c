// The model's input name and per-image shape, read from the ONNX graph
// (symbolic or missing dims after the batch are an error: we need a size).
import { readFileSync } from "node:fs";
import onnxProto from "onnx-proto";
import type { Preprocess } from "../ir/graph.js";

export interface ModelInput {
  name: string;
  /** Without the batch dimension. */
  shape: number[];
  /** The spec's input preprocessing as netc recorded it, and whether the graph applies it itself. */
  preprocess?: Preprocess & { inGraph: boolean };
}

export function readModelInput(path: string): ModelInput {
  const m = onnxProto.onnx.ModelProto.decode(readFileSync(path));
  const inits = new Set((m.graph?.initializer ?? []).map((t) => t.name));
  const input = (m.graph?.input ?? []).find((i) => !inits.has(i.name ?? ""));
  if (!input) throw new Error(`${path}: the model has no input`);
  const dims = input.type?.tensorType?.shape?.dim ?? [];
  let shape = dims.slice(1).map((d) => Number(d.dimValue ?? 0));
  // compile --dynamic-size: symbolic height and width, and the spec's size beside them.
  const written = (m.metadataProps ?? []).find((p) => p.key === "netc.input_shape")?.value;
  if (shape.some((d) => !(d > 0)) && written && /^\d+(x\d+)*$/.test(written) && written.split("x").length === shape.length) {
    const fixed = written.split("x").map(Number);
    shape = shape.map((d, i) => (d > 0 ? d : fixed[i]!));
  }
  if (shape.some((d) => !(d > 0))) throw new Error(`${path}: input '${input.name}' has no fixed size after the batch dimension`);
  const entry = (m.metadataProps ?? []).find((p) => p.key === "netc.preprocess");
  let preprocess: ModelInput["preprocess"];
  if (entry?.value) {
    try {
      preprocess = JSON.parse(entry.value) as ModelInput["preprocess"];
    } catch {
      throw new Error(`${path}: its netc.preprocess metadata is not JSON`);
    }
  }
  return preprocess ? { name: input.name!, shape, preprocess } : { name: input.name!, shape };
}
