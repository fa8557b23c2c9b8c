// The zoo's figures: every spec checks without errors and counts exactly the
// parameters and multiply-accumulates torchvision's model counts (the table in
// figures.ts, from scripts/torchvision-figures.py).

import { describe, expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { zoo } from "./figures.js";

describe("model zoo: torchvision figures", () => {
  for (const z of zoo) {
    test(z.file, () => {
      const r = checkFile(z.file);
      const problems = r.diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.file}:${d.span.offset} ${d.message}`);
      expect(problems).toEqual([]);
      const g = r.graph!;
      expect(g.params).toBe(z.params);
      expect(g.paramsWithAux).toBe(z.paramsWithAux ?? z.params);
      expect(g.macs).toBe(z.macs);
    });
  }
});
