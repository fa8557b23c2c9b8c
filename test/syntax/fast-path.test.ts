// The fast path of parse() (src/syntax/fast.ts) builds the AST of error-free
// items without chevrotain. With it and without it, parse() must give the same
// AST and diagnostics, byte for byte (undefined fields and their order
// included): on a varied set of statements, whole and in tiny pieces, and on
// seeded mutations of them (which the fast path must give up on, or parse
// exactly as chevrotain does).
import { afterEach, describe, expect, it } from "vitest";
import { pieces } from "../../src/syntax/parse.js";
import { fastPath } from "../../src/syntax/fast.js";
import { STATEMENTS, withAndWithout } from "./helpers.js";
// @ts-ignore: plain JS, shared with the `npm run fuzz` script
import { Rng } from "../../scripts/fuzz/rng.js";
// @ts-ignore
import { mutate } from "../../scripts/fuzz/mutate.js";
// @ts-ignore
import { makeCase } from "../../scripts/fuzz/engine.js";
// @ts-ignore
import { loadCorpus } from "../../scripts/fuzz/mutate.js";

const root = new URL("../..", import.meta.url).pathname;

/** Forms the fast path leaves to chevrotain: the file must still parse the same. */
const FALLBACKS = [
  '"quoted" = conv 3x3 8',
  'conv 1x1 "a string"',
  "conv 1x1 a < b < c",
  "input 3x8x8 { scale 1/255 }",
  "conv 3x3x 8",
  "conv 3x3 (1 +) 8",
  "conv 3x3 8 frob=",
  "seq { conv 3x3 8",
];

function header(i: number): string {
  return `/// Net ${i}\nnetwork N${i}(classes = 10, k) {\n  input 8x8x8\n`;
}

function texts(): [string, string][] {
  const out: [string, string][] = [];
  STATEMENTS.forEach((s, i) => out.push([`statement ${i}`, `${header(i)}  ${s}\n}\n`]));
  FALLBACKS.forEach((s, i) => out.push([`fallback ${i}`, `${header(i)}  ${s}\n}\n`]));
  out.push(["all statements", `${header(0)}${STATEMENTS.map((s) => `  ${s}\n`).join("")}}\n`]);
  out.push(["blocks", `/// A block.\nblock B(c, k = 3) <- cin -> c {\n  ${STATEMENTS.slice(0, 35).join("\n  ")}\n}\nblock Empty() {}\n\n\nnetwork M { input 8x8x8; b = B(8) }\n`]);
  out.push(["long", `network Long {\n  input 8x8x8\n${STATEMENTS.concat(FALLBACKS, STATEMENTS).map((s) => `  ${s}\n`).join("").repeat(4)}}\n`]);
  return out;
}

const both = withAndWithout;

describe("the fast path of parse()", () => {
  const savedPieces = pieces.tokens;
  afterEach(() => {
    fastPath.enabled = true;
    pieces.tokens = savedPieces;
  });

  it("gives chevrotain's AST for every form it takes, whole and in pieces", () => {
    for (const tokens of [savedPieces, 4, 2]) {
      pieces.tokens = tokens;
      for (const [name, text] of texts()) {
        const { off, on, hits } = both(text);
        if (on !== off) expect(on, `${name} (pieces of ${tokens})`).toBe(off);
        // Every clean statement is built by the fast path (or the test proves nothing).
        if (name.startsWith("statement") && tokens === savedPieces) expect(hits, name).toBe(1);
        if (name.startsWith("fallback") && tokens === savedPieces) expect(hits, name).toBe(0);
      }
    }
  });

  it("gives chevrotain's AST and diagnostics on mutated statements", () => {
    const base = texts().map(([, t]) => t);
    let built = 0;
    for (let i = 0; i < 800; i++) {
      const r = Rng.forCase(77, i);
      const text = mutate(r, base[i % base.length]!, 3) as string;
      pieces.tokens = i % 3 === 0 ? 4 : savedPieces;
      const { off, on, hits } = both(text);
      if (on !== off) expect(on, `mutation ${i}: ${JSON.stringify(text)}`).toBe(off);
      built += hits;
    }
    expect(built).toBeGreaterThan(200);
  });

  it("gives chevrotain's AST and diagnostics on fuzz cases", () => {
    const corpus = loadCorpus(root);
    let built = 0;
    for (let i = 0; i < 200; i++) {
      for (const [p, text] of makeCase(5151, i, corpus).files as Map<string, string>) {
        const { off, on, hits } = both(text);
        if (on !== off) expect(on, `case ${i} ${p}`).toBe(off);
        built += hits;
      }
    }
    expect(built).toBeGreaterThan(100);
  });
});
