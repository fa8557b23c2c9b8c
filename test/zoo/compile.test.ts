// The smaller zoo networks through both backends, on 64x64 images (32x32 for
// the heavier ones; the specs take `size` as a network parameter) to fit CI's
// 2 cores (Wide ResNet-50-2, 69M parameters, is checked at full size only, in
// scripts/zoo-check.js): the ONNX model
// passes onnx.checker and runs in onnxruntime with the predicted output shape,
// the tfjs sources are generated, and tfjs and ONNX agree within 1e-4 on random
// weights, relative for outputs above 1 (what `netc verify` checks). The
// full-size runs of every zoo network are in scripts/zoo-check.js.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { verifyGraph, verifyLimit } from "../../src/verify/index.js";
import { pythonCheck } from "../onnx/harness.js";

interface Case {
  name: string;
  size: number;
  /** Whether the tfjs side runs (sources and verify); ONNX always does. */
  tfjs: boolean;
}

const cases: Case[] = [
  { name: "resnet18", size: 64, tfjs: true },
  { name: "mobilenet-v2", size: 64, tfjs: true },
  { name: "densenet121", size: 32, tfjs: true },
  { name: "squeezenet1-1", size: 64, tfjs: true },
  { name: "mnasnet1-0", size: 32, tfjs: true },
  { name: "resnext50-32x4d", size: 32, tfjs: true },
  { name: "mobilenet-v3-large", size: 32, tfjs: true },
  { name: "regnet-y-400mf", size: 32, tfjs: true },
  { name: "efficientnet-b0", size: 32, tfjs: true },
  { name: "efficientnet-v2-s", size: 32, tfjs: true },
  // ConvNeXt downsamples by 32: 32x32 is its smallest input (1x1 in the last stage).
  { name: "convnext-tiny", size: 32, tfjs: true },
  { name: "shufflenet-v2-x1-0", size: 64, tfjs: true },
];

function smallGraph(file: string, SIZE: number) {
  const text = readFileSync(file, "utf8").replace(/size = 224/, `size = ${SIZE}`);
  expect(text).toContain(`size = ${SIZE}`);
  const r = checkText(text, file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
}

describe("zoo networks compile and agree across backends", () => {
  for (const { name, size: SIZE, tfjs } of cases) {
    test(`${name} at ${SIZE}x${SIZE}`, async () => {
      const graph = smallGraph(`specs/zoo/${name}.net`, SIZE);
      expect(graph.inputShape).toEqual([3, SIZE, SIZE]);

      const path = join(mkdtempSync(join(tmpdir(), "zoo-")), `${name}.onnx`);
      writeFileSync(path, emitOnnx(graph, { seed: 0 }).model);
      pythonCheck(path);

      const ort = await import("onnxruntime-node");
      const session = await ort.InferenceSession.create(path);
      const x = new ort.Tensor("float32", new Float32Array(3 * SIZE * SIZE).fill(0.5), [1, 3, SIZE, SIZE]);
      const y = (await session.run({ [session.inputNames[0]!]: x }))[session.outputNames[0]!]!;
      expect([...y.dims].map(Number)).toEqual([1, ...graph.nodes[graph.output]!.shape]);
      await session.release();
      if (!tfjs) return;

      const files = await tfjsSources(graph, { js: true, specPath: `specs/zoo/${name}.net`, netcVersion: "test" });
      expect([...files.keys()].sort()).toEqual(["model.js", "train.js"]);

      const v = await verifyGraph(graph, { seed: 0, batch: 2, quiet: true });
      expect(v.outputShape).toEqual([2, 1000]);
      // netc verify's limit: 1e-4, relative once outputs exceed 1 (ResNeXt's
      // random-weight logits reach the hundreds), or 10x the noise floor where the
      // output is that sensitive to float32 rounding (EfficientNetV2-S: its
      // squeeze-and-excitation gates amplify rounding; both backends stand up to
      // 10% from the float64 reference at 32x32, test/verify/noise-floor.test.ts).
      expect(v.maxAbsDiff).toBeLessThanOrEqual(verifyLimit(v));
    }, 300_000);
  }
});
