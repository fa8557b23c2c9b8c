// mul, broadcasting add, layer scale and drop path on onnxruntime against the
// float64 reference (which broadcasts by definition), and the NCHW shapes ONNX's
// own shape inference gives the Add and Mul inputs.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import type { IrGraph } from "../../src/ir/graph.js";
import { needPythonOnnx, runs } from "../requirements.js";
import { compareWithReference, randomWeights, tempDir } from "./harness.js";

function graph(body: string, input = "6x5x4"): IrGraph {
  const r = checkText(`network N {\n  input ${input}\n${body}\n}\n`, "/virtual/n.net");
  if (!r.graph) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.graph;
}

const cases: Record<string, () => IrGraph> = {
  squeezeExcitation: () => graph("  conv 3x3 8 pad=1 relu\n  mul { seq { gap; conv 1x1 3 relu; conv 1x1 8 sigmoid }; identity }\n  conv 1x1 4"),
  spatialGate: () => graph("  mul relu { conv 1x1 1 sigmoid; identity }"),
  // Each side broadcasts in a different dimension; three branches make a chain.
  crossBroadcast: () => graph("  mul { conv 1x1 1; gap; identity }\n  add tanh { gap; conv 1x1 1; identity }"),
  residualWithLayerScale: () => graph("  add { seq { dwconv 3x3 pad=1; conv 1x1 6; scale 0.5; droppath 0.3 }; identity }"),
  flatGating: () => graph("  flatten\n  dense 12 relu\n  mul { dense 1 sigmoid; identity }\n  scale 2\n  add { dense 12; identity }", "2x3x3"),
};

describe("onnxruntime equals the reference", () => {
  for (const [name, make] of Object.entries(cases)) {
    it(name, async () => {
      const r = await compareWithReference(make(), { batch: 3 });
      expect(r.dims).toEqual(r.expectedDims);
      expect(r.maxDiff).toBeLessThan(1e-5);
    });
  }
});

describe("ONNX graphs", () => {
  it("drop path leaves no node; layer scale is a Mul by a [C,1,1] initializer", () => {
    const g = cases.residualWithLayerScale!();
    const { model } = emitOnnx(g, { weights: randomWeights(g) });
    const text = Buffer.from(model).toString("latin1");
    expect(text).not.toMatch(/droppath|Dropout/i);
    expect(text).toContain("Mul");
  });

  it.runIf(runs(needPythonOnnx(), "ONNX shape inference of broadcasting merges"))("Add and Mul inputs have the broadcasting NCHW shapes", () => {
    // One python run for every model (each start costs a second): the full checker, then shape inference.
    const dir = tempDir();
    const names = Object.keys(cases);
    const paths = names.map((name) => {
      const g = cases[name]!();
      const path = join(dir, `${name}.onnx`);
      writeFileSync(path, emitOnnx(g, { weights: randomWeights(g) }).model);
      return path;
    });
    const script = [
      "import sys, onnx",
      "for p in sys.argv[1:]:",
      "  onnx.checker.check_model(p, full_check=True)",
      "  g = onnx.shape_inference.infer_shapes(onnx.load(p), strict_mode=True).graph",
      "  dims = lambda t: 'x'.join(str(d.dim_value or d.dim_param) for d in t.type.tensor_type.shape.dim)",
      "  known = {v.name: dims(v) for v in list(g.input) + list(g.value_info) + list(g.output)}",
      "  known.update({i.name: 'x'.join(str(d) for d in i.dims) for i in g.initializer})",
      "  print('#')",
      "  for n in g.node:",
      "    if n.op_type in ('Add', 'Mul'): print(n.op_type, *[known.get(i, '?') for i in n.input], '->', known.get(n.output[0], '?'))",
    ].join("\n");
    const blocks = execFileSync("/usr/bin/python3", ["-c", script, ...paths], { encoding: "utf8" }).split("#\n").slice(1);
    const shapes = Object.fromEntries(names.map((n, i) => [n, blocks[i]!.trim().split("\n")]));
    expect(shapes.squeezeExcitation).toEqual(["Mul Nx8x1x1 Nx8x5x4 -> Nx8x5x4"]);
    expect(shapes.spatialGate).toEqual(["Mul Nx1x5x4 Nx6x5x4 -> Nx6x5x4"]);
    expect(shapes.crossBroadcast).toEqual([
      "Mul Nx1x5x4 Nx6x1x1 -> Nx6x5x4",
      "Mul Nx6x5x4 Nx6x5x4 -> Nx6x5x4",
      "Add Nx6x1x1 Nx1x5x4 -> Nx6x5x4",
      "Add Nx6x5x4 Nx6x5x4 -> Nx6x5x4",
    ]);
    expect(shapes.residualWithLayerScale).toEqual(["Mul Nx6x5x4 6x1x1 -> Nx6x5x4", "Add Nx6x5x4 Nx6x5x4 -> Nx6x5x4"]);
    expect(shapes.flatGating).toEqual(["Mul Nx1 Nx12 -> Nx12", "Mul Nx12 12 -> Nx12", "Add Nx12 Nx12 -> Nx12"]);
  });
});
