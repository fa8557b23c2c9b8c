// Conditionals in the checker: comparisons and booleans in expressions, `if`
// layers in sequences and merges, and `<- cin` naming a block's input channels.

import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";

const host = { readFile: () => undefined };
function check(text: string) {
  const r = checkText(text, "/t/c.net", host);
  return { ...r, errors: r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`) };
}
/** A network on 8x8x8 input with the given block and body. */
function net(block: string, body: string) {
  return check(`${block}\nnetwork N {\n  input 8x8x8\n${body}\n}\n`);
}
const ops = (r: ReturnType<typeof check>) => r.graph!.nodes.slice(1).map((n) => n.attrs.op);

describe("expressions: comparisons and booleans", () => {
  const value = (expr: string) => {
    // The expression decides the conv's bias: params are 8*8 (+8 with bias).
    const r = net("", `  conv 1x1 8 bias=${expr}`);
    if (r.errors.length) return r.errors;
    return r.graph!.params === 72;
  };
  test("comparisons of numbers", () => {
    expect(value("1 < 2")).toBe(true);
    expect(value("2 <= 1")).toBe(false);
    expect(value("3 > 2 + 2")).toBe(false);
    expect(value("4 >= 2 * 2")).toBe(true);
    expect(value("6 / 2 == 3")).toBe(true);
    expect(value("1 != 1")).toBe(false);
  });
  test("equality of booleans, strings and tuples", () => {
    expect(value("true == (1 < 2)")).toBe(true);
    expect(value('"a" != "b"')).toBe(true);
    expect(value("(1, 2) == (1, 2)")).toBe(true);
    expect(value("(1, 2) == (1, 2, 3)")).toBe(false);
  });
  test("and, or, not with precedence: or < and < not < comparisons", () => {
    expect(value("true or false and false")).toBe(true);
    expect(value("not 1 == 2")).toBe(true);
    expect(value("not (true or false)")).toBe(false);
    expect(value("1 < 2 and 2 < 3")).toBe(true);
  });
  test("and/or skip the right side when the left decides", () => {
    expect(value("false and 1 / 0 > 1")).toBe(false);
    expect(value("true or 1 / 0 > 1")).toBe(true);
  });
  test("type errors", () => {
    expect(value("1 and true")).toEqual([expect.stringMatching(/^NET4002 the left side of 'and' expects true or false, but got 1/i)]);
    expect(value("not 3")).toEqual([expect.stringMatching(/^NET4002 the operand of 'not' expects true or false/i)]);
    expect(value("1 == true")).toEqual([expect.stringMatching(/^NET4002 '==' expects two values of the same kind/)]);
    expect(value("true < 1")).toEqual([expect.stringMatching(/^NET4002 the left side of '<' expects a number/i)]);
  });
});

describe("if layers", () => {
  const block = `block B(c, on) {\n  if on { conv 1x1 c } else { conv 3x3 c pad=1 }\n  if c > 8 { conv 1x1 8 }\n}`;
  test("the true body, the else body, or nothing", () => {
    expect(net(block, "  B(8, true)").graph!.params).toBe(8 * 8 + 8);
    expect(net(block, "  B(8, false)").graph!.params).toBe(8 * 8 * 9 + 8);
    const wide = net(block, "  B(16, true)");
    expect(wide.errors).toEqual([]);
    expect(wide.graph!.params).toBe(16 * 8 + 16 + 8 * 16 + 8);
    // An unnamed if adds no level to the names; a named one does.
    expect(wide.graph!.nodes.map((n) => n.name)).toEqual(["input", "b1/conv1", "b1/conv2"]);
    const named = net("", "  y = if true { conv 1x1 4; relu }");
    expect(named.graph!.nodes.map((n) => n.name)).toEqual(["input", "y/conv1", "y/relu1"]);
  });
  test("a skipped if passes its input on, annotations included", () => {
    const r = net("", "  x = if false { conv 1x1 4 } -> 8x8x8\n  conv 1x1 2 from x");
    expect(r.errors).toEqual([]);
    expect(ops(r)).toEqual(["conv"]);
  });
  test("the condition must be true or false", () => {
    expect(net("", "  if 1 { relu }").errors).toEqual([expect.stringMatching(/^NET4002 The condition of 'if' expects true or false/)]);
  });
  test("names in both bodies are checked even after an error upstream", () => {
    const r = net("", "  conv 1x1 8 groups=3\n  if true { nonsense 3 } else { relu }");
    expect(r.errors.some((e) => e.startsWith("NET2001"))).toBe(true);
  });
});

describe("if in merges", () => {
  const res = `block Res(cout, stride = 1) <- cin {
  add relu {
    conv 3x3/stride cout pad=1 bias=false
    if stride != 1 or cin != cout { conv 1x1/stride cout bias=false } else { identity }
  }
}`;
  test("projection shortcut only when the shape changes", () => {
    const same = net(res, "  Res(8)");
    expect(same.errors).toEqual([]);
    expect(same.graph!.params).toBe(8 * 8 * 9);
    expect(ops(same)).toEqual(["conv", "add"]);
    const wider = net(res, "  Res(16, 2) -> 16x4x4");
    expect(wider.errors).toEqual([]);
    expect(wider.graph!.params).toBe(16 * 8 * 9 + 16 * 8);
  });
  test("a skipped branch is left out; a merge of one branch is that branch", () => {
    const mb = `block M(cout, stride) <- cin {\n  add {\n    conv 3x3/stride cout pad=1\n    if stride == 1 and cin == cout { identity }\n  }\n}`;
    expect(ops(net(mb, "  M(8, 1)"))).toEqual(["conv", "add"]);
    expect(ops(net(mb, "  M(8, 2)"))).toEqual(["conv"]);
    expect(ops(net("", "  add relu { conv 1x1 8; if false { identity } }"))).toEqual(["conv", "act"]);
    expect(ops(net("", "  concat { conv 1x1 8; if false { conv 1x1 4 }; if true { conv 1x1 2 } }"))).toEqual(["conv", "conv", "concat"]);
    expect(net("", "  concat { conv 1x1 8; if true { conv 1x1 2 } } -> 10").errors).toEqual([]);
  });
});

describe("<- names the block's input", () => {
  test("one name binds the channels", () => {
    const r = net("block Twice() <- cin {\n  conv 1x1 cin * 2\n}", "  Twice() -> 16\n  Twice() -> 32");
    expect(r.errors).toEqual([]);
  });
  test("a list binds each dimension; parameters are still checked", () => {
    expect(net("block P() <- (c, h, w) {\n  conv 1x1 c + h + w\n}", "  P() -> 24").errors).toEqual([]);
    const r = net("block Q(cin) <- cin {\n  relu\n}", "  Q(4)");
    expect(r.errors).toEqual([expect.stringMatching(/^NET3001/)]);
  });
});

describe("blocks used inside if bodies", () => {
  test("a block that calls itself through an if is reported", () => {
    const r = net("block Loop(n) {\n  if n > 0 { Loop(n - 1) }\n}", "  Loop(2)");
    expect(r.errors).toEqual([expect.stringMatching(/^NET2005 Block .Loop. uses itself/)]);
  });
});
