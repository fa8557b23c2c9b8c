// Real .net sources through the checker (src/check) and the ONNX backend:
// every spec in specs/ compiles, passes the checker, runs at batch 1 and 2 with
// the shape the checker predicts; a small snippet matches the reference.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeOnnx } from "../../src/emit/onnx/index.js";
import { checkFile, checkText } from "../../src/check/index.js";
import { compareWithReference, pythonCheck, randomInput, runOrt, tempDir } from "./harness.js";

const SPECS = "specs";
const specs = existsSync(SPECS) ? readdirSync(SPECS).filter((f) => f.endsWith(".net")) : [];

describe("specs/*.net", () => {
  for (const file of specs) {
    it(`${file} compiles to a valid model that runs at batch 1 and 2`, async () => {
      const path = join(SPECS, file);
      const r = checkFile(path);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const graph = r.graph!;
      const out = join(tempDir(), file.replace(/\.net$/, ".onnx"));
      writeOnnx(graph, out, { seed: 0 });
      pythonCheck(out);
      const per = graph.inputShape.reduce((a, b) => a * b, 1);
      for (const n of [1, 2]) {
        const res = await runOrt(out, graph.inputName, [n, ...graph.inputShape], randomInput(n * per));
        expect(res.dims).toEqual([n, ...graph.nodes[graph.output]!.shape]);
      }
    }, 60_000);
  }
});

describe(".net snippets", () => {
  it("LRN, ceil pooling and 'same' padding from source match the reference", async () => {
    const text = [
      "network Snippet {",
      "  input x 3x16x16",
      "  c = conv 7x7/2 8 pad=same relu",
      "  n = lrn 5 alpha 1e-4 beta 0.75",
      "  p = maxpool 3x3/2 ceil",
      "}",
      "",
    ].join("\n");
    const r = checkText(text, "snippet.net");
    if (r.diagnostics.some((d) => d.severity === "error") || !r.graph) {
      // The language is still moving; report what the checker said.
      expect.soft(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      return;
    }
    const cmp = await compareWithReference(r.graph, { batch: 2 });
    expect(cmp.dims).toEqual(cmp.expectedDims);
    expect(cmp.maxDiff).toBeLessThan(1e-5);
  });
});
