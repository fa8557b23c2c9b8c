// Random valid programs: formatting keeps the AST and the comments, and a
// second run changes nothing.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import type { FileHost } from "../../src/check/program.js";
import { formatSource } from "../../src/format/index.js";
import { parse } from "../../src/syntax/parse.js";
import { stripSpans } from "../syntax/helpers.js";
import { mutation } from "../check/mutations.js";
import { checkRoundTrip } from "./roundtrip.js";

const sp = fc.constantFrom(" ", "  ", "\t");
const opt = (a: fc.Arbitrary<string>) => fc.option(a, { nil: "" });

const names = fc.constantFrom("a", "c1", "k", "classes", "größe", "x_2");
const numbers = fc.constantFrom("0", "64", "0.4", ".5", "1e-4", "2.5E3", "159K", "1.5G", "1e999", "9".repeat(30));
const dims = fc.constantFrom("3x3", "1x7", "3x224x224", "2x2");

const { expr } = fc.letrec<{ expr: string; atom: string }>((tie) => ({
  atom: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    numbers,
    names,
    fc.constantFrom('"s"', '"a\\"b"', "true", "false"),
    fc.tuple(fc.constantFrom("min", "max"), fc.array(tie("expr"), { minLength: 0, maxLength: 3 })).map(([f, as]) => `${f}(${as.join(", ")})`),
    tie("expr").map((e) => `(${e})`),
    fc.array(tie("expr"), { minLength: 2, maxLength: 3 }).map((es) => `(${es.join(",")})`),
  ),
  expr: fc.oneof(
    { depthSize: "small" },
    tie("atom"),
    fc.tuple(tie("atom"), fc.constantFrom("+", "-", "*", "/", "%"), sp, tie("atom")).map(([a, o, s, b]) => `${a}${s}${o}${s}${b}`),
    fc.tuple(fc.constantFrom("-", "+"), tie("atom")).map(([o, a]) => `${o}${a}`),
  ),
}));

const attr = fc.oneof(
  fc.tuple(dims, opt(fc.constantFrom("/2", "/s", "/(k + 1)"))).map(([d, s]) => d + s),
  fc.tuple(names, expr).map(([k, v]) => `${k}=${v}`),
  fc.tuple(names, fc.oneof(numbers, dims)).map(([k, v]) => `${k} ${v}`),
  names,
  expr.map((e) => `(${e})`),
  numbers,
);
const annotation = fc.oneof(
  fc.tuple(fc.constantFrom("->", "<-"), fc.oneof(dims, numbers, names, fc.constant("(c, 28, 28)"))).map(([d, v]) => `${d} ${v}`),
  fc.tuple(fc.constantFrom("params", "macs"), fc.constantFrom("=", "~"), numbers, opt(fc.constant(" tol 3%"))).map(([m, r, n, t]) => `${m} ${r} ${n}${t}`),
);
const trailing = opt(fc.constantFrom(" // note", "  // x = 1 { }", " /// doc-looking"));

const { stmt } = fc.letrec<{ stmt: string; layer: string; body: string }>((tie) => ({
  layer: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(fc.constantFrom("conv", "maxpool", "relu", "lrn"), fc.array(attr, { maxLength: 4 })).map(([op, as]) => [op, ...as].join(" ")),
    fc.tuple(fc.constantFrom("Inception", "Aux"), fc.array(fc.oneof(expr, expr.map((e) => `n=${e}`)), { maxLength: 3 })).map(([b, as]) => `${b}(${as.join(", ")})`),
    tie("body").map((b) => `seq ${b}`),
    fc.tuple(fc.constantFrom("concat", "add relu"), tie("body")).map(([m, b]) => `${m} ${b}`),
    fc.tuple(numbers, opt(fc.constant(" as i")), tie("body")).map(([n, i, b]) => `repeat ${n}${i} ${b}`),
  ),
  body: fc.oneof(
    fc.array(tie("stmt"), { maxLength: 3 }).map((ss) => `{ ${ss.join("; ")} }`),
    fc.array(fc.tuple(tie("stmt"), trailing, fc.constantFrom("\n", "\n\n", "\n  // own line\n")), { maxLength: 3 }).map((ss) => `{\n${ss.map(([s, t, nl]) => s + t + nl).join("")}}`),
  ),
  stmt: fc
    .tuple(opt(fc.constantFrom("x = ", 'y=', '"n m" = ')), tie("layer"), opt(fc.constant(" from x")), opt(fc.constant(" weight 0.3")), fc.array(annotation, { maxLength: 2 }))
    .map(([n, l, f, w, as]) => [n + l + f + w, ...as].join(" ")),
}));

const netItem = fc.oneof(
  stmt,
  fc.constantFrom("input image 3x224x224", "input (c, h, w)", "input 10", "defaults { conv: relu, pad=same; pool ceil }", "train {\n lr 0.01 decay=0.96\n batch 32 }"),
  fc.tuple(fc.constantFrom("stem", "body", "head"), fc.array(fc.tuple(stmt, trailing), { maxLength: 3 })).map(([k, ss]) => `${k} {\n${ss.map(([s, t]) => s + t).join("\n")}\n}`),
);

const program = fc
  .tuple(
    opt(fc.constant("// header\n\n")),
    opt(fc.constant('import "lib/x.net"\n')),
    fc.array(fc.tuple(opt(fc.constant("/// doc\n")), fc.array(fc.tuple(stmt, trailing), { maxLength: 4 })), { maxLength: 2 }),
    fc.array(fc.tuple(netItem, trailing, fc.constantFrom("\n", "\n\n\n", ";")), { maxLength: 6 }),
  )
  .map(([h, imp, blocks, items]) => {
    const bs = blocks.map(([d, ss], i) => `${d}block B${i}(a, b = 2) {\n${ss.map(([s, t]) => s + t).join("\n")}\n}\n`).join("\n");
    return `${h}${imp}${bs}network N(classes = 10) {\n${items.map(([s, t, nl]) => s + (nl === ";" ? "" : t) + nl).join("")}\n}\n// end\n`;
  });

describe("formatter properties", () => {
  test("random valid programs round-trip", () => {
    let valid = 0;
    fc.assert(
      fc.property(program, (text) => {
        if (parse(text, "p.net").diagnostics.length > 0) return; // the generator is loose; skip what does not parse
        valid++;
        checkRoundTrip(text, "p.net");
      }),
      { numRuns: 200 },
    );
    if (valid < 60) throw new Error(`only ${valid} of 200 generated programs parsed`);
  });
});

const root = join(new URL(".", import.meta.url).pathname, "../..");
const corpus = [
  ...["googlenet.net", "googlenet-torchvision.net", "broken/beginner-googlenet.net", "lib/inception.net"].map((f) => join(root, "specs", f)),
  ...readdirSync(join(root, "test/baselines/cases")).filter((f) => f.endsWith(".net")).map((f) => join(root, "test/baselines/cases", f)),
].map((f) => readFileSync(f, "utf8"));
const library = readFileSync(join(root, "specs/lib/inception.net"), "utf8");
const host: FileHost = { readFile: (p) => (p.endsWith("lib/inception.net") ? library : undefined) };
const specPath = join(root, "specs/mutated.net");

/** What the checker says, without positions (formatting moves text). */
const said = (text: string) => checkText(text, specPath, host).diagnostics.map((d) => `${d.code} ${d.message}`);

describe("formatter on mutated specs", () => {
  test("output parses to the same AST and diagnostics as its input, and formatting it again changes nothing", () => {
    let formatted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...corpus).chain(mutation), (text) => {
        const before = parse(text, specPath);
        const once = formatSource(text, specPath);
        if (before.diagnostics.some((d) => d.severity === "error")) {
          // Syntax errors: fmt refuses and leaves the text alone.
          expect(once.text).toBe(text);
          return;
        }
        formatted++;
        const after = parse(once.text, specPath);
        expect(after.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(before.diagnostics.map((d) => `${d.code} ${d.message}`));
        expect(stripSpans(after.file.items)).toEqual(stripSpans(before.file.items));
        expect(said(once.text)).toEqual(said(text));
        expect(formatSource(once.text, specPath).text).toBe(once.text);
      }),
      { numRuns: 300, seed: 9 },
    );
    expect(formatted).toBeGreaterThan(30);
  });
});
