// The generated code itself: it type-checks (TypeScript), runs with plain node
// (--js), and builds the same model as the in-process plan for every spec.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { writeIdxFixture } from "./fixtures.js";
import { auxGraph } from "./graphs.js";

const root = join(import.meta.dirname, "..", "..");
const specs = readdirSync(join(root, "specs")).filter((f) => f.endsWith(".net"));
// Generated code imports `netc/runtime`, i.e. this package's dist/ (built by `npm ci` via prepare).
const built = existsSync(join(root, "dist", "runtime", "index.js"));

describe("generated code", () => {
  it("type-checks under strict TypeScript", () => {
    const dir = join(root, "tmp", "tfjs-typecheck");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.json",
        compilerOptions: { noEmit: true, rootDir: "../..", paths: { "netc/runtime": ["../../src/runtime/index.ts"], "netc/weights": ["../../src/weights/init.ts"] } },
        include: ["../../generated/**/*.ts"],
      }),
    );
    const r = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);

  it.runIf(built)("--js output trains with plain node, saves a checkpoint, and fails cleanly on bad data", async () => {
    const dir = join(root, "tmp", "tfjs-js");
    rmSync(dir, { recursive: true, force: true });
    const files = await tfjsSources(auxGraph(), { js: true, specPath: "aux.net", netcVersion: "test" });
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    const data = join(dir, "data");
    writeIdxFixture(data, { count: 96, size: 12, classes: 10 });
    const out = execFileSync(process.execPath, ["train.js", "--data", data, "--epochs", "2", "--batch-size", "16", "--save", "ckpt"], {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(out).toMatch(/epoch 2\/2: loss [\d.]+, accuracy [\d.]+, validation accuracy [\d.]+/);
    expect(existsSync(join(dir, "ckpt", "model.json"))).toBe(true);
    expect(existsSync(join(dir, "ckpt", "weights.bin"))).toBe(true);

    const bad = spawnSync(process.execPath, ["train.js", "--data", join(dir, "nope"), "--save", "ckpt2"], { cwd: dir, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error: .*nope: no such directory/);
    expect(existsSync(join(dir, "ckpt2"))).toBe(false);
  }, 120_000);

  it("every spec's model has the IR's output shape and the generated layer list", async () => {
    const runtime = await import("../../src/runtime/index.js");
    const { planModel, buildFromPlan } = await import("../../src/emit/tfjs/index.js");
    const tf = await runtime.loadTf({ quiet: true });
    for (const spec of specs) {
      const g = checkFile(join(root, "specs", spec)).graph!;
      const { inference, training } = buildFromPlan(tf, planModel(g), runtime);
      const irShape = g.nodes[g.output]!.shape;
      const nhwc = irShape.length === 3 ? [irShape[1], irShape[2], irShape[0]] : irShape;
      expect(inference.outputs[0]!.shape, spec).toEqual([null, ...nhwc]);
      expect(training.outputs.length, spec).toBe(1 + g.auxOutputs.length);
      // Every IR node with weights is a tfjs layer of the same name.
      for (const n of g.nodes) if (n.params > 0) expect(training.getLayer(n.name).name).toBe(n.name);
      training.dispose();
    }
  }, 120_000);
});
