// parse() must never throw, must finish, and must keep every
// diagnostic span inside the text, whatever it is given.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { MAX_DEPTH } from "../../src/syntax/prepass.js";
import { describe, expect, test } from "vitest";
import { parse } from "../../src/syntax/parse.js";
import { spans } from "./helpers.js";

const example = readFileSync(new URL("./fixtures/googlenet-example.net", import.meta.url), "utf8");

function check(text: string) {
  // Speed is the benchmarks' business (npm run bench); a hang fails the test's timeout.
  const r = parse(text, "p.net");
  for (const d of r.diagnostics) {
    expect(d.span.offset).toBeGreaterThanOrEqual(0);
    expect(d.span.length).toBeGreaterThanOrEqual(0);
    expect(d.span.offset + d.span.length).toBeLessThanOrEqual(text.length);
    expect(d.code).not.toBe("NET9001");
  }
  for (const { span } of spans(r.file.items)) {
    expect(span.offset).toBeGreaterThanOrEqual(0);
    expect(span.offset + span.length).toBeLessThanOrEqual(text.length);
  }
  return r;
}

const TOKENS = [
  "block", "network", "import", "input", "defaults", "train", "stem", "body", "head", "seq", "concat", "add",
  "repeat", "as", "from", "weight", "params", "macs", "tol", "true", "false", "conv", "relu", "x", "Inception",
  "3x3", "7x7/2", "64", "1e-4", "159K", "1e999", '"s"', '"open', "{", "}", "(", ")", ",", ";", "=", ":", "->",
  "<-", "/", "*", "+", "-", "%", "~", "\n", " ", "// c\n", "/// d\n", "#", "é", "\t",
];

const mutation = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant("dup" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant("swap" as const), at: fc.nat(), len: fc.nat() }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), len: fc.integer({ min: 0, max: TOKENS.length - 1 }) }),
);

function mutate(text: string, ms: { op: string; at: number; len: number }[]): string {
  for (const m of ms) {
    const at = m.at % (text.length + 1);
    if (m.op === "delete") text = text.slice(0, at) + text.slice(at + m.len);
    else if (m.op === "dup") text = text.slice(0, at + m.len) + text.slice(at, at + m.len) + text.slice(at + m.len);
    else if (m.op === "insert") text = text.slice(0, at) + TOKENS[m.len] + text.slice(at);
    else {
      const b = m.len % (text.length + 1);
      const [i, j] = at < b ? [at, b] : [b, at];
      if (i < j && j < text.length) text = text.slice(0, i) + text[j] + text.slice(i + 1, j) + text[i] + text.slice(j + 1);
    }
  }
  return text;
}

describe("parse never throws", () => {
  test("random strings", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (s) => void check(s)), { numRuns: 300 });
  });

  test("random token soup", () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((ts) => ts.join(" "));
    const tight = fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((ts) => ts.join(""));
    fc.assert(fc.property(fc.oneof(soup, tight), (s) => void check(s)), { numRuns: 400 });
  });

  test("mutated copies of a valid spec", () => {
    fc.assert(fc.property(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => void check(mutate(example, ms))), { numRuns: 300 });
  });

  test("deep nesting is a diagnostic, not a stack overflow", () => {
    for (const [open, close] of [["seq {", "}"], ["(", ")"], ["{", "}"], ["add { seq { conv (", ") } }"]]) {
      const n = 10_000;
      const text = `network N {\n x = ${open.repeat(n)} relu ${close.repeat(n)}\n}\n`;
      const r = check(text);
      expect(r.diagnostics.map((d) => d.code)).toContain("NET1005");
    }
    const bare = check("(".repeat(10_000) + "\n" + "seq {".repeat(10_000));
    expect(bare.diagnostics.length).toBeGreaterThan(0);
    const deepUnclosed = check(`network N {\n x = ${"seq { ".repeat(10_000)}`);
    expect(deepUnclosed.diagnostics.map((d) => d.code)).toContain("NET1005");
  });

  test("nesting up to the limit parses", () => {
    // MAX_DEPTH open brackets in all: the network's brace, seqs and parentheses.
    const seqs = Math.floor((MAX_DEPTH - 1) / 2);
    const parens = MAX_DEPTH - 1 - seqs;
    const text = `network N {\n x = ${"seq { ".repeat(seqs)}conv ${"(".repeat(parens)}1${")".repeat(parens)}${" }".repeat(seqs)}\n}\n`;
    expect(check(text).diagnostics).toEqual([]);
  });

  test("long operator chains and sign runs", () => {
    const chain = check(`network N {\n conv ${"1 + ".repeat(20_000)}1\n relu\n}`);
    expect(chain.diagnostics.map((d) => d.code)).toEqual(["NET1010"]);
    const signs = check(`network N {\n conv ${"-".repeat(20_000)}1\n}`);
    expect(signs.diagnostics.map((d) => d.code)).toContain("NET1010");
    expect(check(`network N {\n conv ${"1 + ".repeat(500)}1\n}`).diagnostics).toEqual([]);
  });

  test("huge numbers lex fine", () => {
    const r = check(`network N {\n conv ${"9".repeat(400)} 1e999 ${"1".repeat(30)}x3\n}`);
    expect(r.diagnostics).toEqual([]);
  });

  test("a large file is refused with NET1007", () => {
    const r = parse("x".repeat(9 * 1024 * 1024), "big.net");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET1007"]);
  });
});
