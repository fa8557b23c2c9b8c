// The ModelProto itself: opset, names, shapes, doc strings, what is left out,
// determinism, BN folding and the weights' layout.
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import { emitOnnx, OUTPUT_NAME } from "../../src/emit/onnx/index.js";
import { checkText } from "../../src/check/index.js";
import { initWeights } from "../../src/ir/weights.js";
import { graphs } from "./graphs.js";
import { IrBuilder } from "./ir-builder.js";
import { runOrt, randomInput } from "./harness.js";

const { onnx } = onnxProto;
const decode = (b: Uint8Array) => onnx.ModelProto.decode(b);
const dims = (v: { type?: { tensorType?: { shape?: { dim?: { dimValue?: unknown; dimParam?: string | null }[] | null } | null } | null } | null }) =>
  v.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));

function small() {
  const g = new IrBuilder("Small", [3, 8, 8], "image", "specs/small.net");
  const c = g.conv("stem/conv", 0, { out: 4, kernel: 3, pads: 1, bias: false });
  const b = g.bn("stem/bn", c, 1e-3, "relu");
  const p = g.pool("pool", "maxpool", b, { kernel: 3, stride: 2, ceil: true });
  const aux = g.inAux("aux1", () => g.dense("aux1/fc", g.flatten("aux1/flat", p), 3));
  void aux;
  const f = g.flatten("flat", g.dropout("drop", p));
  return g.build(g.dense("fc", f, 10));
}

describe("ModelProto", () => {
  it("uses opset 17, IR version 8, the spec's input name and a symbolic batch", () => {
    const m = decode(emitOnnx(small()).model);
    expect(Number(m.irVersion)).toBe(8);
    expect(m.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([["", 17]]);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(["image"]);
    expect(dims(m.graph!.input![0]!)).toEqual(["N", 3, 8, 8]);
    expect(m.graph!.output!.map((o) => o.name)).toEqual([OUTPUT_NAME]);
    expect(dims(m.graph!.output![0]!)).toEqual(["N", 10]);
  });

  it("names nodes after IR paths, leaves out aux heads and dropout, folds BN", () => {
    const m = decode(emitOnnx(small()).model);
    expect(m.graph!.node!.map((n) => [n.opType, n.name])).toEqual([
      ["Conv", "stem/conv"],
      ["Relu", "stem/conv/relu"],
      ["MaxPool", "pool"],
      ["Flatten", "flat"],
      ["Gemm", "fc"],
    ]);
    const unfolded = decode(emitOnnx(small(), { foldBatchNorm: false }).model);
    const bn = unfolded.graph!.node!.find((n) => n.opType === "BatchNormalization")!;
    expect(bn.name).toBe("stem/bn");
    expect(bn.attribute!.find((a) => a.name === "epsilon")!.f).toBeCloseTo(1e-3, 9);
    expect(unfolded.graph!.initializer!.map((t) => t.name)).toEqual([
      "stem/conv.weight",
      "stem/bn.weight",
      "stem/bn.bias",
      "stem/bn.running_mean",
      "stem/bn.running_var",
      "fc.weight",
      "fc.bias",
    ]);
  });

  it("value_info carries the IR shape of every intermediate", () => {
    const graph = small();
    const m = decode(emitOnnx(graph).model);
    const info = new Map(m.graph!.valueInfo!.map((v) => [v.name, dims(v)]));
    // The folded conv writes the BN's value.
    expect(info.get("stem/bn")).toEqual(["N", 4, 8, 8]);
    expect(info.get("pool")).toEqual(["N", 4, 4, 4]);
    expect(info.get("flat")).toEqual(["N", 64]);
    const produced = m.graph!.node!.flatMap((n) => n.output!).filter((o) => o !== OUTPUT_NAME);
    for (const v of produced) expect(info.has(v), v).toBe(true);
  });

  it("doc_string carries file:line:col from the IR, not from the file (which need not exist)", () => {
    const text = ["network Small {", "  input x 3x8x8", "  c = conv 3x3 4 pad=1", "    p = maxpool 3x3/2 ceil", "}", ""].join("\n");
    const r = checkText(text, "/nowhere/small.net");
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const m = decode(emitOnnx(r.graph!).model);
    // A node's location is its op (`conv`, `maxpool`), not the statement's name.
    expect(m.graph!.node!.find((n) => n.name === "c")!.docString).toBe("/nowhere/small.net:3:7");
    expect(m.graph!.node!.find((n) => n.name === "p")!.docString).toBe("/nowhere/small.net:4:9");
    expect(m.graph!.docString).toBe("/nowhere/small.net:1:1");
  });

  it("writes conv pads explicitly, never auto_pad", () => {
    const m = decode(emitOnnx(graphs().same_7x7!).model);
    const conv = m.graph!.node!.find((n) => n.opType === "Conv")!;
    const pads = conv.attribute!.find((a) => a.name === "pads")!.ints!.map(Number);
    expect(pads).toEqual([2, 2, 3, 3]);
    expect(conv.attribute!.some((a) => a.name === "auto_pad")).toBe(false);
  });

  it("is deterministic: same graph and seed give identical bytes; another seed differs", () => {
    for (const graph of Object.values(graphs())) {
      const a = emitOnnx(graph, { seed: 3 }).model;
      const b = emitOnnx(graph, { seed: 3 }).model;
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    }
    const g = small();
    expect(Buffer.from(emitOnnx(g, { seed: 1 }).model).equals(Buffer.from(emitOnnx(g, { seed: 2 }).model))).toBe(false);
  });

  it("copies canonical weights unchanged (conv OIHW, dense [units, in])", () => {
    const graph = small();
    const w = initWeights(graph, 5);
    const m = decode(emitOnnx(graph, { weights: w, foldBatchNorm: false }).model);
    const t = m.graph!.initializer!.find((i) => i.name === "fc.weight")!;
    expect(t.dims!.map(Number)).toEqual([10, 64]);
    const got = new Float32Array(Uint8Array.from(t.rawData!).buffer);
    expect(Array.from(got)).toEqual(Array.from(w.get("fc")!.kernel!));
  });

  it("runs at batch 1 and 2 with the IR's output shape", async () => {
    for (const [name, graph] of Object.entries({ small: small(), ...graphs() })) {
      const { model } = emitOnnx(graph);
      const per = graph.inputShape.reduce((a, b) => a * b, 1);
      for (const n of [1, 2]) {
        const r = await runOrt(model, graph.inputName, [n, ...graph.inputShape], randomInput(per * n));
        expect(r.dims, name).toEqual([n, ...graph.nodes[graph.output]!.shape]);
        expect(r.outputName).toBe(OUTPUT_NAME);
      }
    }
  });

  it("rejects weights of the wrong size with a clear message", () => {
    const graph = small();
    const w = initWeights(graph, 0);
    w.set("fc", { kernel: new Float32Array(3), bias: new Float32Array(10) });
    expect(() => emitOnnx(graph, { weights: w })).toThrow(/fc.*kernel has 3 values, expected 640/);
  });
});
