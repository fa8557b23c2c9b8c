// The fast path of parse() (src/syntax/fast.ts) builds the AST of error-free
// items without chevrotain. With it and without it, parse() must give the same
// AST and diagnostics, byte for byte (undefined fields and their order
// included): on a varied set of statements, whole and in tiny pieces, and on
// seeded mutations of them (which the fast path must give up on, or parse
// exactly as chevrotain does).
import { afterEach, describe, expect, it } from "vitest";
import { parse, pieces } from "../../src/syntax/parse.js";
import { fastPath } from "../../src/syntax/fast.js";
// @ts-ignore: plain JS, shared with the `npm run fuzz` script
import { Rng } from "../../scripts/fuzz/rng.js";
// @ts-ignore
import { mutate } from "../../scripts/fuzz/mutate.js";
// @ts-ignore
import { makeCase } from "../../scripts/fuzz/engine.js";
// @ts-ignore
import { loadCorpus } from "../../scripts/fuzz/mutate.js";

const root = new URL("../..", import.meta.url).pathname;

/** Network statements and items the fast path knows, one a line. */
const STATEMENTS = [
  "conv 3x3 64",
  "c1 = conv 3x3 16 relu pad=same -> 16x32x32 // a comment",
  "maxpool 2x2/2",
  "maxpool 3x3/(s + 1) -> (c, h / 2, w / 2)",
  "conv 3x3 c pad=1 bn relu; conv 3x3 c pad=1 bn",
  "conv kernel 3x3 stride 2 lr 1e-4 64",
  "dense classes -> 10",
  "avgpool global",
  "dropout 0.5",
  "dense 10K",
  "conv 1x1 (c * 2 + 1) groups=c / 4 -> c*2",
  "conv 1x1 -c +4 - -2",
  "conv 1x1 min(a, b) max(1, c) f()",
  "conv 1x1 (1, 2, 3) (x)",
  "conv 1x1 8 true false flag",
  "conv 1x1 not x and y or not not z",
  "conv 1x1 a == b and c != d or e < f",
  "conv 1x1 a % 3 >= 1 - 2",
  "b0 = B0(8)",
  "b1 = Inception(c, k = 3, s = (1, 2))",
  "b2 = Empty()",
  "seq { conv 3x3 8; relu }",
  "seq {\n    conv 3x3 8\n\n    relu\n  } -> 8x8x8",
  "concat { conv 1x1 8; seq { conv 3x3 8 } } <- 8x8x8",
  "add relu { identity; conv 1x1 c }",
  "mul axis=1 { sigmoid; identity }",
  "repeat 3 { conv 3x3 8 }",
  "repeat n as i { conv 3x3 (8 * i) }",
  "if cin != c { conv 1x1 c } else { identity }",
  "if a > 1 {\n    conv 1x1 c\n  }\n  else {\n    identity\n  }",
  "if x { identity }",
  "x = dense 10 from nowhere",
  "y = conv 3x3 8 weight 0.5 * 2",
  "conv 3x3 8 params ~ 1000 macs = 2M tol 5 %",
  "conv 3x3 8 params = 584 -> 8x8x8 <- c",
  "input 8x8x8",
  "input image 3x32x32",
  "input x (3, h, w)",
  "input c",
  "defaults { conv relu pad=same }",
  "defaults { conv: bn, relu; dense bias=false\n    pool 2x2 }",
  "defaults {}",
  "train { epochs 10; lr 0.1 decay=1e-4\n    optimizer sgd }",
  "stem { conv 7x7/2 64; maxpool 3x3/2 }",
  "body { b = B0(8) }",
  "head { avgpool global; flatten; dense 10 }",
  "/// A documented layer.\n  /// On two lines.\n  doc = conv 1x1 8",
  "conv 1x1 8 /// not a doc: after code",
];

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

const show = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (v === undefined ? "@undefined" : typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `@${String(v)}` : v));

/** parse() with the fast path off and on, as JSON that shows undefined fields. */
function both(text: string): { off: string; on: string; hits: number } {
  fastPath.enabled = false;
  const off = show(parse(text, "/t.net"));
  fastPath.enabled = true;
  const hits = fastPath.hits;
  const on = show(parse(text, "/t.net"));
  return { off, on, hits: fastPath.hits - hits };
}

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
