// Point 8 of issue 10: what reads one way to a Python or PyTorch user and
// another to netc gets a diagnostic, on both sides of each rule.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { evaluate, Env, functionNames } from "../../src/check/values.js";
import { formatSource } from "../../src/format/index.js";
import { parse } from "../../src/syntax/parse.js";
import type { Expr } from "../../src/syntax/ast.js";
import { checkRoundTrip } from "../format/roundtrip.js";

const root = join(new URL(".", import.meta.url).pathname, "../..");
const host = { readFile: () => undefined };
const check = (text: string) => checkText(text, "/tmp/habits.net", host);
const codes = (text: string) => check(text).diagnostics.map((d) => d.code);
const net = (body: string, params = "") => `network N${params} {\n  input x 3x8x8\n${body}\n}\n`;
const block = (params: string, body: string, call: string) => `block B(${params}) <- cin {\n${body}\n}\nnetwork N {\n  input 3x8x8\n  ${call}\n}\n`;

/** The value of `expr` as netc computes it. */
function value(expr: string): unknown {
  const f = parse(`network N {\n  conv 1x1 (${expr})\n}\n`, "v.net").file;
  const st = f.items[0]!.kind === "network" ? f.items[0]!.items[0]! : undefined;
  const attr = st?.kind === "statement" && st.layer?.kind === "op" ? st.layer.attrs[1] : undefined;
  const e = attr?.kind === "valueAttr" ? attr.value : undefined;
  const diagnostics: unknown[] = [];
  const v = evaluate(e as Expr, { file: "v.net", env: new Env(), diagnostics: diagnostics as never[] });
  return diagnostics.length ? diagnostics : v;
}

describe("built-in functions", () => {
  it("round() sends halves to the even neighbour, as Python's round() and torch.round", () => {
    // Python 3: [round(x) for x in [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, 3.5]]
    const xs = ["0.5", "1.5", "2.5", "-0.5", "-1.5", "-2.5", "2.4999", "2.5001", "3.5"];
    expect(xs.map((x) => value(`round(${x})`)).map((v) => (v === 0 ? 0 : v))).toEqual([0, 2, 2, 0, -2, -2, 2, 3, 4]);
  });

  it("make_divisible is torchvision's _make_divisible, fractional divisors included", () => {
    // torchvision 0.14: _make_divisible(v, d, min_value) for each case.
    const cases: [string, number][] = [
      ["32, 8", 32], ["16 * 0.75, 8", 16], ["24 * 0.35, 8", 8], ["40 * 1.1, 8", 48], ["3.9, 8", 8], ["100, 8", 104],
      ["96 * 0.5, 16", 48], ["10, 2.5", 10], ["9.9, 2.5", 10], ["1001, 8", 1000], ["12, 8, 16", 16], ["0.1, 8", 8],
    ];
    expect(cases.map(([args]) => value(`make_divisible(${args})`))).toEqual(cases.map(([, v]) => v));
  });

  it("int, div and % follow Python's int(), // and %", () => {
    expect(["int(-2.7)", "div(7, 2)", "div(-7, 2)", "div(7.5, 2)", "-7 % 3", "7 % -3"].map(value)).toEqual([-2, 3, -4, 3, 2, -2]);
  });

  it("log and pow are Python's math.log(x[, base]) and x ** y, in double precision", () => {
    // Python 3: [math.log(8, 2), math.log(1000, 10), math.log(1), 2 ** 10, 2.09 ** 3, 4 ** 0.5, (-2) ** 3, 0 ** 0]
    expect(["log(8, 2)", "log(1000, 10)", "log(1)", "pow(2, 10)", "pow(2.09, 3)", "pow(4, 0.5)", "pow(-2, 3)", "pow(0, 0)"].map(value))
      .toEqual([3, 2.9999999999999996, 0, 1024, 9.129328999999998, 2, -8, 1]);
    expect(value("log(2.718281828459045)")).toBe(1);
    // RegNetY-400MF's block capacities: torch.round(torch.log(widths_cont / w_0) / math.log(w_m)).
    expect(value("round(log((range(16) * 27.89 + 48) / 48, 2.09))")).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3]);
  });

  it("log and pow outside their domain say which argument and what it needs", () => {
    const message = (expr: string) => {
      const v = value(expr) as { code: string; message: string }[];
      return Array.isArray(v) && v.length === 1 ? `${v[0]!.code} ${v[0]!.message}` : JSON.stringify(v);
    };
    expect(message("log(0)")).toBe("NET4002 argument 1 of log expects a positive number, but got 0.");
    expect(message("log(-1, 2)")).toBe("NET4002 argument 1 of log expects a positive number, but got -1.");
    expect(message("log(8, 1)")).toBe("NET4002 argument 2 of log expects a positive base other than 1, but got 1.");
    expect(message("log(8, 0)")).toBe("NET4002 argument 2 of log expects a positive base other than 1, but got 0.");
    expect(message("pow(-8, 1 / 3)")).toMatch(/^NET4002 argument 2 of pow expects a whole exponent for a negative base, but got 0\.333/);
    expect(message("pow(0, -1)")).toBe("NET4002 argument 2 of pow expects an exponent of 0 or more for a base of 0, but got -1.");
    expect(message("pow(10, 400)")).toMatch(/^NET4007 This expression: the value Infinity is too large/);
    expect(message("log(range(3))")).toBe("NET4002 argument 1 of log expects a positive number, but got 0.");
    expect(message("make_divisible(10, 0)")).toBe("NET4002 argument 2 of make_divisible expects a positive divisor, but got 0.");
    expect(message("log()")).toBe("NET4002 log expects 1 to 2 arguments, but got 0 argument(s).");
  });

  it("tuples: range, element-by-element arithmetic and functions, and the tuple functions", () => {
    // Python / NumPy: list(range(4)), np.arange(4) * 2 + 1, np.unique([3, 1, 3, 2]), (1, 2, 2).count(2), (1, 2, 3)[-1], ...
    expect(value("range(4)")).toEqual([0, 1, 2, 3]);
    expect(value("range(2, 5)")).toEqual([2, 3, 4]);
    expect(value("range(3, 1)")).toEqual([]);
    expect(value("range(4) * 2 + 1")).toEqual([1, 3, 5, 7]);
    expect(value("(1, 2) + (10, 20)")).toEqual([11, 22]);
    expect(value("-(1, 2)")).toEqual([-1, -2]);
    expect(value("10 / (4, 5)")).toEqual([2.5, 2]);
    expect(value("(7, -7) % 3")).toEqual([1, 2]);
    expect(value("round((0.5, 1.5, 2.5))")).toEqual([0, 2, 2]);
    expect(value("make_divisible((10, 20), 8)")).toEqual([16, 24]);
    expect(value("div((7, 8), (2, 3))")).toEqual([3, 2]);
    expect(value("unique((3, 1, 3, 2))")).toEqual([1, 2, 3]);
    expect(value("count((1, 2, 2), 2)")).toEqual(2);
    expect(value("at((1, 2, 3), 0)")).toEqual(1);
    expect(value("at((1, 2, 3), -1)")).toEqual(3);
    expect(value("len(range(5))")).toEqual(5);
    expect(value("sum(range(5))")).toEqual(10);
    expect(value("min((4, 2, 9))")).toEqual(2);
    expect(value("max(range(4) * 3)")).toEqual(9);
    expect(value("min(4, 2, 9)")).toEqual(2);
  });

  it("tuples: mismatches, indexes out of range and limits are diagnostics", () => {
    const message = (expr: string) => {
      const v = value(expr) as { code: string; message: string }[];
      return Array.isArray(v) && v.length === 1 && typeof v[0] === "object" ? `${v[0]!.code} ${v[0]!.message}` : JSON.stringify(v);
    };
    expect(message("(1, 2) + (1, 2, 3)")).toBe("NET4002 '+' expects tuples of the same length, but got (1, 2) and (1, 2, 3).");
    expect(message("at((1, 2, 3), 3)")).toBe("NET4002 argument 2 of at expects an index from -3 to 2 into (1, 2, 3), but got 3.");
    expect(message("at(range(0), 0)")).toBe("NET4002 argument 2 of at expects an index into a non-empty tuple, but got 0.");
    expect(message("at(5, 0)")).toBe("NET4002 argument 1 of at expects a tuple, but got 5.");
    expect(message("range(1.5)")).toBe("NET4002 argument 1 of range expects a whole number, but got 1.5.");
    expect(message("range(10001)")).toBe("NET4002 range expects at most 10000 numbers, but got 10001 numbers.");
    expect(message("min((4, 2), 1)")).toBe("NET4002 an argument of min expects a number (or one tuple), but got (4, 2).");
    expect(message("min(range(0))")).toBe("NET4002 argument 1 of min expects a tuple with at least one number, but got ().");
    expect(message("div(range(3), 0)")).toBe("NET4008 Division by zero in div().");
    expect(message("range(3) / (1, 0, 1)")).toBe("NET4008 Division by zero in this expression.");
    expect(message("(1, true) * 2")).toBe("NET4002 the left side of '*' expects a number (or a tuple of numbers), but got true.");
    expect(message("sum((1, (2, 3)))")).toBe("NET4002 argument 1 of sum expects a tuple of numbers, but got (1, (2, 3)).");
    // A long tuple is shown by its first elements and its length.
    expect(message("range(100) + range(101)")).toBe(
      "NET4002 '+' expects tuples of the same length, but got (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, ... 100 elements) and (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, ... 101 elements).",
    );
    // A tuple where a size is expected is still an error.
    expect(codes(net("  conv 1x1 (range(2))"))).toContain("NET4001");
  });

  it("an unknown function lists the functions, with a did-you-mean when one is close", () => {
    const [d] = check(net("  conv 1x1 (mak_divisible(10, 8))")).diagnostics;
    expect(d!.code).toBe("NET2014");
    expect(d!.message).toContain("Did you mean 'make_divisible'?");
    expect(d!.message).toContain(`The functions are ${functionNames().join(", ")}.`);
  });

  it("grammar/README.md documents every function", () => {
    const readme = readFileSync(join(root, "grammar/README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Built-in functions"), readme.indexOf("## Limits"));
    const table = section.split("\n").filter((l) => l.startsWith("| `")).join("\n");
    for (const f of functionNames()) expect(table, f).toContain(`\`${f}(`);
  });
});

describe("'//' after an operand (NET1020)", () => {
  const warns = (line: string, params = "c, g") => codes(block(params, line, "B(4, 2)")).includes("NET1020");

  it("warns when the comment is an expression of numbers and declared names", () => {
    expect(warns("  conv 3x3 64 // 2")).toBe(true);
    expect(warns("  conv 3x3 c // g")).toBe(true);
    expect(warns("  conv 3x3 c * 2 // (g + 1)")).toBe(true);
    expect(warns("  conv 3x3 cin // 2")).toBe(true); // a `<-` name
    expect(warns("  repeat 2 as i {\n    conv 1x1 4 // i\n  }")).toBe(true);
    expect(warns("  conv 3x3 64 //2")).toBe(true);
  });

  it("never on ordinary comments, doc comments or after a flag", () => {
    expect(warns("  conv 3x3 64  // the stem")).toBe(false);
    expect(warns("  conv 3x3 64 // stem")).toBe(false);
    expect(warns("  conv 3x3 64 // 2 - see the paper")).toBe(false);
    expect(warns("  conv 3x3 64 // 2x")).toBe(false);
    expect(warns("  conv 3x3 64 relu // 2")).toBe(false);
    expect(warns("  conv 3x3 64 /// 2")).toBe(false);
    expect(warns("  // 2\n  conv 3x3 64")).toBe(false);
    expect(warns("  conv 3x3 64 // 2 +")).toBe(false);
  });

  it("offers div(a, b) for a lone operand; fmt keeps the comment, and the CLI still formats", () => {
    const text = block("", "  conv 3x3 64 // 2", "B()");
    const d = check(text).diagnostics.find((x) => x.code === "NET1020")!;
    expect(d.severity).toBe("warning");
    expect(d.fixes[0]!.edits[0]!.newText).toBe("div(64, 2)");
    const fixed = text.slice(0, d.fixes[0]!.edits[0]!.span.offset) + "div(64, 2)" + text.slice(d.fixes[0]!.edits[0]!.span.offset + d.fixes[0]!.edits[0]!.span.length);
    expect(codes(fixed)).toEqual([]);
    expect(check(fixed).graph!.nodes.at(-1)!.shape[0]).toBe(32);
    expect(checkRoundTrip(text)).toContain("conv 3x3 64 // 2");
    expect(formatSource(text, "t.net").diagnostics.map((x) => x.code)).toEqual(["NET1020"]);
    const dir = mkdtempSync(join(tmpdir(), "netc-habits-"));
    const f = join(dir, "t.net");
    writeFileSync(f, "block B(c) {\n  conv 3x3   64 // 2\n}\n");
    const r = spawnSync(process.execPath, [join(root, "bin/netc.js"), "fmt", f], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(readFileSync(f, "utf8")).toBe("block B(c) {\n  conv 3x3 64 // 2\n}\n");
  });
});

describe("bare words that are also names in scope (NET2050)", () => {
  it("a key followed by a number: the attribute, with both fixes", () => {
    // The case: kernel=16 and no channel count.
    const text = block("k", "  conv k 16", "B(3)");
    const r = check(text);
    expect(r.diagnostics.map((x) => x.code)).toEqual(["NET5003", "NET4005", "NET2050"]);
    const d = r.diagnostics.find((x) => x.code === "NET2050")!;
    expect(d.message).toContain("reads it as the attribute");
    expect(d.fixes.map((f) => f.edits[0]!.newText)).toEqual(["kernel=k", "kernel=16"]);
    // The first fix gives the kernel the parameter's value; 16 becomes the channel count.
    const e = d.fixes[0]!.edits[0]!;
    const fixed = check(text.slice(0, e.span.offset) + e.newText + text.slice(e.span.offset + e.span.length));
    expect(fixed.diagnostics).toEqual([]);
    expect(fixed.graph!.nodes.at(-1)!.attrs).toMatchObject({ kernel: [3, 3], outChannels: 16 });
  });

  it("a flag, in an op, in defaults and in train; a shadowed symbol value", () => {
    const relu = check(block("relu = 4", "  conv 3x3 relu", "B()")).diagnostics.find((d) => d.code === "NET2050")!;
    expect(relu.fixes.map((f) => f.edits[0]!.newText)).toEqual(["out=relu"]);
    expect(codes(block("bn = true", "  conv 1x1 4 bn", "B()"))).toContain("NET2050");
    expect(codes(net("  defaults { conv: relu }\n  conv 1x1 4", "(relu = 1)"))).toContain("NET2050");
    expect(codes(net("  train { optimizer adam }\n  conv 1x1 4", "(adam = 1)"))).toContain("NET2050");
    const shadow = check(block("same = 1", "  conv 3x3 4 pad=same", "B()"));
    expect(shadow.diagnostics.map((d) => d.code)).toContain("NET2050");
    expect(shadow.graph!.nodes.at(-1)!.attrs).toMatchObject({ pads: [1, 1, 1, 1] });
    // A repeat index is a name in scope too.
    expect(check(net("  repeat 1 as k { conv k 3 4 }")).diagnostics.find((d) => d.code === "NET2050")?.message).toContain("repeat index 'k'");
  });

  it("no warning where only one reading exists", () => {
    expect(codes(block("c", "  conv 3x3 c bn relu pad=same", "B(4)"))).toEqual([]);
    expect(codes(block("k", "  conv out=k 3x3", "B(3)"))).toEqual([]);
    expect(codes(block("k", "  conv kernel=k 16", "B(3)"))).toEqual([]);
  });

  it("a name in scope before a number that is no attribute: the error says to parenthesise it", () => {
    const d = check(block("c", "  conv 1x1 c 2", "B(4)")).diagnostics.find((x) => x.code === "NET2013")!;
    expect(d.message).toContain("A name followed by a number reads as 'key value'");
  });
});

describe("dwconv's bare value (NET4014)", () => {
  it("warns and offers multiplier=, or removing it", () => {
    const r = check(net("  dwconv 3x3 pad=1 64"));
    const d = r.diagnostics.find((x) => x.code === "NET4014")!;
    expect(d.severity).toBe("warning");
    expect(d.fixes.map((f) => f.edits[0]!.newText)).toEqual(["multiplier=", ""]);
    expect(r.graph!.nodes.at(-1)!.shape[0]).toBe(192);
    expect(codes(net("  dwconv 3x3 pad=1 multiplier=64"))).toEqual([]);
    expect(codes(net("  dwconv 3x3 pad=1"))).toEqual([]);
  });
});

describe("merges with nothing to merge", () => {
  it("written empty is NET3040, for every merge", () => {
    expect(codes(net("  concat {}"))).toEqual(["NET3040"]);
    expect(codes(net("  add relu {}"))).toEqual(["NET3040"]);
  });

  it("every branch left out by a false if is NET3041; one kept branch is that branch", () => {
    expect(codes(net("  add { if false { identity } }"))).toEqual(["NET3041"]);
    expect(codes(net("  concat { if false { identity }; if 1 > 2 { conv 1x1 4 } }"))).toEqual(["NET3041"]);
    expect(codes(net("  concat { if false { identity }; if true { conv 1x1 4 } }"))).toEqual([]);
    expect(codes(net("  add { if false { identity } else { identity } }"))).toEqual([]);
  });
});

describe("pooling padding (NET4013)", () => {
  it("refuses a pad above half the kernel, as PyTorch; allows half, 'same' and any conv padding", () => {
    expect(codes(net("  maxpool 3x3/2 pad=2"))).toEqual(["NET4013"]);
    expect(codes(net("  avgpool 3x3/2 pad=2"))).toEqual(["NET4013"]);
    expect(codes(net("  maxpool 2x2 pad=(0, 0, 2, 0)"))).toEqual(["NET4013"]);
    expect(codes(net("  maxpool 3x3/2 pad=1"))).toEqual([]);
    expect(codes(net("  maxpool 2x2 pad=1"))).toEqual([]);
    expect(codes(net("  avgpool 3x5 pad=(1, 2)"))).toEqual([]);
    expect(codes(net("  maxpool 7x7/5 pad=same"))).toEqual([]);
    expect(codes(net("  conv 3x3 4 pad=3"))).toEqual([]);
  });
});

describe("unknown ops", () => {
  it("list the ops, with a did-you-mean when one is close", () => {
    const d = check(net("  gelux")).diagnostics[0]!;
    expect(d.code).toBe("NET2001");
    expect(d.message).toContain("The ops are conv, dwconv");
  });
});

describe("bounds", () => {
  it("a file full of '// 2' gets at most 20 NET1020 warnings and no error", () => {
    const text = `network N {\n  input 3x8x8\n${"  conv 1x1 4 // 2\n".repeat(300)}}\n`;
    const r = check(text);
    expect(r.diagnostics.filter((d) => d.code === "NET1020")).toHaveLength(20);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
