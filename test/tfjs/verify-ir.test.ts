// Forward pass of the tfjs model built from the plan == onnxruntime on the ONNX
// emitter's graph, same random weights: every mapping branch on hand-built IR.
import { describe, expect, it } from "vitest";
import { verifyGraph } from "../../src/verify/index.js";
import { planModel } from "../../src/emit/tfjs/plan.js";
import { auxGraph, convGraph, poolGraph } from "./graphs.js";
import { verifyJson } from "./verify-helper.js";

describe("tfjs vs onnx on hand-built graphs", () => {
  for (const [name, make] of [["conv", convGraph], ["pool", poolGraph], ["aux", auxGraph]] as const) {
    it(name, async () => {
      const g = make();
      const r = await verifyGraph(g, { seed: 3, batch: 2, quiet: true });
      expect(r.outputShape).toEqual([2, ...g.nodes[g.output]!.shape]);
      expect(r.maxAbsDiff).toBeLessThan(1e-5 * Math.max(1, r.maxAbsOutput));
    }, 60_000);
  }

  it("uses plain tf.layers where they are exact", () => {
    const fns = (g: ReturnType<typeof convGraph>) => planModel(g).layers.map((l) => `${l.from}.${l.fn}:${String(l.config.padding ?? "")}`);
    expect(fns(convGraph())).toEqual([
      "tf.zeroPadding2d:3,3,3,3", // 7x7/2 with 3 each side is not TF's 'same' split
      "tf.conv2d:",
      "tf.conv2d:same",
      "tf.batchNormalization:",
      "tf.activation:",
      "tf.zeroPadding2d:0,1,0,1", // 9 rows at stride 2: TF would pad, the IR does not
      "tf.conv2d:",
      "tf.conv2d:same",
      "tf.depthwiseConv2d:same",
      "tf.conv2d:same",
      "tf.flatten:",
      "tf.dense:",
    ]);
    const pools = planModel(poolGraph()).layers.filter((l) => /pool/i.test(l.fn)).map((l) => `${l.node.name}:${l.fn}:${String(l.config.padding ?? "")}`);
    expect(pools).toEqual([
      "p_ceil:maxPooling2d:same",
      "p_avg_ceil:averagePooling2d:same",
      "gap:averagePooling2d:",
      "p_pad_ceil:pool2d:",
      "p_avg_pad:pool2d:",
      "p_same1:maxPooling2d:same",
      "adapt:adaptiveAvgPool2d:",
      "p_avg_excl:averagePooling2d:same",
      "adapt2:averagePooling2d:",
    ]);
  });

  it("netc verify on a spec with every activation, fused and as layers", async () => {
    const spec = new URL("../baselines/cases/activations.net", import.meta.url).pathname;
    const { code, result } = await verifyJson({ spec, seed: 5 });
    expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(code).toBe(0);
  }, 60_000);
});
