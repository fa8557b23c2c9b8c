// Bugs the fuzzer found, minimised (see scripts/fuzz).
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { formatSource } from "../../src/format/index.js";
import { parse } from "../../src/syntax/parse.js";
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
