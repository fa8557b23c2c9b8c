// `netc verify FILE [--weights CKPT] [--json]`: the same seeded random batch
// through the tfjs model and the ONNX model (onnxruntime), and the largest
// absolute difference between their outputs. Exit 1 above 1e-4.
//
// With --weights the tfjs side is the checkpoint itself, loaded as saved, and
// the ONNX side gets its weights through the checkpoint converter: this checks
// the layout conversion end to end. Without, both get initWeights(graph, seed).

import { loadGraph } from "../load.js";
import { verifyGraph, type VerifyResult } from "../../emit/tfjs/verify.js";

export const TOLERANCE = 1e-4;

export async function run(args: { spec: string; weights?: string; seed: number; batch: number; json: boolean }): Promise<number> {
  const loaded = loadGraph(args.spec);
  if (typeof loaded === "number") return loaded;
  let r: VerifyResult;
  try {
    r = await verifyGraph(loaded.graph, { weights: args.weights, seed: args.seed, batch: args.batch, quiet: args.json });
  } catch (e) {
    process.stderr.write(`netc verify: ${(e as Error).message}\n`);
    return 2;
  }
  const ok = r.maxAbsDiff <= TOLERANCE;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...r, tolerance: TOLERANCE, ok })}\n`);
  } else {
    process.stdout.write(
      `${args.spec}: max |tfjs - onnx| = ${r.maxAbsDiff.toExponential(2)} over output [${r.outputShape.join(", ")}] ` +
        `(${r.weights} weights, tfjs ${r.backend}, batch ${r.batch}): ${ok ? "ok" : `above ${TOLERANCE}`}\n`,
    );
  }
  return ok ? 0 : 1;
}
