// Parsing of the conditional syntax: comparison and boolean operators with
// their precedence, and `if ... { } else { }` layers.

import { describe, expect, test } from "vitest";
import type * as A from "../../src/syntax/ast.js";
import { parse } from "../../src/syntax/parse.js";
import { stripSpans } from "./helpers.js";

function stmt(text: string): A.Statement {
  const r = parse(`network N {\n${text}\n}\n`, "t.net");
  expect(r.diagnostics).toEqual([]);
  return (r.file.items[0] as A.NetworkDecl).items[0] as A.Statement;
}
/** The expression of `repeat EXPR {}`, as a fully parenthesised string. */
function shape(expr: string): string {
  const show = (e: A.Expr | undefined): string => {
    if (!e) return "?";
    if (e.kind === "binary") return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    if (e.kind === "unary") return `(${e.op} ${show(e.operand)})`;
    if (e.kind === "name") return e.name;
    if (e.kind === "number") return e.text;
    return e.kind;
  };
  return show((stmt(`repeat ${expr} {}`).layer as A.RepeatLayer).count);
}

describe("comparison and boolean operators", () => {
  test("precedence: or < and < not < comparison < + < *", () => {
    expect(shape("a or b and c")).toBe("(a or (b and c))");
    expect(shape("not a == b")).toBe("(not (a == b))");
    expect(shape("a + 1 < b * 2")).toBe("((a + 1) < (b * 2))");
    expect(shape("a != 1 or b >= 2 and not c")).toBe("((a != 1) or ((b >= 2) and (not c)))");
    expect(shape("not not a")).toBe("(not (not a))");
    expect(shape("a <= b")).toBe("(a <= b)");
    expect(shape("a > -1")).toBe("(a > (- 1))");
  });
  test("comparisons do not chain, unless grouped", () => {
    const r = parse("network N {\n  repeat a < b < c {}\n}\n", "t.net");
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET1009"]);
    expect(parse("network N {\n  repeat (a < b) == c {}\n}\n", "t.net").diagnostics).toEqual([]);
    expect(parse("network N {\n  repeat a < b and b < c or not a == 1 {}\n}\n", "t.net").diagnostics).toEqual([]);
  });
  test("precedence: or < and < not < comparison < + - < * / % < signs", () => {
    const show = (e: unknown): string => {
      const x = e as { kind: string; op?: string; left?: unknown; right?: unknown; operand?: unknown; name?: string; text?: string };
      if (x.kind === "binary") return `(${show(x.left)} ${x.op} ${show(x.right)})`;
      if (x.kind === "unary") return `(${x.op} ${show(x.operand)})`;
      return x.name ?? x.text ?? "?";
    };
    const e = (src: string) => show(stmt(`repeat ${src} {}`).layer && (stmt(`repeat ${src} {}`).layer as { count: unknown }).count);
    expect(e("a or b and not c == d + e * -f")).toBe("(a or (b and (not (c == (d + (e * (- f)))))))");
    expect(e("a - b - c / d / e")).toBe("((a - b) - ((c / d) / e))");
    expect(e("not a and b")).toBe("((not a) and b)");
    expect(e("-a * b")).toBe("((- a) * b)");
  });
  test("'<-' stays the input arrow", () => {
    const s = stmt("conv 1x1 c <- 8");
    expect(s.annotations.map((a) => a.kind)).toEqual(["shapeAnnotation"]);
  });
  test("an operator after a name makes an attribute value, not a flag", () => {
    const layer = stmt("conv 1x1 c == 3").layer as A.OpLayer;
    expect(layer.attrs.map((a) => a.kind)).toEqual(["dimsAttr", "valueAttr"]);
  });
});

describe("if layers", () => {
  test("if with else, else on the next line, without else", () => {
    const a = stmt("y = if s != 1 { conv 1x1 8; bn } else { identity } -> 8").layer as A.IfLayer;
    expect(a.kind).toBe("if");
    expect(a.then.body.map((s) => (s.layer as A.OpLayer).op.name)).toEqual(["conv", "bn"]);
    expect(a.else!.body.length).toBe(1);
    const b = stmt("if ok {\n  relu\n}\nelse {\n  sigmoid\n}").layer as A.IfLayer;
    expect(b.else!.body.length).toBe(1);
    const c = stmt("if ok { relu }").layer as A.IfLayer;
    expect(c.else).toBeUndefined();
    expect(stripSpans(c.condition)).toEqual({ kind: "name", name: "ok" });
  });
  test("the bodies' spans run from '{' to '}'", () => {
    const text = "network N {\n  if ok { relu } else { tanh }\n}\n";
    const l = ((parse(text, "t.net").file.items[0] as A.NetworkDecl).items[0] as A.Statement).layer as A.IfLayer;
    const src = (s: A.Span) => text.slice(s.offset, s.offset + s.length);
    expect(src(l.then.span)).toBe("{ relu }");
    expect(src(l.else!.span)).toBe("{ tanh }");
  });
  test("if inside merges and blocks", () => {
    const r = parse("block B(c) <- cin {\n  add { relu; if c == cin { identity } }\n}\n", "t.net");
    expect(r.diagnostics).toEqual([]);
  });
  test("a missing condition or brace is reported and recovered", () => {
    const r = parse("network N {\n  if { relu }\n  conv 1x1 8\n}\n", "t.net");
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect((r.file.items[0] as A.NetworkDecl).items.length).toBeGreaterThan(0);
  });
});
