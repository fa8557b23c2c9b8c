import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type * as A from "../../src/syntax/ast.js";
import { parse } from "../../src/syntax/parse.js";
import { spans, stripSpans } from "./helpers.js";

const example = readFileSync(new URL("./fixtures/googlenet-example.net", import.meta.url), "utf8");

function ok(text: string): A.SourceFile {
  const r = parse(text, "t.net");
  expect(r.diagnostics).toEqual([]);
  return r.file;
}
function net(text: string): A.NetworkItem[] {
  return (ok(`network N {\n${text}\n}\n`).items[0] as A.NetworkDecl).items;
}
function stmt(text: string): A.Statement {
  return net(text)[0] as A.Statement;
}
function attrs(text: string): unknown {
  return stripSpans((stmt(text).layer as A.OpLayer).attrs);
}
const num = (text: string, value: number, integer = true) => ({ kind: "number", value, text, integer });
const name = (n: string) => ({ kind: "name", name: n });
const id = (n: string) => ({ kind: "ident", name: n });

describe("parser", () => {
  test("the GoogLeNet example parses without diagnostics", () => {
    const file = ok(example);
    expect(file.items.map((i) => i.kind)).toEqual(["import", "block", "block", "network"]);
    const g = file.items[3] as A.NetworkDecl;
    expect(g.items.map((i) => i.kind)).toEqual(["input", "defaults", "train", "section", ...Array(6).fill("statement"), "section"]);
  });

  test("every span lies in the text; identifiers' spans cover their names", () => {
    const file = ok(example);
    for (const { span, node, path } of spans(file.items)) {
      expect(span.offset, path).toBeGreaterThanOrEqual(0);
      expect(span.offset + span.length, path).toBeLessThanOrEqual(example.length);
      if (node.kind === "ident" && !node.quoted) expect(example.slice(span.offset, span.offset + span.length)).toBe(node.name);
      if (node.kind === "number") expect(example.slice(span.offset, span.offset + span.length)).toBe(node.text);
    }
  });

  test("statement spans cover the statement text exactly", () => {
    const text = "network N {\n  inception3a = Inception(64, 96) -> 256x28x28 params ~ 159K\n  x = seq { a; b }  // c\n}";
    const items = (ok(text).items[0] as A.NetworkDecl).items as A.Statement[];
    const src = (s: A.Node) => text.slice(s.span.offset, s.span.offset + s.span.length);
    expect(src(items[0]!)).toBe("inception3a = Inception(64, 96) -> 256x28x28 params ~ 159K");
    expect(src(items[1]!)).toBe("x = seq { a; b }");
    expect(src(items[0]!.layer!)).toBe("Inception(64, 96)");
    expect(src(items[0]!.annotations[1]!)).toBe("params ~ 159K");
    expect(src(ok(text).items[0]!)).toBe(text);
  });

  test("attribute forms", () => {
    expect(attrs("conv 7x7/2 64 pad=3 relu")).toEqual([
      { kind: "dimsAttr", dims: { kind: "dims", values: [7, 7] }, stride: num("2", 2) },
      { kind: "valueAttr", value: num("64", 64) },
      { kind: "namedAttr", key: id("pad"), value: num("3", 3), spaced: false },
      { kind: "flagAttr", name: id("relu") },
    ]);
    expect(attrs("lrn 5 alpha 1e-4 kernel 3x3")).toEqual([
      { kind: "valueAttr", value: num("5", 5) },
      { kind: "namedAttr", key: id("alpha"), value: num("1e-4", 1e-4, false), spaced: true },
      { kind: "namedAttr", key: id("kernel"), value: { kind: "tuple", items: [num("3", 3), num("3", 3)] }, spaced: true },
    ]);
    expect(attrs("conv 1x1 c1*2 min(a, b) (k) (-1) 3x3/s")).toEqual([
      { kind: "dimsAttr", dims: { kind: "dims", values: [1, 1] } },
      { kind: "valueAttr", value: { kind: "binary", op: "*", left: name("c1"), right: num("2", 2) } },
      { kind: "valueAttr", value: { kind: "call", callee: id("min"), args: [name("a"), name("b")] } },
      { kind: "valueAttr", value: name("k") },
      { kind: "valueAttr", value: { kind: "unary", op: "-", operand: num("1", 1) } },
      { kind: "dimsAttr", dims: { kind: "dims", values: [3, 3] }, stride: name("s") },
    ]);
  });

  test("expression precedence", () => {
    const v = (stmt("conv 1 + 2 * -x % 3 - (4 - 5)").layer as A.OpLayer).attrs[0] as A.ValueAttr;
    const show = (e: A.Expr | undefined): string =>
      !e ? "?" : e.kind === "binary" ? `(${show(e.left)} ${e.op} ${show(e.right)})` : e.kind === "unary" ? `${e.op}${show(e.operand)}` : e.kind === "number" ? e.text : e.kind === "name" ? e.name : e.kind;
    expect(show(v.value)).toBe("((1 + ((2 * -x) % 3)) - (4 - 5))");
  });

  test("layers: block calls, seq, merge, repeat; from, weight", () => {
    const [call, seq, add, rep, aux] = net(
      "x = Inception(64, c=2)\nseq { a; b }\nadd relu { seq { c }; identity }\nrepeat n + 1 as i { conv 3x3 i }\naux1 = Aux(classes) from x weight 0.3",
    ) as A.Statement[];
    expect(stripSpans(call!.layer)).toEqual({ kind: "blockCall", callee: id("Inception"), args: [{ value: num("64", 64) }, { name: id("c"), value: num("2", 2) }] });
    expect((seq!.layer as A.SeqLayer).body.length).toBe(2);
    const merge = add!.layer as A.MergeLayer;
    expect([merge.merge, merge.attrs.length, merge.branches.length]).toEqual(["add", 1, 2]);
    const r = rep!.layer as A.RepeatLayer;
    expect([r.count?.kind, r.index?.name, r.body.length]).toEqual(["binary", "i", 1]);
    expect([aux!.name?.name, aux!.from?.name, (aux!.weight as A.NumberLit).value]).toEqual(["aux1", "x", 0.3]);
  });

  test("quoted statement names", () => {
    const s = stmt('"weird/name ü" = conv 1x1 (min(classes, 10))');
    expect(s.name).toMatchObject({ name: "weird/name ü", quoted: true });
  });

  test("annotations", () => {
    const s = stmt("conv 1x1 c <- 192 -> (c, 28, 28) -> 256x28x28 params = 10250 macs ~ 1.5G tol 3%");
    expect(stripSpans(s.annotations)).toEqual([
      { kind: "shapeAnnotation", direction: "in", exprs: [num("192", 192)] },
      { kind: "shapeAnnotation", direction: "out", exprs: [name("c"), num("28", 28), num("28", 28)] },
      { kind: "shapeAnnotation", direction: "out", dims: { kind: "dims", values: [256, 28, 28] }, exprs: [] },
      { kind: "costAnnotation", metric: "params", exact: true, value: num("10250", 10250) },
      { kind: "costAnnotation", metric: "macs", exact: false, value: num("1.5G", 1.5e9, false), tolerancePercent: 3, toleranceText: "3" },
    ]);
  });

  test("input, defaults, train", () => {
    const [a, b, c, d, e] = net("input image 3x224x224\ninput (c, h, w)\ninput 10\ndefaults { conv: relu, pad=same; pool ceil }\ntrain {\n  lr 0.01 decay=0.96\n}");
    expect(stripSpans(a)).toEqual({ kind: "input", name: id("image"), shape: { kind: "dims", values: [3, 224, 224] }, exprs: [] });
    expect((b as A.InputDecl).exprs.length).toBe(3);
    expect(stripSpans(c)).toEqual({ kind: "input", exprs: [num("10", 10)] });
    const defaults = d as A.DefaultsDecl;
    expect(defaults.entries.map((x) => [x.op.name, x.attrs.length, x.colon ?? false])).toEqual([["conv", 2, true], ["pool", 1, false]]);
    expect((e as A.TrainDecl).entries.map((x) => [x.key.name, x.attrs.length])).toEqual([["lr", 2]]);
  });

  test("newlines inside parentheses are ignored", () => {
    const s = stmt("x = Inception(64,\n   96,\n   128)");
    expect((s.layer as A.BlockCall).args.length).toBe(3);
  });

  test("doc comments attach to the next block, network or statement", () => {
    const file = ok("/// Block doc\n/// second line\nblock B() {\n  /// stmt doc\n  conv\n  // plain\n  relu\n}\n\n/// not attached\n\nnetwork N {\n  x = relu /// trailing is not a doc\n  y = relu\n}");
    const b = file.items[0] as A.BlockDecl;
    expect(b.doc).toBe("Block doc\nsecond line");
    expect(b.body.map((s) => s.doc)).toEqual(["stmt doc", undefined]);
    const n = file.items[1] as A.NetworkDecl;
    expect(n.doc).toBeUndefined();
    expect(n.items.map((s) => (s as A.Statement).doc)).toEqual([undefined, undefined]);
    expect(file.comments.length).toBe(6);
  });

  test("block annotations and params with defaults", () => {
    const b = ok("block S(cin, width = 64) <- cin -> width {\n  conv 3x3 width\n}").items[0] as A.BlockDecl;
    expect(b.params.map((p) => [p.name.name, p.default?.kind])).toEqual([["cin", undefined], ["width", "number"]]);
    expect(b.annotations.map((a) => a.kind)).toEqual(["shapeAnnotation", "shapeAnnotation"]);
  });
});
