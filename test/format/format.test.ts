import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatSource } from "../../src/format/index.js";
import { parse } from "../../src/syntax/parse.js";
import { checkRoundTrip } from "./roundtrip.js";

const root = new URL("../../", import.meta.url).pathname;

function netFiles(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(netFiles(p));
    else if (n.endsWith(".net")) out.push(p);
  }
  return out;
}

describe("formatSource", () => {
  const files = [...netFiles(join(root, "specs")), ...netFiles(join(root, "test/syntax/fixtures")), ...netFiles(join(root, "test/format/fixtures"))];
  test.each(files.map((f) => [f.slice(root.length), f]))("%s: idempotent, same AST, same comments", (_name, file) => {
    const text = readFileSync(file as string, "utf8");
    if (parse(text, file as string).diagnostics.length > 0) return; // broken on purpose
    checkRoundTrip(text, file as string);
  });

  test("canonical style", () => {
    const messy = [
      "// header",
      "import   \"lib/a.net\"",
      "block  B( a,b = 2 )<-a{",
      "",
      "",
      "  conv 3x3/2   a*2 pad = 1   relu   // trailing",
      "     // own line",
      "  x=seq{conv 1x1 a;relu}   ->  3x3",
      "  seq {",
      "    a",
      "  }",
      "}",
      "network N(classes=10){ input image 3x8x8",
      "defaults{conv:relu,pad=same}",
      "stem { lrn 5 alpha 1e-4 beta 0.75 ; maxpool 3x3/2 }",
      "aux = Aux( classes = classes*2 ) from x weight .3 params~1.5M tol 2%",
      "}",
    ].join("\n");
    expect(checkRoundTrip(messy)).toBe(
      [
        "// header",
        'import "lib/a.net"',
        "",
        "block B(a, b = 2) <- a {",
        "  conv 3x3/2 a * 2 pad=1 relu // trailing",
        "  // own line",
        "  x = seq { conv 1x1 a; relu } -> 3x3",
        "  seq {",
        "    a",
        "  }",
        "}",
        "",
        "network N(classes = 10) {",
        "  input image 3x8x8",
        "  defaults {",
        "    conv: relu pad=same",
        "  }",
        "  stem {",
        "    lrn 5 alpha 1e-4 beta 0.75",
        "    maxpool 3x3/2",
        "  }",
        "  aux = Aux(classes=classes*2) from x weight .3 params ~ 1.5M tol 2%",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("blank lines: at most one kept inside braces, exactly one between top-level items", () => {
    const text = "block A() {\n  a\n\n\n\n  b\n  c\n}\nblock B() {\n\n  d\n\n}\n\n\n\nnetwork N {\n  e\n}\n";
    expect(checkRoundTrip(text)).toBe("block A() {\n  a\n\n  b\n  c\n}\n\nblock B() {\n  d\n}\n\nnetwork N {\n  e\n}\n");
  });

  test("a one-line seq that no longer fits in 100 columns is broken up", () => {
    const stmts = Array.from({ length: 12 }, (_, i) => `conv 3x3 ${i + 100}`).join("; ");
    const out = checkRoundTrip(`network N {\n  x = seq { ${stmts} }\n  y = seq { a; b }\n}\n`);
    expect(out).toContain("  x = seq {\n    conv 3x3 100\n    conv 3x3 101\n");
    expect(out).toContain("  y = seq { a; b }\n");
    for (const line of out.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  test("values that would read back differently keep their parentheses", () => {
    const out = checkRoundTrip("network N {\n  conv 3x3 (k) 64 (-1) (a + b) * 2 x=(a, b)\n  \"a b\" = relu\n}\n");
    expect(out).toContain("conv 3x3 (k) 64 (-1) (a + b) * 2 x=(a, b)");
    expect(out).toContain('"a b" = relu');
  });

  test("comments stay in place", () => {
    const text = "// top\n\n/// doc\nnetwork N { // after brace\n  /// s doc\n  conv // t\n  x = Inception(1, // inside\n    2)\n  // before close\n} // after close\n// end\n";
    const out = checkRoundTrip(text);
    expect(out).toBe(
      "// top\n\n/// doc\nnetwork N {\n  // after brace\n  /// s doc\n  conv // t\n  x = Inception(1, 2)\n  // inside\n  // before close\n} // after close\n\n// end\n",
    );
  });

  test("refuses files with syntax errors", () => {
    const text = "network N {\n  conv 3x3 )\n}\n";
    const r = formatSource(text, "bad.net");
    expect(r.text).toBe(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET1001"]);
  });

  test("empty file and comment-only file", () => {
    expect(formatSource("", "e.net").text).toBe("");
    expect(formatSource("\n\n// only\n\n", "e.net").text).toBe("// only\n");
  });

  test("hostile specs: literals keep their text, long parenthesised chains round-trip or are refused", () => {
    // 1e300G is Infinity: printing the value gave `tol Infinity%`, which does not parse.
    expect(checkRoundTrip("network N {\n  input 3x8x8\n  conv 1x1 4 params ~ 16 tol 1e300G%\n}\n")).toContain("tol 1e300G%");
    // Two 499-term groups: the first loses its parentheses, the AST (and the operator count) stays.
    const group = Array(499).fill("1").join("+");
    const out = checkRoundTrip(`network N {\n  input 3x8x8\n  conv 1x1 (${group})+(${group})\n}\n`);
    expect(out).toContain(" + (1 + 1");
    // Past the limit fmt refuses, with NET1010, instead of failing (exit 70) or dropping parentheses.
    for (const text of [`network N {\n  conv 1x1 ${Array(5000).fill("(1)").join("+")}\n}\n`, `network N {\n  conv 1x1 (${Array(600).fill("1").join("+")})+(${Array(600).fill("1").join("+")})\n}\n`]) {
      const r = formatSource(text, "ops.net");
      expect(r.text).toBe(text);
      expect(r.diagnostics.map((d) => d.code)).toEqual(["NET1010"]);
    }
    checkRoundTrip('network N {\n  input 3x8x8\n  "x/bn" = conv 1x1 8\n  conv 1x1 4 toString constructor\n  conv 1x1 valueOf(1)\n}\n');
  });

  test("doc comments: trailing blanks are not part of the doc; a '///' moved out of an item does not become the next one's doc", () => {
    checkRoundTrip("network N {\n  input 3x8x8\n  /// padded doc   \n  conv 1x1 4\n}\n");
    const out = checkRoundTrip("network N {\n  input 8x8x8\n  B(1 /// not a doc\n, 2)\n  B(1, 2)\n}\n");
    expect(out).toBe("network N {\n  input 8x8x8\n  B(1, 2)\n  /// not a doc\n\n  B(1, 2)\n}\n");
  });
});
