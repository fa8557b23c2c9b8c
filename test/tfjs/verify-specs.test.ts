// `netc verify` on every spec in specs/ with seeded random weights: the tfjs
// model and the ONNX model agree within 1e-4.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyJson } from "./verify-helper.js";

const root = join(import.meta.dirname, "..", "..");
const specs = readdirSync(join(root, "specs")).filter((f) => f.endsWith(".net"));

describe("netc verify, random weights", () => {
  afterEach(() => vi.restoreAllMocks());
  for (const spec of specs) {
    it(spec, async () => {
      const { code, result } = await verifyJson({ spec: join(root, "specs", spec), seed: 1 });
      console.log(`${spec}: maxAbsDiff ${result.maxAbsDiff.toExponential(2)} (${result.backend}) shape [${result.outputShape}]`);
      expect(result.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(code).toBe(0);
    }, 120_000);
  }
});
