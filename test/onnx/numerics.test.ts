// onnxruntime's output equals the float64 reference within 1e-5 for small
// hand-built graphs that together cover every op and attribute.
import { describe, expect, it } from "vitest";
import { graphs } from "./graphs.js";
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
