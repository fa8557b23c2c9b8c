// A real, short training run on Fashion-MNIST (the full 3-epoch accuracy run is
// bench/fashion.js): accuracy improves, runs are reproducible from the seed, and
// the trained checkpoint verifies against ONNX.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { buildFromPlan, planModel } from "../../src/emit/tfjs/index.js";
import * as runtime from "../../src/runtime/index.js";
import { parseTrainArgsStrict } from "../../src/runtime/index.js";
import { verifyJson } from "./verify-helper.js";
import { FASHION_MNIST, needFashionMnist, runs } from "../requirements.js";

const root = join(import.meta.dirname, "..", "..");
const DATA = FASHION_MNIST;
const spec = join(root, "specs", "inception-fashion.net");
const have = runs(needFashionMnist(), "Fashion-MNIST training");

async function trainOnce(argv: string[]) {
  const tf = await runtime.loadTf({ quiet: true });
  const graph = checkFile(spec).graph!;
  const t = graph.train;
  const args = parseTrainArgsStrict(["--data", DATA, "--quiet", ...argv], { ...t });
  const data = await runtime.loadDataset(args.data, { inputShape: [28, 28, 1], validationSplit: 0.1, limit: args.limit, seed: args.seed });
  const { training, inference } = buildFromPlan(tf, planModel(graph), runtime);
  const result = await runtime.train(tf, { training, inference, data, args, lossWeights: [1] });
  training.dispose();
  return result;
}

describe.runIf(have)("training on Fashion-MNIST", () => {
  it("is reproducible from the seed", async () => {
    const a = await trainOnce(["--limit", "192", "--epochs", "1", "--seed", "5"]);
    const b = await trainOnce(["--limit", "192", "--epochs", "1", "--seed", "5"]);
    expect(b.epochs[0]!.loss).toBe(a.epochs[0]!.loss);
  }, 60_000);

  it("improves accuracy, and the checkpoint verifies against ONNX", async () => {
    const ckpt = join(root, "tmp", "tfjs-fashion-ckpt");
    rmSync(ckpt, { recursive: true, force: true });
    const r = await trainOnce(["--limit", "1280", "--epochs", "2", "--batch-size", "32", "--save", ckpt]);
    const [e1, e2] = r.epochs;
    console.log(`fashion --limit 1280: ${JSON.stringify(r)}`);
    expect(e2!.loss).toBeLessThan(e1!.loss);
    expect(e2!.valAccuracy).toBeGreaterThan(0.35); // chance is 0.1
    expect(r.testAccuracy).toBeGreaterThan(0.35);
    const v = await verifyJson({ spec, weights: ckpt, seed: 3, batch: 4 });
    console.log(`trained inception-fashion: maxAbsDiff ${v.result.maxAbsDiff.toExponential(2)}`);
    expect(v.result.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(v.code).toBe(0);
  }, 120_000);
});
