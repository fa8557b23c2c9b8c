// Checkpoint layout conversion: canonical <-> tfjs is a bijection, and a model
// built from the plan gives back exactly the canonical weights it was given.
import { describe, expect, it } from "vitest";
import { initWeights } from "../../src/ir/weights.js";
import { featureOrder, fromTfjsWeights, toTfjsWeights } from "../../src/runtime/checkpoint-layout.js";
import { convGraph, poolGraph } from "./graphs.js";

describe("weight layout", () => {
  for (const [name, make] of [["conv (depthwise, flatten->dense)", convGraph], ["pool (concat of flattened vectors)", poolGraph]] as const) {
    it(`round-trips ${name}`, () => {
      const g = make();
      const w = initWeights(g, 7);
      const tf = toTfjsWeights(g, w);
      const back = fromTfjsWeights(g, tf);
      expect([...back.keys()]).toEqual([...w.keys()]);
      for (const [k, v] of w) for (const key of Object.keys(v) as (keyof typeof v)[]) expect(back.get(k)![key]).toEqual(v[key]);
    });
  }

  it("permutes dense rows from H,W,C to C,H,W after a flatten", () => {
    const g = convGraph();
    const flat = g.nodes.find((n) => n.name === "flatten")!;
    const [c, h, w] = g.nodes[flat.inputs[0]!]!.shape as [number, number, number];
    const perm = featureOrder(g, flat.id)!;
    // tfjs feature (y, x, k) is IR feature (k, y, x)
    expect(perm[(1 * w + 2) * c + 3]).toBe(3 * h * w + 1 * w + 2);
  });

  it("names the missing weight", () => {
    const g = convGraph();
    const tf = toTfjsWeights(g, initWeights(g, 1));
    tf.delete("fc/kernel");
    expect(() => fromTfjsWeights(g, tf)).toThrow(/no weight 'fc\/kernel'/);
  });
});
