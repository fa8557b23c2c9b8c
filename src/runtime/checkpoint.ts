// Checkpoints in the tfjs layers format (model.json + weights.bin), read and
// written with plain fs: tfjs's file:// handler only exists in tfjs-node. Both
// files are written atomically, so an interrupted save leaves the previous
// checkpoint intact.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as tfjs from "@tensorflow/tfjs";
import type { IrGraph } from "../ir/graph.js";
import type { WeightSet } from "../ir/weights.js";
import { writeFilesAtomic } from "../util/atomic-write.js";
import { fromTfjsWeights, toTfjsWeights, type NamedTensor } from "./checkpoint-layout.js";

export { featureOrder, fromTfjsWeights, toTfjsWeights, type NamedTensor } from "./checkpoint-layout.js";

type Tf = typeof tfjs;

const MODEL_JSON = "model.json";
const WEIGHTS_BIN = "weights.bin";

/** A tfjs IOHandler that saves to DIR/model.json + DIR/weights.bin. */
export function fileSaver(dir: string, metadata?: Record<string, unknown>): tfjs.io.IOHandler {
  return {
    async save(artifacts: tfjs.io.ModelArtifacts): Promise<tfjs.io.SaveResult> {
      const data = joinBuffers(artifacts.weightData);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: "netc",
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
        ...(metadata ? { userDefinedMetadata: metadata } : {}),
      };
      const text = JSON.stringify(json);
      await writeFilesAtomic([
        { path: join(dir, WEIGHTS_BIN), data: new Uint8Array(data) },
        { path: join(dir, MODEL_JSON), data: text },
      ]);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: text.length,
          weightDataBytes: data.byteLength,
        },
      };
    },
  };
}

/** A tfjs IOHandler that loads DIR/model.json and its weight files. */
export function fileLoader(dir: string): tfjs.io.IOHandler {
  return { load: async () => readArtifacts(dir) };
}

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  weightsManifest?: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

function readArtifacts(dir: string): tfjs.io.ModelArtifacts {
  const path = join(dir, MODEL_JSON);
  if (!existsSync(path)) throw new Error(`no checkpoint at ${dir}: ${path} does not exist (expected a tfjs model.json)`);
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(path, "utf8")) as ModelJson;
  } catch (e) {
    throw new Error(`netc: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!json.weightsManifest) throw new Error(`netc: ${path} has no weightsManifest; is it a tfjs layers model?`);
  const specs: tfjs.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const file = join(dir, p);
      if (!existsSync(file)) throw new Error(`netc: ${path} refers to ${p}, which is missing`);
      buffers.push(readFileSync(file));
    }
  }
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) {
    weightData.set(b, off);
    off += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology as tfjs.io.ModelArtifacts["modelTopology"],
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? undefined,
    weightSpecs: specs,
    weightData: weightData.buffer,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
  };
}

/** Every float32 weight of a checkpoint by its tfjs name, without loading tfjs. */
export function readCheckpointTensors(dir: string): Map<string, NamedTensor> {
  const art = readArtifacts(dir);
  const buf = art.weightData as ArrayBuffer;
  const out = new Map<string, NamedTensor>();
  let off = 0;
  for (const spec of art.weightSpecs ?? []) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.dtype !== "float32" || spec.quantization) {
      throw new Error(`netc: checkpoint weight '${spec.name}' is ${spec.quantization ? "quantized" : spec.dtype}; netc reads float32 only`);
    }
    if (off + n * 4 > buf.byteLength) throw new Error(`netc: ${join(dir, WEIGHTS_BIN)} is shorter than model.json says`);
    out.set(spec.name, { shape: [...spec.shape], data: new Float32Array(buf.slice(off, off + n * 4)) });
    off += n * 4;
  }
  return out;
}

/** A checkpoint's weights in netc's canonical layout (for `netc compile --target onnx --weights`). */
export function loadCheckpointWeights(dir: string, graph: IrGraph): WeightSet {
  return fromTfjsWeights(graph, readCheckpointTensors(dir));
}

/** Saves the model (normally the inference model) to DIR atomically. */
export async function saveCheckpoint(model: tfjs.LayersModel, dir: string, metadata?: Record<string, unknown>): Promise<void> {
  await model.save(fileSaver(dir, metadata));
}

/** Loads a saved model; netc's custom layers must be registered (loadTf does it). */
export async function loadCheckpointModel(tf: Tf, dir: string): Promise<tfjs.LayersModel> {
  return tf.loadLayersModel(fileLoader(dir));
}

/** Writes canonical weights into a model built from the same graph. */
export function setModelWeights(tf: Tf, model: tfjs.LayersModel, graph: IrGraph, weights: WeightSet): void {
  setNamedWeights(tf, model, toTfjsWeights(graph, weights));
}

/** Writes tfjs-named weights into every layer that has them. */
function setNamedWeights(tf: Tf, model: tfjs.LayersModel, named: Map<string, NamedTensor>): void {
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((v) => {
      const t = named.get(v.originalName);
      if (!t) throw new Error(`netc: no value for weight '${v.originalName}'`);
      return tf.tensor(t.data, t.shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** The model's weights in the canonical layout. */
export function getModelWeights(model: tfjs.LayersModel, graph: IrGraph): WeightSet {
  const named = new Map<string, NamedTensor>();
  for (const v of model.weights) named.set(v.originalName, { shape: [...v.shape] as number[], data: v.read().dataSync() as Float32Array });
  return fromTfjsWeights(graph, named);
}

function joinBuffers(data: tfjs.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  if (!Array.isArray(data)) return data;
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let off = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), off);
    off += b.byteLength;
  }
  return out.buffer;
}
