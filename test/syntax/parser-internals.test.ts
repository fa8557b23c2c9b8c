// NetParser replaces three pieces of chevrotain's machinery for speed (see
// parser.ts): its lookahead for gated alternations, its CST nodes' children
// object and its exception objects. Each must behave as chevrotain's own.
import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { CstNode, IToken } from "chevrotain";
import { NoViableAltException } from "../../src/syntax/chevrotain.js";
import { lex } from "../../src/syntax/lexer.js";
import { NetParser } from "../../src/syntax/parser.js";
// @ts-ignore: plain JS, shared with the `npm run fuzz` script
import { Rng } from "../../scripts/fuzz/rng.js";
// @ts-ignore
import { loadCorpus, mutate } from "../../scripts/fuzz/mutate.js";

const root = new URL("../..", import.meta.url).pathname;
const specs = execSync("git ls-files '*.net'", { cwd: root, encoding: "utf8" })
  .trim()
  .split("\n")
  .map((f) => readFileSync(root + f, "utf8"));

/** A CST with its errors as JSON: tokens by image and offset, every node's children in order. */
function run(parser: NetParser, text: string): string {
  parser.input = lex(text, "/t.net").tokens;
  let cst: CstNode;
  try {
    cst = parser.file();
  } catch (e) {
    // Deep nesting overflows a whole-file parse (parse() bounds it first, in the prepass): both must.
    if (e instanceof RangeError) return "stack overflow";
    throw e;
  }
  const errors = parser.errors.map((e) => ({ name: e.name, message: e.message, token: tokenText(e.token), resynced: e.resyncedTokens.length, context: e.context }));
  return JSON.stringify({ cst: node(cst), errors });
}
function tokenText(t: IToken): string {
  return `${t.tokenType.name}:${t.image}@${t.startOffset}${t.isInsertedInRecovery ? "+" : ""}`;
}
function node(n: CstNode): unknown {
  const children: Record<string, unknown[]> = {};
  for (const key of Object.keys(n.children)) children[key] = n.children[key]!.map((c) => ("image" in c ? tokenText(c as IToken) : node(c as CstNode)));
  return { name: n.name, location: n.location, recovered: n.recoveredNode === true, children };
}

describe("NetParser's replacements of chevrotain internals", () => {
  it("parses every spec and 400 mutations of them as stock chevrotain does", () => {
    const stock = new NetParser(false, { stockLookahead: true });
    const ours = new NetParser();
    const texts = [...specs];
    const corpus = loadCorpus(root) as { text: string }[];
    for (let i = 0; i < 400; i++) texts.push(mutate(Rng.forCase(91, i), corpus[i % corpus.length]!.text, 1 + (i % 4)) as string);
    let errors = 0;
    for (const [i, text] of texts.entries()) {
      const a = run(stock, text);
      const b = run(ours, text);
      if (a !== b) expect(b, `text ${i}: ${JSON.stringify(text.slice(0, 300))}`).toBe(a);
      if (a.includes('"errors":[{')) errors++;
    }
    // Most mutations are syntax errors: the recovery paths were exercised.
    expect(errors).toBeGreaterThan(250);
  });

  it("uses no CST key that Object.prototype has (children is a plain object)", () => {
    const parser = new NetParser();
    const keys = new Set<string>(Object.keys(parser.getGAstProductions()));
    // Terminals are keyed by their label or token name, sub-rules by label or rule name.
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === "object") {
        const o = x as Record<string, unknown>;
        for (const k of ["label", "name"]) if (typeof o[k] === "string") keys.add(o[k] as string);
        Object.values(o).forEach(walk);
      }
    };
    walk(parser.getSerializedGastProductions());
    expect(keys.size).toBeGreaterThan(50);
    for (const k of keys) expect(k in Object.prototype, k).toBe(false);
  });

  it("raises chevrotain's exception classes, with their fields", () => {
    const parser = new NetParser();
    for (let i = 0; i < 2; i++) {
      // The first error at a place is raised by chevrotain, later ones by NetParser.
      parser.input = lex("network N {\n  input 8x8x8\n  conv 3x3 (1 +) 8\n}\n", "/t.net").tokens;
      parser.file();
      const [e] = parser.errors;
      expect(e).toBeInstanceOf(NoViableAltException);
      expect(e).toBeInstanceOf(Error);
      expect(e!.name).toBe("NoViableAltException");
      expect(e!.message).toBe("an expression");
      expect(tokenText(e!.token)).toBe("RParen:)@41");
      expect(tokenText((e as unknown as { previousToken: IToken }).previousToken)).toBe("Plus:+@40");
      expect(e!.context.ruleStack.length).toBeGreaterThan(3);
    }
  });
});
