// The zoo's figures: every spec checks without errors and counts exactly the
// parameters torchvision counts, with multiply-accumulates within 3% of the
// published GFLOPS (torchvision's model cards count one multiply-add as one FLOP).

import { describe, expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";

interface Figures {
  file: string;
  params: number;
  paramsWithAux?: number;
  gmacs: number;
}

export const zoo: Figures[] = [
  { file: "specs/zoo/alexnet.net", params: 61_100_840, gmacs: 0.714 },
  { file: "specs/zoo/vgg16.net", params: 138_357_544, gmacs: 15.47 },
  { file: "specs/zoo/resnet18.net", params: 11_689_512, gmacs: 1.814 },
  { file: "specs/zoo/resnet50.net", params: 25_557_032, gmacs: 4.089 },
  { file: "specs/zoo/inception-v3.net", params: 23_834_568, paramsWithAux: 27_161_264, gmacs: 5.713 },
  { file: "specs/zoo/mobilenet-v2.net", params: 3_504_872, gmacs: 0.301 },
];

describe("model zoo: torchvision figures", () => {
  for (const z of zoo) {
    test(z.file, () => {
      const r = checkFile(z.file);
      const problems = r.diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.file}:${d.span.offset} ${d.message}`);
      expect(problems).toEqual([]);
      const g = r.graph!;
      if (process.env.ZOO_PRINT) console.log(`${z.file}: params ${g.params} withAux ${g.paramsWithAux} macs ${g.macs} (${((g.macs / (z.gmacs * 1e9) - 1) * 100).toFixed(2)}%)`);
      expect(g.params).toBe(z.params);
      expect(g.paramsWithAux).toBe(z.paramsWithAux ?? z.params);
      expect(Math.abs(g.macs / (z.gmacs * 1e9) - 1)).toBeLessThanOrEqual(0.03);
    });
  }
});
