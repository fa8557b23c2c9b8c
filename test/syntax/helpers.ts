// Shared test helpers: walk an AST, strip spans for structural comparison,
// parse with and without the fast path.
import type { Span } from "../../src/syntax/ast.js";
import { parse } from "../../src/syntax/parse.js";
import { fastPath } from "../../src/syntax/fast.js";
import { recovery } from "../../src/syntax/recover.js";

/** JSON that shows undefined fields, NaN, infinities and -0. */
export const show = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (v === undefined ? "@undefined" : typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `@${String(v)}` : v));

/**
 * parse() with the fast path (and recover.ts) off, then on, as show() writes
 * it; how many items and pieces the fast path built and recover.ts took.
 */
export function withAndWithout(text: string): { off: string; on: string; hits: number; recovered: number } {
  fastPath.enabled = false;
  const off = show(parse(text, "/t.net"));
  fastPath.enabled = true;
  const hits = fastPath.hits;
  const recovered = recovery.hits;
  const on = show(parse(text, "/t.net"));
  return { off, on, hits: fastPath.hits - hits, recovered: recovery.hits - recovered };
}

/** Every object in the tree that has a `span`, with the path leading to it. */
export function spans(node: unknown, path = "", out: { path: string; span: Span; node: any }[] = []) {
  if (Array.isArray(node)) node.forEach((n, i) => spans(n, `${path}[${i}]`, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "text" && path === "") continue;
      if ((k === "span" || k === "keyword") && v && typeof v === "object" && "offset" in v) out.push({ path: `${path}.${k}`, span: v as Span, node });
      else spans(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** The tree without spans (and without the file text), for equality checks. */
export function stripSpans(node: unknown): unknown {
  return JSON.parse(
    JSON.stringify(node, (k, v) => (k === "span" || k === "keyword" || k === "text" && typeof v === "string" && v.length > 200 ? undefined : v)),
  );
}

/** Network statements and items the fast path knows, one a line. */
export const STATEMENTS = [
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
