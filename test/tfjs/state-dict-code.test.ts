// model.ts's `stateDict` (what `train --init` maps a checkpoint with) is written
// as one row per layer with weights, `convBnInit("Mixed_5b/b1/conv1", [64, 192,
// 1, 1])`, which netc/runtime's row functions expand (src/emit/tfjs/state-dict-code.ts).
// For every spec, the generated module's table, run as JavaScript, is held to
// references the rows do not come from: PyTorch's side by stateDictOrder
// (src/ir/state-dict.ts: paths, shapes, order), the tfjs side by the model the
// plan builds (each entry fills one of its weights, in that weight's shape, and
// every weight is filled exactly once); and it is the per-tensor table the
// generator wrote before (initTable), entry for entry.

import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import type * as tfjs from "@tensorflow/tfjs";
import { checkFile, checkText } from "../../src/check/index.js";
import type { IrGraph } from "../../src/ir/graph.js";
import { buildFromPlan, planModel, tfjsSources } from "../../src/emit/tfjs/index.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";
import { initTable, tfjsShape, type InitTensor } from "../../src/runtime/init-table.js";

const root = join(import.meta.dirname, "..", "..");
// Generated code imports `netc/runtime`, i.e. this package's dist/.
const built = existsSync(join(root, "dist", "runtime", "index.js"));
const specs = ["", "zoo/"].flatMap((folder) =>
  readdirSync(join(root, "specs", folder))
    .filter((f) => f.endsWith(".net"))
    .sort()
    .map((f) => folder + f),
);

describe.runIf(built)("model.ts's stateDict rows", () => {
  it("a conv and its BatchNorm are one row; the file has no per-tensor objects", async () => {
    const graph = checkFile(join(root, "specs", "zoo", "inception-v3.net")).graph!;
    const code = (await tfjsSources(graph, { js: false, specPath: "inception-v3.net", netcVersion: "test" })).get("model.ts")!;
    const table = code.slice(code.indexOf("export const stateDict"));
    expect(table).toContain('  convBnInit("Mixed_6b/b2/conv2", [128, 128, 1, 7]),\n');
    expect(table).toContain('  denseInit("AuxLogits/dense1", [1000, 768], { bias: true, aux: "AuxLogits" }),\n');
    expect(table).not.toContain("path:");
    // 96 convolutions with their BatchNorms and two dense layers: 98 rows for 484 tensors.
    expect(table.split("\n").filter((l) => /^  \w+Init\(/.test(l))).toHaveLength(98);
    expect(initTable(graph)).toHaveLength(96 * 5 + 2 * 2);
  });

  for (const spec of specs) {
    it(`${spec}: the rows give stateDictOrder's tensors, filling each of the tfjs model's weights once`, async () => {
      await expectTable(checkFile(join(root, "specs", spec)).graph!, spec.replace(/\W/g, "-"));
    }, 120_000);
  }

  it("names tfjs spells differently, a conv with a bias, a depthwise conv, BatchNorm on a vector, an aux head", async () => {
    // "a b" and a_b are both "a_b" in tfjs: the second layer is "a_b_2", its BatchNorm "a_b/bn_2".
    const spec = [
      "network Edge(classes = 3) {",
      "  input x 2x8x8",
      '  "a b" = conv 3x3 8 pad=1 bn relu',
      "  a_b = conv 3x3 8 pad=1 bn relu",
      "  c = conv 3x3 8 pad=1 bias=true bn",
      "  d = dwconv 3x3 pad=1 bias=true bn relu6",
      "  aux1 = seq { flatten; dense classes } from d weight 0.3",
      "  flatten",
      "  bn",
      "  dense classes",
      "}",
      "",
    ].join("\n");
    const graph = checkText(spec, join(root, "tmp", "edge.net")).graph!;
    const code = (await tfjsSources(graph, { js: false, specPath: "edge.net", netcVersion: "test" })).get("model.ts")!;
    expect(code).toContain('  convBnInit("a b", [8, 2, 3, 3]),\n  convInit("a_b", [8, 8, 3, 3], { layer: "a_b_2" }),\n  batchNormInit("a_b/bn", [8], { layer: "a_b/bn_2" }),\n');
    expect(code).toContain('  depthwiseBnInit("d", [8, 1, 3, 3], 8, { bias: true }),\n');
    expect(code).toContain('  batchNormInit("bn1", [512], { flatten: [8, 64] }),\n');
    // The network code: the colliding layers are not a helper's (their names are not the conv's plus "/bn").
    expect(code).toContain('const aB = convBnRelu(tf, x, "a_b", { filters: 8, kernelSize: 3, padding: "same" });');
    expect(code).toContain('name: "a_b/bn_2" }), aB2);');
    await expectTable(graph, "edge");

    // model.js builds the plan's model: the same layers, classes and weights.
    const runtime = await import(pathToFileURL(join(root, "dist", "runtime", "index.js")).href);
    const tf = (await runtime.loadTf({ quiet: true })) as typeof tfjs;
    const generated = (await import(pathToFileURL(join(root, "tmp", "tfjs-state-dict-edge", "model.js")).href)) as GeneratedModel;
    const got = generated.buildModel(tf).training;
    const want = buildFromPlan(tf, planModel(graph), runtime).training;
    try {
      expect(got.layers.map((l) => [l.name, l.getClassName()])).toEqual(want.layers.map((l) => [l.name, l.getClassName()]));
      const named = (m: tfjs.LayersModel) => m.weights.map((w) => [(w as unknown as { originalName: string }).originalName, w.shape]);
      expect(named(got)).toEqual(named(want));
    } finally {
      got.dispose();
      want.dispose();
    }
  }, 120_000);
});

interface GeneratedModel {
  stateDict: InitTensor[];
  buildModel(t: typeof tfjs): { training: tfjs.LayersModel };
}

/** The generated model.js's stateDict (in tmp/tfjs-state-dict-NAME/) is initTable's, stateDictOrder's tensors, and the plan's tfjs weights. */
async function expectTable(graph: IrGraph, name: string): Promise<void> {
  const dir = join(root, "tmp", `tfjs-state-dict-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = await tfjsSources(graph, { js: true, specPath: `${name}.net`, netcVersion: "test" });
  writeFileSync(join(dir, "model.js"), files.get("model.js")!);
  const { stateDict } = (await import(pathToFileURL(join(dir, "model.js")).href)) as GeneratedModel;

  expect(stateDict).toStrictEqual(initTable(graph));

  // PyTorch's side: every tensor of the state_dict, in its order, with its shape and head.
  const order = stateDictOrder(graph);
  expect(stateDict.map((t) => [t.path, t.shape])).toEqual(order.map((s) => [`${s.node}.${s.torchName}`, s.shape]));
  const auxOf = new Map(graph.nodes.map((n) => [n.name, n.aux]));
  expect(stateDict.map((t) => t.aux)).toEqual(order.map((s) => auxOf.get(s.node)));

  // tfjs's side: the training model (aux heads included) the plan builds.
  const runtime = await import(pathToFileURL(join(root, "dist", "runtime", "index.js")).href);
  const tf = (await runtime.loadTf({ quiet: true })) as typeof tfjs;
  const planned = buildFromPlan(tf, planModel(graph), runtime).training;
  try {
    const weights = new Map(planned.weights.map((w) => [(w as unknown as { originalName: string }).originalName, w.shape]));
    expect(weights.size).toBe(planned.weights.length);
    expect(stateDict.map((t) => t.tfjs).sort()).toEqual([...weights.keys()].sort());
    for (const t of stateDict) expect(tfjsShape(t), t.tfjs).toEqual(weights.get(t.tfjs));
  } finally {
    planned.dispose();
  }
}
