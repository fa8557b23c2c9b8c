// The shipped specs give the figures the issue and the frameworks give.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { summaryJson } from "../../src/summary/table.js";

const specs = join(new URL(".", import.meta.url).pathname, "../../specs");

describe("specs/googlenet.net (paper and Caffe)", () => {
  const r = checkFile(join(specs, "googlenet.net"));
  it("checks without errors or warnings", () => expect(r.diagnostics).toEqual([]));
  const g = r.graph!;
  it("counts Caffe's bvlc_googlenet parameters exactly", () => {
    expect(g.params).toBe(6_998_552);
    // Each aux head: conv 1x1 512/528 -> 128, dense 2048 -> 1024, dense 1024 -> 1000 (with biases).
    const aux1 = 512 * 128 + 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000;
    const aux2 = 528 * 128 + 128 + 2048 * 1024 + 1024 + 1024 * 1000 + 1000;
    expect(g.paramsWithAux).toBe(g.params + aux1 + aux2);
  });
  it("reproduces the paper's output size for every row of Table 1", () => {
    const rows = summaryJson(g).layers;
    const shape = (name: string) => rows.find((l) => l.name === name)?.shape.join("x");
    const table1: [string, string][] = [
      ["stem/conv1", "64x112x112"], ["stem/pool1", "64x56x56"], ["stem/conv2", "192x56x56"], ["stem/pool2", "192x28x28"],
      ["inception3a", "256x28x28"], ["inception3b", "480x28x28"], ["pool3", "480x14x14"],
      ["inception4a", "512x14x14"], ["inception4b", "512x14x14"], ["inception4c", "512x14x14"], ["inception4d", "528x14x14"],
      ["inception4e", "832x14x14"], ["pool4", "832x7x7"], ["inception5a", "832x7x7"], ["inception5b", "1024x7x7"],
      ["head/pool5", "1024x1x1"], ["head/classifier", "1000"],
    ];
    for (const [name, s] of table1) expect(shape(name), name).toBe(s);
  });
  it("has the two auxiliary heads with loss weight 0.3 and no dropout in inference totals", () => {
    expect(g.auxOutputs.map((a) => [a.name, a.weight])).toEqual([["aux1", 0.3], ["aux2", 0.3]]);
    expect(g.nodes.filter((n) => n.attrs.op === "lrn").map((n) => n.attrs)).toEqual([
      { op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, bias: 1 },
      { op: "lrn", size: 5, alpha: 1e-4, beta: 0.75, bias: 1 },
    ]);
  });
  it("names nodes by path", () => {
    expect(g.nodes.map((n) => n.name)).toContain("inception4a/b2/conv1");
    expect(g.nodes.map((n) => n.name)).toContain("aux1/dense1");
  });
});

describe("specs/googlenet-torchvision.net", () => {
  const r = checkFile(join(specs, "googlenet-torchvision.net"));
  it("checks without errors or warnings", () => expect(r.diagnostics).toEqual([]));
  it("totals exactly torchvision's 6,624,904 and 13,004,888 parameters", () => {
    expect(r.graph!.params).toBe(6_624_904);
    expect(r.graph!.paramsWithAux).toBe(13_004_888);
  });
  it("uses BatchNorm eps 0.001 after every bias-free conv, and 3x3 in the '5x5' branch", () => {
    const g = r.graph!;
    const convs = g.nodes.filter((n) => n.attrs.op === "conv");
    expect(convs.every((c) => c.attrs.op === "conv" && !c.attrs.bias)).toBe(true);
    const bns = g.nodes.filter((n) => n.attrs.op === "batchnorm");
    expect(bns.length).toBe(convs.length);
    expect(bns.every((b) => b.attrs.op === "batchnorm" && b.attrs.eps === 0.001)).toBe(true);
    const b3 = g.nodes.find((n) => n.name === "inception3a/b3/conv2")!;
    expect(b3.attrs.op === "conv" && b3.attrs.kernel).toEqual([3, 3]);
  });
});

describe("specs/broken/beginner-googlenet.net", () => {
  const r = checkFile(join(specs, "broken/beginner-googlenet.net"));
  it("reports both mistakes, each on its own line, and nothing else", () => {
    const text = r.program.files.get(r.program.entry)!.text;
    const line = (offset: number) => text.slice(0, offset).split("\n").length;
    const errors = r.diagnostics.map((d) => ({ code: d.code, line: line(d.span.offset), message: d.message }));
    expect(errors.map((e) => [e.code, e.line])).toEqual([["NET3001", 31], ["NET3002", 34]]);
    expect(errors[0]!.message).toContain("expects 192 input channels but 256 arrive (256x56x56)");
    expect(errors[1]!.message).toContain("expects 1024 input features but 480 arrive");
  });
});
