// The checker's resolution table and IR origins: what the editor answers from.

import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";

const path = "/virtual/resolutions.net";
const host = { readFile: () => undefined };
const text = [
  "block Pair(c) {", // offsets of names are looked up below
  "  conv 3x3 c pad=same bn",
  "  conv 1x1 c",
  "}",
  "network N(w = 2 * 3) {",
  "  input image 3x8x8",
  "  a = seq { x = conv 3x3 4 pad=same }",
  "  b = seq { x = conv 3x3 8 pad=same; y = conv 1x1 w from x }",
  "  p = Pair(c=5)",
  "  repeat 2 { conv 1x1 4 }",
  "}",
].join("\n");
const at = (needle: string, from = 0) => text.indexOf(needle, from);

describe("resolutions and origins", () => {
  const r = checkText(text, path, host);
  const g = r.graph!;

  it("checks cleanly", () => {
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("a `from` tap resolves to the declaration in its own seq", () => {
    const use = r.resolutions.uses.find((u) => u.span.offset === at("from x") + 5)!;
    expect(use.decl).toMatchObject({ name: "x", kind: "layer", span: { offset: at("x = conv 3x3 8"), length: 1 } });
  });

  it("callees, argument names and parameter uses resolve to their declarations", () => {
    const kinds = (offset: number) => r.resolutions.uses.filter((u) => u.span.offset === offset).map((u) => `${u.decl.kind}:${u.decl.name}@${u.decl.span.offset}`);
    expect(kinds(at("Pair(c=5)"))).toEqual([`block:Pair@${at("Pair")}`]);
    expect(kinds(at("c=5"))).toEqual([`param:c@${at("c)")}`]);
    expect(kinds(at("c pad=same bn"))).toEqual([`param:c@${at("c)")}`]);
    expect(kinds(at("w from"))).toEqual([`param:w@${at("w =")}`]);
    const c = r.resolutions.values.filter((v) => v.decl.name === "c");
    expect(c.map((v) => [v.call?.path, v.value, v.text])).toEqual([["p", "5", "5"]]);
    expect(r.resolutions.values.find((v) => v.decl.name === "w")).toMatchObject({ value: "6", call: undefined });
  });

  it("every node has an origin: one per statement instance, with its call chain", () => {
    for (const n of g.nodes) expect(g.origins[n.origin]).toBeDefined();
    const conv = g.nodes.find((n) => n.name === "p/conv1")!;
    const bn = g.nodes.find((n) => n.name === "p/conv1/bn")!;
    expect(bn.origin).toBe(conv.origin);
    const o = g.origins[conv.origin]!;
    expect(o).toMatchObject({ path: "p/conv1", span: { offset: at("conv 3x3 c") } });
    expect(g.origins[o.call!]).toMatchObject({ path: "p", span: { offset: at("p = Pair") }, call: undefined });
    // A repeat makes one origin per iteration for the same statement.
    const reps = g.nodes.filter((n) => n.name.startsWith("repeat1/"));
    expect(reps).toHaveLength(2);
    expect(new Set(reps.map((n) => n.origin)).size).toBe(2);
    expect(new Set(reps.map((n) => g.origins[n.origin]!.span.offset)).size).toBe(1);
  });

  it("names after an error still resolve, with no follow-on unknown-name error", () => {
    const broken = "network B {\n  input image 3x8x8\n  p = conv 3x3 nope\n  q = conv 1x1 4\n  r = relu from q\n}\n";
    const b = checkText(broken, path, host);
    // One error: the tap of a layer that failed is not a second, unknown-name error.
    expect(b.diagnostics.map((d) => d.code)).toEqual(["NET2013"]);
    const use = b.resolutions.uses.find((u) => u.span.offset === broken.indexOf("from q") + 5);
    expect(use?.decl).toMatchObject({ name: "q", kind: "layer", span: { offset: broken.indexOf("q =") } });
  });
});
