import { describe, expect, test } from "vitest";
import type * as A from "../../src/syntax/ast.js";
import { parse } from "../../src/syntax/parse.js";
import { offsetToPosition } from "../../src/syntax/positions.js";

function opNames(items: (A.NetworkItem | A.Statement)[]): string[] {
  return items.flatMap((i) => (i.kind === "statement" && i.layer?.kind === "op" ? [i.layer.op.name] : []));
}
function errorLines(text: string): number[] {
  return [...new Set(parse(text, "t.net").diagnostics.map((d) => offsetToPosition(text, d.span.offset).line))];
}

describe("error recovery", () => {
  test("each broken line is reported and the good statements around it are kept", () => {
    const text = "network N {\n  input 3x32x32\n  conv 3x3 64\n  conv 3x3 ) 64\n  relu\n  dense = = 3\n  maxpool 2x2/2\n  x = Inception(1, 2\n  softmax\n}\n";
    const r = parse(text, "t.net");
    expect(errorLines(text)).toEqual([3, 5, 7]);
    const n = r.file.items[0] as A.NetworkDecl;
    expect(opNames(n.items)).toEqual(expect.arrayContaining(["conv", "relu", "maxpool", "softmax"]));
  });

  test("messages use human wording", () => {
    const msgs = (t: string) => parse(t, "t.net").diagnostics.map((d) => d.message);
    expect(msgs("network N {\n  x = }\n")[0]).toMatch(/^Expected a layer \(an op such as conv, a block call, seq, .*\) but found '\}'\.$/);
    expect(msgs("network N {\n  conv 3x3 )\n}")[0]).toBe("Expected the end of the statement (a new line, ';' or '}') but found ')'.");
    expect(msgs("network N {\n  relu\n")[0]).toBe("Expected '}' but found the end of the file.");
    expect(msgs("network N {\n  conv 3x3 (\n}")[0]).toBe("Expected an expression but found the end of the line.");
    for (const m of msgs("block B( { conv -> }\nnetwork { relu }")) expect(m).not.toMatch(/Token|-->|\[|EOF/);
  });

  test("errors inside nested braces keep the enclosing structure", () => {
    const text = "network N {\n  stem {\n    conv 3x3 (\n  }\n  x = seq { conv 3x3 64 ) relu }\n  dense 10\n}\nblock B() { conv }\n";
    const r = parse(text, "t.net");
    expect(r.diagnostics.length).toBe(2);
    expect(r.file.items.map((i) => i.kind)).toEqual(["network", "block"]);
    const n = r.file.items[0] as A.NetworkDecl;
    expect(n.items.map((i) => i.kind)).toEqual(["section", "statement", "statement"]);
    expect(opNames(n.items)).toEqual(["dense"]);
  });

  test("junk at the top level: NET1006 and recovery to the next item", () => {
    const text = "conv 3x3\nrelu\nnetwork N { relu }\n}\nimport \"x\"";
    const r = parse(text, "t.net");
    expect(r.diagnostics.map((d) => [d.code, d.span.offset])).toEqual([["NET1006", 0], ["NET1006", 33]]);
    expect(r.file.items.map((i) => i.kind)).toEqual(["network", "import"]);
  });

  test("partial nodes leave fields undefined and spans inside the text", () => {
    const text = "block (a, { conv -> ; x = ; y = Foo(1,\n}\nnetwork";
    const r = parse(text, "t.net");
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.file.items.map((i) => i.kind)).toEqual(["block", "network"]);
    expect((r.file.items[0] as A.BlockDecl).name).toBeUndefined();
    expect((r.file.items[1] as A.NetworkDecl).name).toBeUndefined();
  });

  test("thousands of broken lines recover in a loop, not one stack frame per line", () => {
    // 1,500 lines after `block B` overflowed the stack; recovery is now iterative.
    const top = parse("block B\n" + "x\n".repeat(3000), "t.net").diagnostics;
    expect(top.map((d) => d.code)).not.toContain("NET9001");
    expect(top.length).toBe(3001);
    expect(top[1]!.message).toBe("Expected 'import', 'block' or 'network' but found 'x'.");
    for (const body of [")) = x\n", "= = =\n", "conv 3x3 ,\n", "conv 3x3 64 -> \n"]) {
      const r = parse("network N {\n  input 3x8x8\n" + body.repeat(3000) + "  relu\n}\n", "t.net");
      expect(r.diagnostics.map((d) => d.code)).not.toContain("NET9001");
      expect(r.diagnostics.length).toBeGreaterThanOrEqual(3000);
      expect(opNames((r.file.items[0] as A.NetworkDecl).items)).toContain("relu");
    }
  });
});
