// The generated tfjs code of a network with layernorm, groupnorm and pixelwise
// dense trains with plain node on the wasm backend (a few steps at a tiny size),
// saves a checkpoint (netc's GroupNorm serialises) and the loss is finite.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { writeIdxFixture } from "../tfjs/fixtures.js";
import { verifyJson } from "../tfjs/verify-helper.js";
import { normsGraph } from "./spec.js";

const root = join(import.meta.dirname, "..", "..");
// Generated code imports `netc/runtime`, i.e. this package's dist/.
const built = existsSync(join(root, "dist", "runtime", "index.js"));

const SPEC = `network NormsTrain {
  input 1x12x12
  conv 3x3/2 8 pad=1
  layernorm eps=1e-6
  dense 16 pixelwise relu
  dense 8 pixelwise
  groupnorm 2
  avgpool global
  flatten
  layernorm
  dense 10
}
`;

describe("training with the norm ops", () => {
  it.runIf(built)("generated --js code trains two epochs and saves a checkpoint that verify loads", async () => {
    const dir = join(root, "tmp", "norms-train");
    rmSync(dir, { recursive: true, force: true });
    const files = await tfjsSources(normsGraph(SPEC), { js: true, specPath: "norms.net", netcVersion: "test" });
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    expect(files.get("model.js")).toContain("groupNorm");
    const data = join(dir, "data");
    writeIdxFixture(data, { count: 64, size: 12, classes: 10 });
    const out = execFileSync(process.execPath, ["train.js", "--data", data, "--epochs", "2", "--batch-size", "16", "--save", "ckpt"], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const losses = [...out.matchAll(/loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(2);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(existsSync(join(dir, "ckpt", "model.json"))).toBe(true);
    // The checkpoint loads again (GroupNorm's config round-trips) and equals the ONNX model with its weights.
    writeFileSync(join(dir, "norms.net"), SPEC);
    const { code, result } = await verifyJson({ spec: join(dir, "norms.net"), weights: join(dir, "ckpt") });
    expect(code).toBe(0);
    expect(result.maxAbsDiff).toBeLessThan(1e-4);
  }, 120_000);
});
