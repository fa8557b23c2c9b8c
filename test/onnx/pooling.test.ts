// Pooling is where ONNX and PyTorch conventions part: ceil-mode sizes and the
// average divisor. Many random window configurations, each against the reference.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { planPool } from "../../src/emit/onnx/pool-plan.js";
import { poolOut } from "../../src/ir/geometry.js";
import { ADAPTIVE_MATRIX_LIMIT } from "../../src/emit/onnx/ops.js";
import { compareWithReference } from "./harness.js";
import { IrBuilder } from "./ir-builder.js";
import { poolSize } from "../reference/ops.js";

const { onnx } = onnxProto;

const config = fc
  .record({
    h: fc.integer({ min: 3, max: 12 }),
    w: fc.integer({ min: 3, max: 12 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
    ceil: fc.boolean(),
    cip: fc.boolean(),
  })
  // PyTorch's rule: padding at most half the kernel; the window fits the padded input.
  .map((c) => ({ ...c, pads: [c.pads[0] % (Math.floor(c.kh / 2) + 1), c.pads[1] % (Math.floor(c.kw / 2) + 1), c.pads[2] % (Math.floor(c.kh / 2) + 1), c.pads[3] % (Math.floor(c.kw / 2) + 1)] as [number, number, number, number] }))
  .filter((c) => c.h + c.pads[0] + c.pads[2] >= c.kh && c.w + c.pads[1] + c.pads[3] >= c.kw);

describe("pooling", () => {
  it("random max/avg windows equal the reference (sizes and values)", async () => {
    await fc.assert(
      fc.asyncProperty(config, async (c) => {
        const g = new IrBuilder("pool", [2, c.h, c.w]);
        const opts = { kernel: [c.kh, c.kw] as [number, number], stride: [c.sh, c.sw] as [number, number], pads: c.pads, ceil: c.ceil, countIncludePad: c.cip };
        const m = g.pool("max", "maxpool", 0, opts);
        const a = g.pool("avg", "avgpool", 0, opts);
        const graph = g.build(g.concat("cat", [g.flatten("fm", m), g.flatten("fa", a)]));
        const r = await compareWithReference(graph, { batch: 1 });
        expect(r.dims).toEqual(r.expectedDims);
        expect(r.maxDiff).toBeLessThan(1e-5);
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it("the IR's ceil size (which onnxruntime's ceil_mode computes too, as pool-plan relies on) follows the reference", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.nat(2), fc.nat(2), (n, k, s, p0, p1) => {
        fc.pre(p0 <= k / 2 && p1 <= k / 2 && n + p0 + p1 >= k);
        expect(poolOut(n, k, s, p0, p1, true)).toBe(poolSize(n, k, s, p0, p1, true));
      }),
    );
  });

  it("keeps ceil_mode=1 for GoogLeNet's max pools", () => {
    const g = new IrBuilder("pool", [64, 112, 112]);
    const graph = g.build(g.pool("pool1", "maxpool", 0, { kernel: 3, stride: 2, ceil: true }));
    expect(graph.nodes[1]!.shape).toEqual([64, 56, 56]);
    const model = onnx.ModelProto.decode(emitOnnx(graph).model);
    const attrs = Object.fromEntries(model.graph!.node![0]!.attribute!.map((a) => [a.name, a]));
    expect(Number(attrs.ceil_mode!.i)).toBe(1);
    expect(attrs.auto_pad).toBeUndefined();
  });

  it("adaptive pooling past the averaging-matrix limit averages slices, exactly, in bounded size", async () => {
    // Tall and wide inputs whose matrices would pass ADAPTIVE_MATRIX_LIMIT on one side only, then both.
    for (const [h, w, out] of [[ADAPTIVE_MATRIX_LIMIT / 2 + 3, 5, [3, 2]], [4, ADAPTIVE_MATRIX_LIMIT / 4 + 1, [3, 5]], [1031, 997, [70, 80]]] as const) {
      const g = new IrBuilder("adaptive_big", [1, h, w]);
      const graph = g.build(g.flatten("f", g.adaptive("a", 0, [out[0], out[1]])));
      const r = await compareWithReference(graph, { batch: 1 });
      expect(r.dims).toEqual(r.expectedDims);
      expect(r.maxDiff).toBeLessThan(1e-5);
    }
    // Side 2^31 - 1: the model stays small (it cannot run: the input alone is 2^64 floats).
    const g = new IrBuilder("adaptive_huge", [4, 2147483647, 2147483647]);
    const graph = g.build(g.adaptive("a", 0, [3, 3]));
    expect(emitOnnx(graph).model.length).toBeLessThan(64 * 1024);
  });

  it("writes AveragePool with a ceil overhang in the explicit form", () => {
    const plan = planPool("avgpool", [11, 10], [3, 3], [2, 2], [1, 1, 1, 1], true, [6, 6]);
    expect(plan).toEqual({ prePad: [1, 1, 1, 1], pads: [0, 0, 0, 1], ceilMode: 0, countIncludePad: 0 });
  });
});
