// The comparison behind `netc verify`, usable from tests without the CLI: the
// tfjs model (built in-process from the one layer plan) against the ONNX model on
// onnxruntime, same weights, same batch. It sits on top of both emitters and the
// runtime; none of them knows about it. tfjs and onnxruntime load only when it runs.

import type * as tfjs from "@tensorflow/tfjs";
import type { IrGraph } from "../ir/graph.js";
import { initWeights, rng } from "../ir/weights.js";
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

  const ort = await import("onnxruntime-node");
  // The tfjs model takes preprocessed input (its data pipeline applies the spec's
  // preprocessing), so both models are compared on the same preprocessed batch.
  const { model: bytes } = emitOnnx(graph, { weights, preprocess: false });
  const session = await ort.InferenceSession.create(bytes);
  const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", data, inShape) };
  const result = await session.run(feeds);
  const onnxOut = result[session.outputNames[0]!]!;
  const onnxValues = onnxOut.data as Float32Array;
  await session.release();

  const onnxShape = [...onnxOut.dims].map(Number);
  if (onnxShape.join() !== tfShape.join()) {
    throw new Error(`output shapes differ: tfjs [${tfShape}] (as NCHW), onnx [${onnxShape}]`);
  }
  let maxAbsDiff = 0;
  let maxAbsOutput = 0;
  for (let i = 0; i < tfValues.length; i++) {
    const d = Math.abs(tfValues[i]! - onnxValues[i]!);
    // NaN on either side is a failure, not a zero difference.
    maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    maxAbsOutput = Math.max(maxAbsOutput, Math.abs(onnxValues[i]!));
  }
  return {
    maxAbsDiff,
    outputShape: onnxShape,
    backend: tf.getBackend(),
    batch: opts.batch,
    seed: opts.seed,
    weights: opts.weights ? "checkpoint" : "random",
    maxAbsOutput,
  };
}
