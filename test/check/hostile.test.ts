// Inputs written to break the checker: words that are members of every
// JavaScript object, expressions that are huge only through parentheses,
// and quoted names that spell another layer's generated path.
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { formatSource } from "../../src/format/index.js";

const check = (body: string) => checkText(`network N {\n  input 3x8x8\n${body}\n}\n`, "/tmp/hostile.net", { readFile: () => undefined });
const codes = (body: string) => check(body).diagnostics.map((d) => d.code);
const messages = (body: string) => check(body).diagnostics.map((d) => `${d.code} ${d.message}`);

describe("hostile specs", () => {
  it("names of Object.prototype members are unknown names, never internal errors", () => {
    expect(messages("  conv 1x1 valueOf(1)")).toEqual(["NET2014 Unknown function 'valueOf'. The functions are min, max, floor, ceil, round, int, div, make_divisible, log, pow, range, len, sum, at, count, unique."]);
    const conv = messages("  conv 1x1 4 toString constructor");
    expect(conv.map((m) => m.slice(0, m.indexOf(" conv takes")))).toEqual([
      "NET2013 Unknown attribute 'toString' for conv.",
      "NET2013 Unknown attribute 'constructor' for conv.",
    ]);
    expect(messages("  relu\n  train { optimizer __proto__ }")).toEqual(["NET2013 Unknown attribute '__proto__' for train optimizer."]);
    expect(codes("  relu\n  train { __proto__ 1 }")).toEqual(["NET4009"]);
    expect(codes("  relu\n  train { lr hasOwnProperty=1 }")).toEqual(["NET2013"]);
    expect(codes("  defaults { conv: __proto__, constructor=1 }\n  conv 1x1 4")).toEqual(["NET2013", "NET2013"]);
    for (const word of ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "isPrototypeOf"]) {
      const all = [...codes(`  conv 1x1 ${word}(2)`), ...codes(`  conv 1x1 4 ${word}`), ...codes(`  ${word} 3`), ...codes(`  conv 1x1 4 ${word}=1`)];
      expect(all).not.toContain("NET9001");
      expect(all.length).toBe(4);
    }
  });

  it("the operator limit counts parentheses: a long chain is NET1010, not a stack overflow", () => {
    expect(codes(`  conv 1x1 ${Array(5000).fill("(1)").join("+")}`)).toEqual(["NET1010"]);
    expect(codes(`  conv 1x1 ${Array(5000).fill("((1))").join("*")}`)).toEqual(["NET1010"]);
    // The cut keeps the ')' of parentheses opened before it: here they close on a dangling 'not'.
    expect(codes(`  conv 1x1 (${"not ".repeat(2000)}true)`)).toEqual(["NET1010", "NET1001"]);
    const group = Array(600).fill("1").join("+");
    expect(messages(`  conv 1x1 (${group})+(${group})`)).toEqual([
      "NET1010 Expected at most 1000 operators in one statement but found more; split the expression up (a block parameter can hold a part).",
    ]);
    // 1000 operators still check: the value is 1001 channels.
    expect(check(`  conv 1x1 ${Array(1001).fill("(1)").join("+")}`).graph?.nodes.at(-1)?.shape).toEqual([1001, 8, 8]);
    // The count starts again at each statement.
    expect(codes(`  conv 1x1 ${Array(900).fill("1").join("+")}\n  conv 1x1 ${Array(900).fill("1").join("+")}`)).toEqual([]);
  });

  it("tuples computed in every repeat iteration stop at the elaboration's budget (NET4012), reported once", () => {
    const big = "sum(range(10000) + range(10000) + range(10000) + range(10000) + range(10000))";
    const r = messages(`  repeat 10000 { conv 1x1 (1 + 0 * ${big}) }`);
    expect(r).toEqual(["NET4012 Elaboration stopped: more than 10000000 tuple elements computed (check repeat counts and recursion)."]);
    // The same expression a few times is well within it.
    expect(codes(`  repeat 10 { conv 1x1 (1 + 0 * ${big}) }`)).toEqual([]);
  });

  it("a quoted name that spells a generated path is NET2017, with the first layer related", () => {
    const bn = check('  x = conv 1x1 8 bn\n  "x/bn" = conv 1x1 8');
    expect(bn.diagnostics.map((d) => d.code)).toEqual(["NET2017"]);
    expect(bn.diagnostics[0]!.related.map((r) => r.message)).toEqual(["the first layer named 'x/bn'"]);
    expect(bn.graph).toBeUndefined();
    expect(codes('  a = seq { b = conv 1x1 8 }\n  "a/b" = conv 1x1 8')).toEqual(["NET2017"]);
    expect(codes('  "a/b" = conv 1x1 8\n  a = seq { b = conv 1x1 8 }')).toEqual(["NET2017"]);
    expect(codes('  "a/b" = conv 1x1 8\n  a = seq { c = conv 1x1 8 }')).toEqual([]);
    // A plain duplicate stays one NET2004.
    expect(codes("  x = conv 1x1 8\n  x = conv 1x1 8")).toEqual(["NET2004"]);
  });

  it("a tolerance too large for a literal keeps its text", () => {
    const r = check("  conv 1x1 4 params = 17\n  conv 1x1 4 params ~ 1 tol 1e300G%");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET4003"]);
  });

  it("the deepest trees the limits allow check and format", () => {
    const deepest = [
      `  conv 1x1 ${"(".repeat(30)}${"- ".repeat(1000)}1${")".repeat(30)}`,
      `  x = if ${"not ".repeat(1000)}true { relu }`,
      `  conv 1x1 ${"1+(".repeat(30)}1${")".repeat(30)}${"*1".repeat(969)}`,
    ];
    for (const body of deepest) {
      const text = `network N {\n  input 3x8x8\n${body}\n}\n`;
      expect(checkText(text, "/tmp/deep.net").diagnostics).toEqual([]);
      expect(formatSource(text, "/tmp/deep.net").diagnostics).toEqual([]);
    }
  });
});
