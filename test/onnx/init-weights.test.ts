// The seeded initialiser: deterministic, per-node streams, and the statistics of
// the schemes it claims (He normal for conv, Glorot uniform for dense).
import { describe, expect, it } from "vitest";
import { initWeights } from "../../src/ir/weights.js";
import { join } from "node:path";
import { checkFile } from "../../src/check/index.js";

const bytes = (a?: Float32Array) => (a ? Buffer.from(a.buffer, a.byteOffset, a.byteLength) : Buffer.alloc(0));

describe("initWeights", () => {
  const graph = checkFile(join(new URL(".", import.meta.url).pathname, "../../specs/googlenet-torchvision.net")).graph!;
  const a = initWeights(graph, 7);

  it("is deterministic and depends on the seed", () => {
    const b = initWeights(graph, 7);
    const c = initWeights(graph, 8);
    for (const [k, w] of a) {
      expect(bytes(b.get(k)!.kernel).equals(bytes(w.kernel)), k).toBe(true);
      if (w.kernel) expect(bytes(c.get(k)!.kernel).equals(bytes(w.kernel)), k).toBe(false);
    }
  });

  it("skipping nodes does not change the others", () => {
    const some = initWeights(graph, 7, (n) => n.id % 2 === 0);
    for (const [k, w] of some) expect(bytes(a.get(k)!.kernel).equals(bytes(w.kernel)), k).toBe(true);
  });

  it("draws He normal for convolutions and Glorot uniform for dense layers", () => {
    for (const n of graph.nodes) {
      const w = a.get(n.name);
      if (!w?.kernel || w.kernel.length < 20000) continue;
      const k = w.kernel;
      const mean = k.reduce((s, x) => s + x, 0) / k.length;
      const std = Math.sqrt(k.reduce((s, x) => s + (x - mean) ** 2, 0) / k.length);
      const inputs = graph.nodes[n.inputs[0]!]!.shape;
      if (n.attrs.op === "conv") {
        const fan = (inputs[0]! / n.attrs.groups) * n.attrs.kernel[0] * n.attrs.kernel[1];
        expect(std / Math.sqrt(2 / fan), n.name).toBeCloseTo(1, 1);
        expect(Math.abs(mean) / std, n.name).toBeLessThan(0.05);
      } else if (n.attrs.op === "dense") {
        const limit = Math.sqrt(6 / (n.attrs.units + inputs[0]!));
        expect(k.reduce((m, x) => Math.max(m, Math.abs(x)), 0)).toBeLessThanOrEqual(limit);
        expect(std / (limit / Math.sqrt(3)), n.name).toBeCloseTo(1, 1);
      }
    }
  });
});
