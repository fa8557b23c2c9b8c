// Bugs the fuzzer found, minimised (see scripts/fuzz).
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { formatSource } from "../../src/format/index.js";
import { parse } from "../../src/syntax/parse.js";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { planTfjs } from "../../src/emit/tfjs/plan.js";
import { stripSpans } from "../syntax/helpers.js";

const host = { readFile: () => undefined };

describe("fuzz regressions", () => {
  it.each([
    "network N1{defaults{bn ceil,3x1}}",
    "network N1{defaults{dense bn,((1K)!=((c),((0.0)),k))}}",
    "network N1{defaults{bn ceil,-1}}",
    "/// trailing spaces in a doc comment   \nblock B(){repeat n{}}",
    "block Wide(/// a, b,\n           ){conv()}",
  ])("fmt keeps the tree of %j", (text) => {
    const once = formatSource(text, "t.net").text;
    const after = parse(once, "t.net");
    expect(after.diagnostics).toEqual([]);
    expect(stripSpans(after.file.items)).toEqual(stripSpans(parse(text, "t.net").file.items));
    expect(formatSource(once, "t.net").text).toBe(once);
  });

  it("a section written twice does not restart its automatic names", () => {
    const r = checkText("network Small {\n  input (1, 28, 28)\n  body { conv 3x3 32 }\n  body { conv 3x3 32 }\n}\n", "/t/s.net", host);
    expect(r.diagnostics).toEqual([]);
    const names = r.graph!.nodes.map((n) => n.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("fuzz regressions at scale", () => {
  it("130,000 diagnostics do not overflow the stack (push(...list) did: NET9001)", () => {
    const text = "network N {\n  input 8x8x8\n" + "  # \n".repeat(140_000) + "}\n";
    const r = checkText(text, "/t/e.net", host);
    expect(r.diagnostics.some((d) => d.code === "NET9001")).toBe(false);
    // The file keeps its first 100 syntax errors and counts the rest in one NET1017.
    expect(r.diagnostics.filter((d) => d.code === "NET1003").length).toBe(100);
    expect(r.diagnostics.find((d) => d.code === "NET1017")?.message).toContain("139900 more");
  });
});

describe("fuzz regressions: tfjs code for a flatten of a huge map", () => {
  // A feature order was built as a permutation as long as the map (RangeError: Invalid typed
  // array length: 64000000000); code needs only the flatten's [c, hw].
  it.each([
    ["one flatten", "network N {\n  input 3x8x8\n  conv 1x1 1G\n  flatten\n  relu\n  dense 10\n}\n"],
    ["an add of two flattens in one order", "network N {\n  input 3x8x8\n  a = conv 1x1 1G\n  add {\n    seq { flatten from a; relu }\n    flatten from a\n  }\n  dense 10\n}\n"],
  ])("%s: model.ts states the order as [c, hw]", async (_, text) => {
    const r = checkText(text, "/t/big.net", host);
    expect(r.diagnostics).toEqual([]);
    expect(planTfjs(r.graph!).diagnostics).toEqual([]);
    const files = await tfjsSources(r.graph!, { js: false, specPath: "big.net", netcVersion: "test" });
    expect(files.get("model.ts")).toContain("[10, 64000000000], { bias: true, flatten: [1000000000, 64] })");
  });

  it("vectors in different orders are still refused (NET6002): a flatten's [c, hw] against a dense layer's order", () => {
    const text = "network N {\n  input 3x8x8\n  a = conv 1x1 4\n  add {\n    seq { flatten from a; relu }\n    seq { flatten from a; dense 256 }\n  }\n}\n";
    const r = checkText(text, "/t/mixed.net", host);
    expect(r.diagnostics).toEqual([]);
    expect(planTfjs(r.graph!).diagnostics.map((d) => d.code)).toEqual(["NET6002"]);
  });
});
