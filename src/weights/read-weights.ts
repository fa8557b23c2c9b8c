// `--weights FILE|DIR`: which format a path holds, decided by its content, and
// its weights in netc's canonical layout. PyTorch zip checkpoints, safetensors
// and ONNX initializers go through mapWeights (state_dict names and layouts);
// netc's own tfjs checkpoints keep their layer names and tfjs layouts and go
// through the runtime's converter.

import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { IrGraph } from "../ir/graph.js";
import type { WeightSet } from "../ir/weights.js";
import { mapWeights, parseNameMap, type Mapping } from "./map.js";
import { readOnnx } from "./read-onnx.js";
import { isSafetensors, readSafetensors } from "./read-safetensors.js";
import { readTorch } from "./read-torch.js";
import { isZip } from "./read-zip.js";
import { readWeightBytes, WeightsError, type FileTensor, type WeightFormat } from "./tensor.js";

export { WeightsError } from "./tensor.js";

/** torch.save's pre-1.6 format begins with a pickled magic number. */
const LEGACY_TORCH = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** A tfjs checkpoint folder (or its model.json), else undefined. */
function tfjsDir(path: string): string | undefined {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new WeightsError(
      `${path}: cannot read the weights: ${(e as Error).message}`,
      (e as NodeJS.ErrnoException).code ?? "EIO",
    );
  }
  if (st.isDirectory()) {
    if (existsSync(join(path, "model.json"))) return path;
    throw new WeightsError(
      `${path}: a folder without model.json; netc reads a PyTorch checkpoint, a safetensors file, an ONNX model or a tfjs checkpoint folder`,
    );
  }
  return basename(path) === "model.json" ? dirname(path) : undefined;
}

/** The tensors of a PyTorch, safetensors or ONNX file, in the file's order. */
export function readWeightFile(path: string): { format: Exclude<WeightFormat, "tfjs">; tensors: FileTensor[] } {
  const bytes = readWeightBytes(path);
  if (isZip(bytes)) return { format: "pytorch", tensors: readTorch(path, bytes) };
  if (LEGACY_TORCH.every((b, i) => bytes[i] === b)) {
    throw new WeightsError(
      `${path}: a PyTorch checkpoint in the legacy format (before PyTorch 1.6); save it again with torch.save(state_dict, path)`,
    );
  }
  if (isSafetensors(bytes)) return { format: "safetensors", tensors: readSafetensors(path, bytes) };
  return { format: "onnx", tensors: readOnnx(path, bytes) };
}

export interface LoadedWeights {
  format: WeightFormat;
  weights: WeightSet;
  /** Undefined for tfjs checkpoints, which are matched by layer name. */
  mapping?: Mapping;
}

export interface LoadWeightsOptions {
  /** A JSON name map file (see NameMap in map.ts). */
  mapFile?: string;
}

export async function loadWeights(
  path: string,
  graph: IrGraph,
  options: LoadWeightsOptions = {},
): Promise<LoadedWeights> {
  const dir = tfjsDir(path);
  if (dir !== undefined) {
    if (options.mapFile)
      throw new WeightsError(
        `${options.mapFile}: a name map applies to PyTorch, safetensors and ONNX files; ${path} is a tfjs checkpoint, matched by its layer names`,
      );
    const { loadCheckpointWeights } = await import("../runtime/checkpoint.js");
    return { format: "tfjs", weights: loadCheckpointWeights(dir, graph) };
  }
  const map = options.mapFile ? parseNameMap(options.mapFile, readMapText(options.mapFile)) : undefined;
  const { format, tensors } = readWeightFile(path);
  const mapping = mapWeights(graph, path, tensors, map);
  return { format, weights: mapping.weights, mapping };
}

function readMapText(path: string): string {
  const bytes = readWeightBytes(path, "name map");
  if (bytes.length > 16 * 2 ** 20)
    throw new WeightsError(`${path}: a name map of ${bytes.length} bytes (limit 16 MiB)`);
  return bytes.toString("utf8");
}
