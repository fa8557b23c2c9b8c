// src/syntax/recover.ts recovers from syntax errors in the lines of a long
// network as chevrotain's networkRest would, without chevrotain. Its oracle is
// chevrotain itself: parse() with it (the fast path on) and without it (off)
// must give the same AST and diagnostics, byte for byte, on seeded mutations
// of statement lines, and it must take a large share of them (or the
// comparison proves nothing). The lookahead decisions it hard-codes are
// checked against the paths chevrotain computes from the grammar.
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "../../src/syntax/parse.js";
import { fastPath } from "../../src/syntax/fast.js";
import { STATEMENTS, show, withAndWithout } from "./helpers.js";
import { getParser } from "../../src/syntax/parser.js";
import { getLookaheadPaths } from "../../src/syntax/chevrotain.js";
// @ts-ignore: plain JS, shared with the `npm run fuzz` script
import { Rng } from "../../scripts/fuzz/rng.js";

/** Network items, one a line (most of them statements of the forms recover.ts knows), and some it leaves to chevrotain. */
const LINES = [...STATEMENTS, "conv 1x1 a < b < c", 'conv 1x1 "a string"'];
/** What a mutation inserts or puts in place of a token. */
const TOKENS = ["(", ")", ",", "+", "-", "*", "=", "x", "1", "3x3", "/", "->", "<-", "params", "macs", "~", "tol", "%", "from", "weight", "not", "and", ";", "\n", "f(", "}", "{", "seq", ":", "==", "<", "true", "if", "input", "y ="];

/** The line in the middle of a network long enough to be parsed in pieces. */
function network(line: string): string {
  const pad = "  conv 3x3 8 relu\n".repeat(40);
  return `network N {\n  input 8x8x8\n${pad}  ${line}\n${pad}}\n`;
}

function mutated(i: number): string {
  const r = Rng.forCase(2026, i);
  const words = (r.pick(LINES) as string).split(" ");
  for (let k = r.range(1, 3); k > 0; k--) {
    const at = r.int(words.length + 1);
    const roll = r.next();
    if (roll < 0.4) words.splice(at, 0, r.pick(TOKENS));
    else if (roll < 0.7) words.splice(at, 1);
    else words[at] = r.pick(TOKENS);
  }
  return words.filter((w) => w !== undefined).join(" ");
}

/** parse() without recover.ts and the fast path, and with them; whether recover.ts took a piece. */
function both(text: string): { off: string; on: string; recovered: boolean } {
  const { off, on, recovered } = withAndWithout(text);
  return { off, on, recovered: recovered > 0 };
}

describe("recovery without chevrotain (recover.ts)", () => {
  afterEach(() => {
    fastPath.enabled = true;
  });

  it("gives chevrotain's diagnostics and partial AST for common mistakes", () => {
    const cases: [string, string[]][] = [
      ["conv 3x3 (1 +) 8", ["Expected an expression but found ')'."]],
      ["conv 3x3 1 + ) 8", ["Expected an expression but found ')'."]],
      ["conv 3x3, 64", ["Expected the end of the statement (a new line, ';' or '}') but found ','."]],
      ["conv 3x3 (1 2) 8", ["Expected ')' but found '2'.", "Expected the end of the statement (a new line, ';' or '}') but found ')'."]],
      ["x = )", ["Expected a layer (an op such as conv, a block call, seq, concat, add, mul or repeat) but found ')'."]],
      ["b = B(1, )", ["Expected an expression but found ')'."]],
      ["conv 3x3 8 params ~ x", ["Expected a number but found 'x'."]],
    ];
    for (const [line, messages] of cases) {
      const text = network(line);
      const { off, on, recovered } = both(text);
      expect(recovered, line).toBe(true);
      expect(on, line).toBe(off);
      const found = parse(text, "/t.net").diagnostics.filter((d) => d.code === "NET1001").map((d) => d.message);
      expect(found, line).toEqual(messages);
    }
    // The statement is kept, lowered from what was parsed: `(1 +)` is a sum with no right operand.
    const net = parse(network("conv 3x3 (1 +) 8"), "/t.net").file.items[0]!;
    const st = net.kind === "network" ? net.items[41] : undefined;
    expect(show(st && st.kind === "statement" && st.layer?.kind === "op" && st.layer.attrs.map((a) => a.kind))).toBe('["dimsAttr","valueAttr","valueAttr"]');
  });

  it("gives chevrotain's AST and diagnostics on mutated lines, and takes most of them", () => {
    let recovered = 0;
    const n = 1200;
    for (let i = 0; i < n; i++) {
      const line = mutated(i);
      const { off, on, recovered: took } = both(network(line));
      if (on !== off) expect(on, `mutation ${i}: ${JSON.stringify(line)}`).toBe(off);
      if (took) recovered++;
    }
    // The rest are lines the fast path takes whole, and forms left to chevrotain
    // (strings, inputs, defaults, sections, bodies in braces): 27% with this seed.
    expect(recovered).toBeGreaterThan(n * 0.2);
  });

  it("makes the decisions chevrotain's lookahead makes", () => {
    // recover.ts decides each OR, OPTION and MANY on the tokens below; the
    // alternatives that need two tokens are the gated ones, as in fast.ts.
    const rules = getParser().getGAstProductions();
    const paths = (rule: string, prodType: "Alternation" | "Repetition" | "Option", occurrence = 0) =>
      getLookaheadPaths({ occurrence, rule: rules[rule]!, prodType, maxLookahead: 2 }).map((alt) => alt.map((p) => p.map((t) => t.name).join(" ")));
    const expr = ["Not", "Minus", "Plus", "NumberLit", "StringLit", "True", "False", "Ident", "LParen"];
    expect(paths("networkRest", "Repetition")).toEqual([["NL", "Semi", "Input", "Defaults", "Train", "Stem", "Body", "Head", "Ident", "StringLit", "Seq", "Concat", "Add", "Mul", "Repeat", "If"], ["RBrace"]]);
    expect(paths("opLayer", "Repetition")).toEqual([["Dims", "Ident", "Not", "Minus", "Plus", "NumberLit", "StringLit", "True", "False", "LParen"], [""]]);
    expect(paths("statement", "Repetition")).toEqual([["Arrow", "BackArrow", "Params", "Macs"], [""]]);
    expect(paths("callExpr", "Option")).toEqual([expr, ["RParen"]]);
    expect(paths("blockCall", "Option")[0]!.slice().sort()).toEqual(expr.slice().sort());
    expect(paths("atom", "Alternation")).toEqual([["NumberLit"], ["StringLit"], ["True"], ["False"], ["Ident LParen"], ["Ident"], ["LParen"]]);
    expect(paths("end", "Alternation")).toEqual([["NL"], ["Semi"], [""]]);
    expect(paths("shapeAnnotation", "Alternation", 2)).toEqual([["Dims"], expr]);
    const layer = paths("layer", "Alternation");
    expect(layer[0]).toEqual(["Ident LParen"]);
    expect(layer[1]).toContain("Ident"); // any other Ident: an op layer
    const attr = paths("attr", "Alternation");
    expect(attr.slice(0, 4)).toEqual([["Dims"], ["Ident Equals"], ["Ident NumberLit", "Ident Dims"], ["Ident"]]);
    expect(attr[4]).toContain("Ident"); // after the gated ones, any Ident starts an expression
  });
});
