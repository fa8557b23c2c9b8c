// The comparison behind `netc verify`, usable from tests without the CLI: the
// tfjs model (built in-process from the one layer plan) against the ONNX model on
// onnxruntime, same weights, same batch. It sits on top of both emitters and the
// runtime; none of them knows about it. tfjs and onnxruntime load only when it runs.

import type * as tfjs from "@tensorflow/tfjs";
import type { IrGraph } from "../ir/graph.js";
import { initWeights, rng, type WeightSet } from "../ir/weights.js";
import { emitOnnx } from "../emit/onnx/index.js";
import { buildFromPlan } from "../emit/tfjs/build.js";
import { planModel } from "../emit/tfjs/plan.js";

export interface VerifyOptions {
  /** Weights: a PyTorch checkpoint, safetensors, ONNX or tfjs checkpoint; undefined = initWeights(graph, seed). */
  weights?: string;
  /** A JSON name map for --weights (src/weights/map.ts). */
  weightsMap?: string;
  seed: number;
  batch: number;
  /** No backend notice on stderr (JSON output). */
  quiet?: boolean;
}

export interface VerifyResult {
  maxAbsDiff: number;
  /** With the batch, in the IR's layout (N, C, H, W or N, F). */
  outputShape: number[];
  /** tfjs backend that ran the tfjs side ("wasm", "tensorflow", "cpu"). */
  backend: string;
  batch: number;
  seed: number;
  weights: "random" | "checkpoint";
  /** Largest |output| seen, to judge the difference against. */
  maxAbsOutput: number;
  /**
   * How far the ONNX output moves when every input value and every weight is
   * nudged by one float32 ulp (seeded signs): what float32 can determine of this
   * output at all. Tiny for
   * well-conditioned networks; on EfficientNetV2-S's 40 random-weight blocks the
   * activations grow to ~1e4 and each squeeze-and-excitation sigmoid turns their
   * rounding into gate errors, so the 224x224 logits move by ~60% of their size.
   */
  noiseFloor: number;
}

/** Relative limit: float32 sums of the same terms in another order differ in proportion to their size. */
export const VERIFY_TOLERANCE = 1e-4;
/** Two backends round differently (order of sums, fused kernels): tfjs and ONNX measured 0.6-4x the noise floor on EfficientNetV2-S. */
export const NOISE_MARGIN = 10;

/**
 * The largest |tfjs - onnx| that still means agreement: 1e-4, relative above
 * outputs of 1, or NOISE_MARGIN x the noise floor where the output itself is
 * that sensitive to float32 rounding (an ill-conditioned network at these weights).
 */
export function verifyLimit(r: Pick<VerifyResult, "maxAbsOutput" | "noiseFloor">): number {
  return Math.max(VERIFY_TOLERANCE * Math.max(1, r.maxAbsOutput), NOISE_MARGIN * r.noiseFloor);
}

export async function verifyGraph(graph: IrGraph, opts: VerifyOptions): Promise<VerifyResult> {
  const runtime = await import("../runtime/index.js");
  const { loadCheckpointModel, setModelWeights } = await import("../runtime/checkpoint.js");
  const tf = await runtime.loadTf({ quiet: opts.quiet ?? false });

  let model: tfjs.LayersModel;
  let weights;
  if (opts.weights) {
    const { loadWeights } = await import("../weights/read-weights.js");
    const loaded = await loadWeights(opts.weights, graph, { mapFile: opts.weightsMap });
    weights = loaded.weights;
    if (loaded.format === "tfjs") {
      model = await loadCheckpointModel(tf, opts.weights);
    } else {
      model = buildFromPlan(tf, planModel(graph), runtime).inference;
      setModelWeights(tf, model, graph, weights);
    }
  } else {
    model = buildFromPlan(tf, planModel(graph), runtime).inference;
    weights = initWeights(graph, opts.seed);
    setModelWeights(tf, model, graph, weights);
  }

  // The batch, NCHW for ONNX; tfjs gets the same values transposed to NHWC.
  const inShape = [opts.batch, ...graph.inputShape];
  const count = inShape.reduce((a, b) => a * b, 1);
  const next = rng(opts.seed + 0x9e3779b9);
  const data = Float32Array.from({ length: count }, () => next());

  const tfOut = tf.tidy(() => {
    let x = tf.tensor(data, inShape);
    if (inShape.length === 4) x = tf.transpose(x, [0, 2, 3, 1]);
    let y = model.predict(x) as tfjs.Tensor;
    if (y.rank === 4) y = tf.transpose(y, [0, 3, 1, 2]);
    return y;
  });
  const tfValues = (await tfOut.data()) as Float32Array;
  const tfShape = tfOut.shape;
  tfOut.dispose();

  const { values: onnxValues, shape: onnxShape, nudged: nudgedValues } = await onnxReference(graph, weights, data, inShape, opts.seed);
  if (onnxShape.join() !== tfShape.join()) {
    throw new Error(`output shapes differ: tfjs [${tfShape}] (as NCHW), onnx [${onnxShape}]`);
  }
  const { maxAbsDiff, maxAbsOutput, noiseFloor } = compare(tfValues, onnxValues, nudgedValues);
  return {
    maxAbsDiff,
    outputShape: onnxShape,
    backend: tf.getBackend(),
    batch: opts.batch,
    seed: opts.seed,
    weights: opts.weights ? "checkpoint" : "random",
    maxAbsOutput,
    noiseFloor,
  };
}

/**
 * netc's ONNX model (weights in the graph, no preprocessing, sizes as `netc compile`
 * writes them) on onnxruntime for this batch, and its output when every input value
 * and every weight is nudged by one float32 ulp (seeded signs): the noise floor.
 */
export async function onnxReference(
  graph: IrGraph,
  weights: WeightSet,
  data: Float32Array,
  inShape: number[],
  seed: number,
): Promise<{ values: Float32Array; shape: number[]; nudged: Float32Array }> {
  const ort = await import("onnxruntime-node");
  // The tfjs model takes preprocessed input (its data pipeline applies the spec's
  // preprocessing), so both models are compared on the same preprocessed batch.
  // Sizes as `netc compile` writes them by default: symbolic where the network allows.
  const { model: bytes } = emitOnnx(graph, { weights, preprocess: false, size: "auto" });
  const session = await ort.InferenceSession.create(bytes);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", data, inShape) };
  const result = await session.run(feeds);
  const onnxOut = result[session.outputNames[0]!]!;
  const onnxValues = onnxOut.data as Float32Array;
  // One ulp either way on every input value and every weight: exactly representable
  // changes of the size of the rounding each layer does.
  const sign = rng(seed + 0x7f4a7c15);
  const nudge = (a: Float32Array) => Float32Array.from(a, (v) => v * (1 + (sign() < 0.5 ? -1 : 1) * 2 ** -23));
  const nudgedWeights: WeightSet = new Map(
    [...weights].map(([name, w]) => [name, Object.fromEntries(Object.entries(w).map(([k, a]) => [k, a instanceof Float32Array ? nudge(a) : a]))]),
  );
  const nudgedSession = await ort.InferenceSession.create(emitOnnx(graph, { weights: nudgedWeights, preprocess: false, size: "auto" }).model);
  const nudgedOut = (await nudgedSession.run({ [nudgedSession.inputNames[0]!]: new ort.Tensor("float32", nudge(data), inShape) }))[nudgedSession.outputNames[0]!]!;
  const nudgedValues = nudgedOut.data as Float32Array;
  await nudgedSession.release();
  await session.release();

  return { values: onnxValues, shape: [...onnxOut.dims].map(Number), nudged: nudgedValues };
}

/** Largest difference (NaN on either side is Infinity), largest |reference|, and the noise floor. */
export function compare(values: Float32Array, reference: Float32Array, nudged: Float32Array): { maxAbsDiff: number; maxAbsOutput: number; noiseFloor: number } {
  let maxAbsDiff = 0;
  let maxAbsOutput = 0;
  let noiseFloor = 0;
  for (let i = 0; i < values.length; i++) {
    const d = Math.abs(values[i]! - reference[i]!);
    // NaN on either side is a failure, not a zero difference.
    maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    maxAbsOutput = Math.max(maxAbsOutput, Math.abs(reference[i]!));
    const n = Math.abs(nudged[i]! - reference[i]!);
    // NaN (or an infinite output) must not raise the limit: the difference already fails.
    if (Number.isFinite(n)) noiseFloor = Math.max(noiseFloor, n);
  }
  return { maxAbsDiff, maxAbsOutput, noiseFloor };
}
