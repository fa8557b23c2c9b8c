// add and mul broadcast their branches (NumPy/PyTorch rules); scale and droppath
// shapes, parameters and MACs; the diagnostics for branches that do not broadcast.
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { formatSource } from "../../src/format/index.js";
import { weightShapes } from "../../src/ir/weights.js";

const check = (body: string, input = "8x6x6") => checkText(`network N {\n  input ${input}\n${body}\n}\n`, "/virtual/n.net");

describe("broadcasting merges", () => {
  it("squeeze-and-excitation: a Cx1x1 scale times the CxHxW input, fc1 then fc2", () => {
    const r = check("  mul { seq { gap; conv 1x1 2 relu; conv 1x1 8 sigmoid }; identity }");
    expect(r.diagnostics).toEqual([]);
    const g = r.graph!;
    const out = g.nodes[g.output]!;
    expect(out.attrs).toEqual({ op: "mul", act: "none" });
    expect(out.shape).toEqual([8, 6, 6]);
    expect(out.inputs.map((i) => g.nodes[i]!.shape)).toEqual([[8, 1, 1], [8, 6, 6]]);
    // Two 1x1 convolutions with biases: 8*2+2 then 2*8+8; MACs 16 + 16 (1x1 maps).
    expect(g.params).toBe(18 + 24);
    expect(g.macs).toBe(32);
    // torchvision's SqueezeExcitation: fc1 (squeeze) before fc2 (excite), in node (and state_dict) order.
    expect(g.nodes.filter((n) => n.attrs.op === "conv").map((n) => weightShapes(g, n).kernel)).toEqual([[2, 8, 1, 1], [8, 2, 1, 1]]);
  });

  it("a 1xHxW spatial gate and a broadcasting add with an activation", () => {
    const r = check("  mul { conv 1x1 1 sigmoid; identity }\n  add relu { gap; identity; conv 1x1 8 }");
    expect(r.diagnostics).toEqual([]);
    const g = r.graph!;
    expect(g.nodes.filter((n) => n.attrs.op === "mul")[0]!.shape).toEqual([8, 6, 6]);
    const add = g.nodes.find((n) => n.attrs.op === "add")!;
    expect(add.attrs).toEqual({ op: "add", act: "relu" });
    expect(add.shape).toEqual([8, 6, 6]);
    // Both sides of size 1 in different dimensions broadcast to the larger of each.
    const both = check("  mul { conv 1x1 1; gap }");
    expect(both.diagnostics).toEqual([]);
    expect(both.graph!.nodes[both.graph!.output]!.shape).toEqual([8, 6, 6]);
  });

  it("names both branches and shapes when they do not broadcast", () => {
    const r = check("  mul { conv 1x1 4; identity }");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET3004"]);
    expect(r.diagnostics[0]!.message).toContain("mul inputs do not broadcast: b1 4x6x6, b2 8x6x6");
    const flat = check("  add { seq { flatten; dense 8 }; identity }");
    expect(flat.diagnostics.map((d) => d.code)).toEqual(["NET3004"]);
    expect(flat.diagnostics[0]!.message).toContain("add inputs do not broadcast: b1 8, b2 8x6x6");
    const attr = check("  mul ceil { identity; identity }");
    expect(attr.diagnostics[0]!.message).toContain("mul takes an activation");
  });

  it("formats mul as it formats add", () => {
    const text = "network N {\n  input 8x6x6\n  mul   sigmoid {  identity ;identity }\n}\n";
    const f = formatSource(text, "/virtual/n.net").text;
    expect(f).toContain("mul sigmoid {");
    expect(checkText(f, "/virtual/n.net").diagnostics).toEqual([]);
  });
});

describe("scale and droppath", () => {
  it("scale owns C parameters stored [C,1,1], no MACs; on vectors [F]", () => {
    const r = check("  scale 1e-6\n  flatten\n  layerscale value=0.5");
    expect(r.diagnostics).toEqual([]);
    const g = r.graph!;
    const scales = g.nodes.filter((n) => n.attrs.op === "scale");
    expect(scales.map((n) => n.attrs)).toEqual([{ op: "scale", init: 1e-6 }, { op: "scale", init: 0.5 }]);
    expect(scales.map((n) => [n.params, n.macs])).toEqual([[8, 0], [288, 0]]);
    expect(g.params).toBe(8 + 288);
    expect(g.macs).toBe(0);
  });

  it("droppath keeps the shape, owns nothing and wants a rate below 1", () => {
    const r = check("  add { seq { conv 3x3 8 pad=1; droppath 0.2 }; identity }");
    expect(r.diagnostics).toEqual([]);
    const dp = r.graph!.nodes.find((n) => n.attrs.op === "droppath")!;
    expect(dp.attrs).toEqual({ op: "droppath", rate: 0.2 });
    expect([dp.params, dp.macs, dp.shape]).toEqual([0, 0, [8, 6, 6]]);
    expect(check("  droppath 1").diagnostics.length).toBeGreaterThan(0);
    expect(check("  droppath").diagnostics.length).toBeGreaterThan(0);
  });
});
