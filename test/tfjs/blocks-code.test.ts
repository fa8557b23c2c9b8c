// Issue 14: model.ts writes each block of the spec as one function, called once
// per use. The generated code (run as plain JS) must build the very model the
// in-process plan builds, which netc verify and the ONNX comparisons check:
// the same layers in the same order under the same names (so checkpoints,
// --init and --weights load as before), the same weights, the same outputs.

import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type * as tfjs from "@tensorflow/tfjs";
import { checkFile } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { planModel, tfjsSources } from "../../src/emit/tfjs/index.js";
import { buildFromPlan } from "../../src/emit/tfjs/build.js";

const root = join(import.meta.dirname, "..", "..");
// Generated code imports `netc/runtime`, i.e. this package's dist/.
const built = existsSync(join(root, "dist", "runtime", "index.js"));

const graphOf = (spec: string, params: Record<string, number> = {}) => checkFile(join(root, spec), diskHost, { params }).graph!;

describe("model.ts: a function per block", () => {
  it("inception-v3: one function per Inception module, the whole model.ts under 400 lines", async () => {
    const files = await tfjsSources(graphOf("specs/zoo/inception-v3.net"), { js: false, specPath: "specs/zoo/inception-v3.net", netcVersion: "test" });
    const code = files.get("model.ts")!;
    for (const b of ["InceptionA", "InceptionB", "InceptionC", "InceptionD", "InceptionE", "InceptionAux"]) expect(code.match(new RegExp(`^function ${b}\\(`, "gm")), b).toHaveLength(1);
    expect(code).toContain('const mixed5c = InceptionA(tf, mixed5b, "Mixed_5c", 64);');
    expect(code).toContain("function InceptionC(tf: typeof tfjs, x: tfjs.SymbolicTensor, prefix: string, c7: number): tfjs.SymbolicTensor {");
    // A conv with its BatchNorm and ReLU is one statement, one line, its layers named under the conv's name.
    expect(code).toContain("const b2Conv1 = convBnRelu(tf, x, `${prefix}/b2/conv1`, { filters: c7, kernelSize: 1 });");
    expect(code).toContain('return apply(tf.layers.activation({ activation: "relu", name: name + "/bn/relu" }), bn);');
    // The state_dict table: one row per conv and its BatchNorm.
    expect(code).toContain('  convBnInit("Mixed_5b/b1/conv1", [64, 192, 1, 1]),\n');
    // The whole file: 1,262 lines with a statement per layer over three lines and an object per tensor.
    expect(code.split("\n").length).toBeLessThanOrEqual(400);
  });

  for (const [spec, params] of [
    ["specs/googlenet-torchvision.net", { classes: 10 }],
    ["specs/zoo/inception-v3.net", { classes: 10 }],
    ["specs/zoo/convnext-tiny.net", { classes: 10, size: 64 }],
    ["specs/zoo/mnasnet1-0.net", { classes: 10, size: 64 }],
  ] as [string, Record<string, number>][]) {
    it.runIf(built)(`${spec}: the generated model.js is the plan's model: layers, names, weights, outputs`, async () => {
      const graph = graphOf(spec, params);
      const name = spec.replace(/^.*\//, "").replace(/\.net$/, "");
      const dir = join(root, "tmp", `tfjs-blocks-${name}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const files = await tfjsSources(graph, { js: true, specPath: spec, netcVersion: "test" });
      writeFileSync(join(dir, "model.js"), files.get("model.js")!);
      const runtime = await import(pathToFileURL(join(root, "dist", "runtime", "index.js")).href);
      const tf = (await runtime.loadTf({ quiet: true })) as typeof tfjs;
      const generated = (await import(pathToFileURL(join(dir, "model.js")).href)) as { buildModel(t: typeof tfjs): { training: tfjs.LayersModel; inference: tfjs.LayersModel } };
      const got = generated.buildModel(tf).training;
      const want = buildFromPlan(tf, planModel(graph), runtime).training;
      try {
        expect(got.layers.map((l) => [l.name, l.getClassName()])).toEqual(want.layers.map((l) => [l.name, l.getClassName()]));
        // tfjs makes variable names unique per process (the second model's get "_1"): the names as given.
        const named = (m: tfjs.LayersModel) => m.weights.map((w) => [(w as unknown as { originalName: string }).originalName, w.shape]);
        expect(named(got)).toEqual(named(want));
        expect(named(got).map((w) => w[0])).toContain(graph.nodes.find((n) => n.attrs.op === "conv" && n.name.split("/").length > 2)!.name + "/kernel");
        // Random weights (BatchNorm statistics too), the same in both.
        const weights = want.getWeights().map((w, i) => tf.randomUniform(w.shape, 0.5, 1.5, "float32", i + 1));
        want.setWeights(weights);
        got.setWeights(weights);
        const x = tf.randomUniform([2, ...(want.inputs[0]!.shape.slice(1) as number[])], 0, 1, "float32", 7);
        const a = [want.predict(x)].flat() as tfjs.Tensor[];
        const b = [got.predict(x)].flat() as tfjs.Tensor[];
        expect(b.length).toBe(a.length);
        for (let i = 0; i < a.length; i++) expect(Array.from(b[i]!.dataSync())).toEqual(Array.from(a[i]!.dataSync()));
        tf.dispose([...weights, x, ...a, ...b]);
      } finally {
        got.dispose();
        want.dispose();
      }
    }, 300_000);
  }
});
