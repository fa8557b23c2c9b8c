// onnxruntime's output equals the float64 reference within 1e-5 for small
// hand-built graphs that together cover every op and attribute.
import { describe, expect, it } from "vitest";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { graphs } from "./graphs.js";
import { IrBuilder } from "./ir-builder.js";
import { compareWithReference, randomWeights, runOrt } from "./harness.js";
import { runReference } from "../reference/run-graph.js";
import { activationInputs } from "../reference/ops.js";

const TOL = 1e-5;

describe("onnxruntime equals the reference", () => {
  for (const [name, graph] of Object.entries(graphs())) {
    for (const fold of [true, false]) {
      it(`${name} (foldBatchNorm=${fold})`, async () => {
        const r = await compareWithReference(graph, { foldBatchNorm: fold, batch: 2 });
        expect(r.dims).toEqual(r.expectedDims);
        expect(r.maxDiff).toBeLessThan(TOL);
      });
    }
  }
});

describe("bounded lowerings", () => {
  it("an even-size LRN over 2^31 - 1 channels lowers to a small model (the window is size x 1, not C x C)", () => {
    const g = new IrBuilder("lrn_huge", [2147483647, 1, 1]);
    const graph = g.build(g.lrn("lrn4", 0, 4, 1e-4, 0.75, 1));
    expect(emitOnnx(graph).model.length).toBeLessThan(64 * 1024);
  });
});

describe("activations on chosen inputs", () => {
  const cases: [string, Parameters<IrBuilder["act"]>[2], number?][] = [
    ["silu", "silu"], ["gelu", "gelu"], ["hardswish", "hardswish"], ["hardsigmoid", "hardsigmoid"],
    ["leakyrelu", "leakyrelu", 0.01], ["leakyrelu 0.2", "leakyrelu", 0.2], ["elu", "elu", 1], ["elu 0.5", "elu", 0.5],
  ];
  it.each(cases)("%s: onnxruntime equals the reference within 1e-6 relative", async (_label, fn, alpha) => {
    const g = new IrBuilder("one_act", [1, 1, activationInputs.length]);
    const graph = g.build(g.act("act", 0, fn, alpha));
    const input = Float32Array.from(activationInputs);
    const { model } = emitOnnx(graph, { weights: randomWeights(graph) });
    const got = await runOrt(model, graph.inputName, [1, 1, 1, input.length], input);
    const want = runReference(graph, new Map(), input);
    want.data.forEach((w, i) => expect(Math.abs(got.data[i]! - w), `x = ${activationInputs[i]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(w))));
  });
});
