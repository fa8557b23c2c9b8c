// onnxruntime's output equals the float64 reference within 1e-5 for small
// hand-built graphs that together cover every op and attribute.
import { describe, expect, it } from "vitest";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { graphs } from "./graphs.js";
import { IrBuilder } from "./ir-builder.js";
import { compareWithReference } from "./harness.js";

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
