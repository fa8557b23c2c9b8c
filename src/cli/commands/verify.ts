// `netc verify FILE [--weights CKPT] [--json]`: the same seeded random batch
// through the tfjs model and the ONNX model (onnxruntime), and the largest
// absolute difference between their outputs. Exit 1 above 1e-4 (for outputs of
// magnitude M > 1, above 1e-4 x M: float32 sums of the same terms in another
// order differ in proportion to their size, so ResNet-50's random-weight logits
// of ~900 legitimately differ by ~1e-3 while agreeing to 6 digits), and above
// 10x the noise floor (how far the output moves for one-ulp changes of the input
// and weights)
// where the network is that ill-conditioned at its weights.
//
// With --weights a tfjs checkpoint is the tfjs side itself, loaded as saved, and
// the ONNX side gets its weights through the checkpoint converter: this checks
// the layout conversion end to end. Other formats (PyTorch, safetensors, ONNX,
// src/weights/) fill both sides. Without, both get initWeights(graph, seed).

import { backends } from "../../emit/backend.js";
import type { Format } from "../formats.js";
import { loadGraph, Reporter } from "../load.js";
import type { Overrides } from "../../check/index.js";
import { VERIFY_TOLERANCE, verifyGraph, verifyLimit, type VerifyResult } from "../../verify/index.js";
import { terminalSafe } from "../report.js";
import { expandInputs } from "../inputs.js";

export interface VerifyArgs {
  /** Files, folders or globs: each spec is verified in turn. */
  specs: string[];
  weights?: string;
  overrides?: Overrides;
  weightsMap?: string;
  seed: number;
  batch: number;
  json: boolean;
  maxErrors?: number;
  format?: Format;
  /** What runs against the ONNX model: netc's tfjs model (default) or the generated PyTorch model.py. */
  against?: "tfjs" | "pytorch";
  /** The Python with PyTorch for --against pytorch. */
  python?: string;
}

export async function run(args: VerifyArgs): Promise<number> {
  const inputs = expandInputs(args.specs);
  for (const p of inputs.problems) process.stderr.write(`netc verify: ${terminalSafe(p)}\n`);
  const several = inputs.files.length !== 1 || inputs.expanded;
  if (several && args.weights) {
    process.stderr.write("netc verify: --weights belongs to one spec; name one\n");
    return 2;
  }
  if (args.against === "pytorch") {
    const { missingTorch, DEFAULT_PYTHON } = await import("../../verify/pytorch.js");
    const missing = missingTorch(args.python ?? DEFAULT_PYTHON);
    if (missing) {
      process.stderr.write(`netc verify: ${terminalSafe(missing)}\n`);
      return 2;
    }
  }
  const reporter = new Reporter(args.format, args.maxErrors);
  let code = inputs.problems.length ? 2 : 0;
  try {
    // With several specs, --json prints one line per spec (JSON Lines), each naming its spec.
    for (const spec of inputs.files) code = Math.max(code, await verify(spec, args, reporter, several));
  } finally {
    reporter.flush(true);
  }
  return code;
}

async function verify(spec: string, args: VerifyArgs, reporter: Reporter, several: boolean): Promise<number> {
  const loaded = loadGraph(spec, reporter, undefined, args.overrides);
  if (typeof loaded === "number") return loaded;
  // Both backends must express the graph: what one cannot is reported at its spec location.
  const unsupported = (await Promise.all(backends.filter((b) => b.name === (args.against ?? "tfjs") || b.name === "onnx").map((b) => b.check(loaded.graph)))).flat();
  reporter.add(unsupported);
  if (unsupported.some((d) => d.severity === "error")) return 1;
  reporter.flush();
  let r: VerifyResult;
  try {
    const opts = { weights: args.weights, weightsMap: args.weightsMap, seed: args.seed, batch: args.batch, quiet: args.json };
    r = args.against === "pytorch" ? await (await import("../../verify/pytorch.js")).verifyPytorch(loaded.graph, { ...opts, python: args.python }) : await verifyGraph(loaded.graph, opts);
  } catch (e) {
    process.stderr.write(`netc verify: ${terminalSafe((e as Error).message)}\n`);
    return 2;
  }
  const limit = verifyLimit(r);
  const ok = r.maxAbsDiff <= limit;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...(several ? { spec } : {}), ...(args.against === "pytorch" ? { against: "pytorch" } : {}), ...r, tolerance: limit, ok })}\n`);
  } else {
    process.stdout.write(
      `${terminalSafe(spec)}: max |${args.against ?? "tfjs"} - onnx| = ${r.maxAbsDiff.toExponential(2)} over output [${r.outputShape.join(", ")}] ` +
        `(largest |output| ${r.maxAbsOutput.toPrecision(3)}; ${r.weights} weights, ${args.against === "pytorch" ? r.backend : `tfjs ${r.backend}`}, batch ${r.batch}` +
        // Shown only where it sets the limit: the output itself is that sensitive to float32 rounding.
        `${limit > VERIFY_TOLERANCE * Math.max(1, r.maxAbsOutput) ? `; noise floor ${r.noiseFloor.toExponential(2)}: one-ulp changes of the input and weights move the output this much` : ""}): ` +
        `${ok ? "ok" : `above the limit ${limit.toExponential(1)}`}\n`,
    );
  }
  return ok ? 0 : 1;
}
