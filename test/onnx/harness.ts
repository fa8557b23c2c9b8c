// Shared test plumbing: random weights, onnxruntime runs, the reference
// comparison and the Python ONNX checker.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { IrGraph } from "../../src/ir/graph.js";
import { rng, weightShapes, type NodeWeights, type WeightSet } from "../../src/ir/weights.js";
import { emitOnnx, type EmitOnnxOptions } from "../../src/emit/onnx/index.js";
import { runReference } from "../reference/run-graph.js";
import { needPythonOnnx, runs } from "../requirements.js";

export const tempDir = (): string => mkdtempSync(join(tmpdir(), "netc-onnx-"));

/** Non-trivial values everywhere (biases, BN statistics), unlike initWeights. */
export function randomWeights(graph: IrGraph, seed = 1): WeightSet {
  const next = rng(seed);
  const u = (lo: number, hi: number) => lo + (hi - lo) * next();
  const out: WeightSet = new Map();
  for (const node of graph.nodes) {
    const shapes = weightShapes(graph, node);
    const w: NodeWeights = {};
    for (const [k, s] of Object.entries(shapes)) {
      const n = s!.reduce((a, b) => a * b, 1);
      const range: [number, number] = k === "variance" ? [0.2, 2] : k === "gamma" ? [0.5, 1.5] : [-0.5, 0.5];
      w[k as keyof NodeWeights] = Float32Array.from({ length: n }, () => u(...range));
    }
    if (Object.keys(w).length) out.set(node.name, w);
  }
  return out;
}

export function randomInput(n: number, seed = 7): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => next() * 4 - 2);
}

export async function session(model: Uint8Array | string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model as Uint8Array, { intraOpNumThreads: 1, graphOptimizationLevel: "all" });
}

export async function runOrt(model: Uint8Array | string, inputName: string, shape: number[], data: Float32Array) {
  const s = await session(model);
  try {
    const res = await s.run({ [inputName]: new ort.Tensor("float32", data, shape) });
    const out = res[s.outputNames[0]!]!;
    return { dims: [...out.dims], data: out.data as Float32Array, outputName: s.outputNames[0]! };
  } finally {
    await s.release();
  }
}

/** Max abs difference between onnxruntime and the float64 reference over a batch. */
export async function compareWithReference(graph: IrGraph, opts: EmitOnnxOptions & { batch?: number } = {}) {
  const batch = opts.batch ?? 2;
  const weights = opts.weights ?? randomWeights(graph);
  const { model } = emitOnnx(graph, { ...opts, weights });
  const per = graph.inputShape.reduce((a, b) => a * b, 1);
  const input = randomInput(per * batch);
  const got = await runOrt(model, graph.inputName, [batch, ...graph.inputShape], input);
  const outShape = graph.nodes[graph.output]!.shape;
  const outPer = outShape.reduce((a, b) => a * b, 1);
  let maxDiff = 0;
  for (let b = 0; b < batch; b++) {
    const ref = runReference(graph, weights, input.subarray(b * per, (b + 1) * per));
    for (let i = 0; i < outPer; i++) maxDiff = Math.max(maxDiff, Math.abs(ref.data[i]! - got.data[b * outPer + i]!));
  }
  return { maxDiff, dims: got.dims, expectedDims: [batch, ...outShape] };
}

/**
 * Runs onnx.checker.check_model(full_check=True); throws with the checker's message.
 * Without python3-onnx it says once that the check is skipped (CI requires it).
 */
export function pythonCheck(path: string): void {
  if (!runs(needPythonOnnx(), "onnx.checker checks")) return;
  const script = [
    "import sys, onnx",
    "p = sys.argv[1]",
    "m = onnx.load(p)",
    "onnx.checker.check_model(m, full_check=True)",
    "onnx.checker.check_model(p, full_check=True)",
  ].join("\n");
  execFileSync("/usr/bin/python3", ["-c", script, path], { stdio: ["ignore", "pipe", "pipe"] });
}
