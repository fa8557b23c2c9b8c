// layernorm, groupnorm and pixelwise dense: shapes, parameters and MACs as PyTorch
// counts them, onnxruntime against the float64 reference, the ONNX checker, and
// the checker's diagnostics.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { compareWithReference, pythonCheck, randomWeights, tempDir } from "../onnx/harness.js";
import { normsGraph } from "./spec.js";

describe("norm ops in the IR", () => {
  it("shapes, parameters (gamma and beta; dense [units, C] + bias) and MACs (dense per pixel only)", () => {
    const g = normsGraph();
    const rows = g.nodes.slice(1).map((n) => `${n.attrs.op} ${n.shape.join("x")} ${n.params} ${n.macs}`);
    expect(rows).toEqual([
      "conv 8x5x6 296 8640",
      "layernorm 8x5x6 16 0",
      "groupnorm 8x5x6 16 0",
      "dense 12x5x6 108 2880",
      "dense 6x5x6 78 2160",
      "groupnorm 6x5x6 12 0",
      "layernorm 6x5x6 12 0",
      "flatten 180 0 0",
      "layernorm 180 360 0",
      "dense 5 905 900",
    ]);
    expect(g.params).toBe(1803);
    expect(g.macs).toBe(14580);
  });

  it("groupnorm whose groups do not divide the channels is NET3030; a plain dense on a map still asks for flatten", () => {
    const bad = checkText("network N {\n  input 6x4x4\n  groupnorm 4\n  dense 3\n}\n", "/tmp/n.net");
    const codes = bad.diagnostics.map((d) => `${d.code} ${d.message}`);
    expect(codes[0]).toBe("NET3030 groupnorm1: groupnorm needs the channels to split into 4 equal groups, but 6 channels do not divide by 4.");
    const dense = checkText("network N {\n  input 6x4x4\n  dense 3\n}\n", "/tmp/n.net");
    expect(dense.diagnostics.map((d) => d.code)).toEqual(["NET3010"]);
    expect(dense.diagnostics[0]!.message).toMatch(/Insert 'flatten'/);
  });

  it("groupnorm on a vector is a rank error", () => {
    const r = checkText("network N {\n  input 8\n  groupnorm 2\n}\n", "/tmp/n.net");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET3010"]);
  });
});

describe("ONNX (opset 17)", () => {
  it("onnxruntime equals the float64 reference with non-trivial gamma, beta and eps", async () => {
    const g = normsGraph();
    const r = await compareWithReference(g, { batch: 3 });
    expect(r.dims).toEqual(r.expectedDims);
    expect(r.maxDiff).toBeLessThan(1e-5);
  });

  it("a map output (layernorm last) matches too, and weights keep PyTorch's shapes", async () => {
    const g = normsGraph("network M {\n  input 4x3x5\n  dense 6 pixelwise\n  groupnorm 3 eps=0.3\n  layernorm eps=0.7\n}\n");
    const r = await compareWithReference(g, { batch: 2 });
    expect(r.dims).toEqual([2, 6, 3, 5]);
    expect(r.maxDiff).toBeLessThan(1e-5);
    const { model } = emitOnnx(g, { weights: randomWeights(g) });
    const path = join(tempDir(), "m.onnx");
    writeFileSync(path, model);
    pythonCheck(path);
    // The initializers a checkpoint maps onto: nn.Linear's [units, C], the norms' [C].
    const text = Buffer.from(model).toString("latin1");
    for (const name of ["dense1.weight", "dense1.bias", "groupnorm1.weight", "groupnorm1.bias", "layernorm1.weight", "layernorm1.bias"]) expect(text).toContain(name);
  });

  it("the checker accepts the full model", () => {
    const { model } = emitOnnx(normsGraph(), { weights: randomWeights(normsGraph()) });
    const path = join(tempDir(), "norms.onnx");
    writeFileSync(path, model);
    pythonCheck(path);
  });
});
