// CST -> AST. The CST may be partial (chevrotain recovery): every accessor
// tolerates missing children and tokens inserted during recovery (which have
// no offset), and AST fields that could not be filled stay `undefined`.

import type { CstNode, IToken } from "chevrotain";
import type * as A from "./ast.js";
import { decodeString, numberValue } from "./lexer.js";
import { lineStarts, offsetToPosition } from "./positions.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

type Child = CstNode | IToken;

function isToken(c: Child): c is IToken {
  return (c as IToken).image !== undefined;
}
function real(t: IToken): boolean {
  return !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}
const NONE: never[] = [];
function toks(node: CstNode | undefined, key: string): IToken[] {
  const list = node?.children[key];
  if (!list) return NONE;
  return list.filter((c): c is IToken => isToken(c) && real(c));
}
// tok() and sub() run for every field of every node: no intermediate arrays.
function tok(node: CstNode | undefined, key: string): IToken | undefined {
  const list = node?.children[key];
  if (list) for (const c of list) if (isToken(c) && real(c)) return c;
  return undefined;
}
function subs(node: CstNode | undefined, key: string): CstNode[] {
  const list = node?.children[key];
  if (!list) return NONE;
  return list.filter((c): c is CstNode => !isToken(c));
}
/**
 * An array the AST keeps, at its exact length. A pushed-to array has room for
 * 17 elements after its first push and filter() and flatMap() grow theirs the
 * same way: most AST lists hold one or two, so the spare room was a quarter of
 * a large file's AST.
 */
function fit<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}
/** `f` over the sub-nodes under `key`, skipping undefined results (flatMap without its arrays). */
function mapSubs<T>(node: CstNode | undefined, key: string, f: (n: CstNode) => T | undefined): T[] {
  const list = node?.children[key];
  const out: T[] = [];
  if (list) {
    for (const c of list) {
      if (isToken(c)) continue;
      const v = f(c);
      if (v !== undefined) out.push(v);
    }
  }
  return fit(out);
}
/** The first child of a node that has one alternative's sub-node (or token) as its only key. */
function firstChild(n: CstNode): Child | undefined {
  for (const key in n.children) return n.children[key]![0];
  return undefined;
}
function sub(node: CstNode | undefined, key: string): CstNode | undefined {
  const list = node?.children[key];
  if (list) for (const c of list) if (!isToken(c)) return c;
  return undefined;
}

/**
 * Spans store small integers (V8 Smis): a span field ever given a boxed number
 * (chevrotain's CST locations hold doubles, NaN in recovery) turns every span
 * in the process into two heap-allocated numbers, a third of a large AST.
 */
function int(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}
export function makeSpan(offset: number, length: number): A.Span {
  return { offset: int(offset), length: int(length) };
}
export function tokSpan(t: IToken): A.Span {
  return makeSpan(t.startOffset, t.image.length);
}
function nodeSpan(n: CstNode): A.Span {
  const loc = n.location;
  return locationSpan(loc?.startOffset ?? NaN, loc?.endOffset ?? NaN);
}
/** The span of a CST node's location (start and end offsets, NaN when it holds no real token). */
export function locationSpan(start: number, end: number): A.Span {
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { offset: 0, length: 0 };
  return makeSpan(start, end + 1 - start);
}
/** An operand under its sign tokens, the innermost last (signs bind tightest: `-x * y` is `(-x) * y`). */
export function withSigns(operand: A.Expr | undefined, signs: IToken[]): A.Expr | undefined {
  let acc = operand;
  for (let i = signs.length - 1; i >= 0; i--) {
    const op = signs[i]!;
    acc = { kind: "unary", op: op.image as A.Unary["op"], operand: acc, span: join(tokSpan(op), acc?.span) };
  }
  return acc;
}
export function join(a: A.Span, b: A.Span | undefined): A.Span {
  if (!b) return a;
  const start = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.length, b.offset + b.length);
  return makeSpan(start, end - start);
}

/** join(join(a, tokSpan(op)), b), without the two spans in between (a long expression makes three spans per operator). */
function joinOp(a: A.Span, op: IToken, b: A.Span | undefined): A.Span {
  const offset = int(op.startOffset);
  const length = int(op.image.length);
  const start = int(Math.min(a.offset, offset));
  const span = int(Math.max(a.offset + a.length, offset + length) - Math.min(a.offset, offset));
  if (!b) return { offset: start, length: span };
  const from = Math.min(start, b.offset);
  return makeSpan(from, Math.max(start + span, b.offset + b.length) - from);
}
export function identOf(t: IToken): A.Ident {
  return identFrom(t.image, t.startOffset);
}
/** identOf, numberOf and dimsOf of a token's image and offset (the fast path has no token objects). */
export function identFrom(image: string, offset: number): A.Ident {
  if (image.startsWith('"')) return { kind: "ident", name: decodeString(image), quoted: true, span: makeSpan(offset, image.length) };
  return { kind: "ident", name: image, span: makeSpan(offset, image.length) };
}
export function numberOf(t: IToken): A.NumberLit {
  return numberFrom(t.image, t.startOffset);
}
export function numberFrom(image: string, offset: number): A.NumberLit {
  if (image.length <= 15) {
    // Plain whole numbers (most of them), as numberValue() reads them, without its pattern and result object.
    let v = 0;
    let i = 0;
    for (; i < image.length; i++) {
      const c = image.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (i === image.length && i > 0) return { kind: "number", value: v, text: image, integer: true, span: makeSpan(offset, image.length) };
  }
  const { value, integer } = numberValue(image);
  return { kind: "number", value, text: image, integer, span: makeSpan(offset, image.length) };
}
/** `split("x").map(Number)` of a Dims token (digits joined by 'x'), without the strings. */
function dimsValues(image: string): number[] {
  let n = 1;
  for (let i = 0; i < image.length; i++) if (image.charCodeAt(i) === 120) n++;
  const values: number[] = new Array<number>(n);
  n = 0;
  let from = 0;
  for (let i = 0; i <= image.length; i++) {
    if (i < image.length && image.charCodeAt(i) !== 120) continue;
    // Up to 15 digits the running value is exact; longer ones go through Number().
    if (i - from > 15) values[n++] = Number(image.slice(from, i));
    else {
      let v = 0;
      for (let k = from; k < i; k++) v = v * 10 + (image.charCodeAt(k) - 48);
      values[n++] = v;
    }
    from = i + 1;
  }
  return values;
}
export function dimsOf(t: IToken): A.Dims {
  return dimsFrom(t.image, t.startOffset);
}
export function dimsFrom(image: string, offset: number): A.Dims {
  return { kind: "dims", values: dimsValues(image), span: makeSpan(offset, image.length) };
}
/** `kernel 3x3` keeps its dims as a tuple of numbers, one span per number. */
export function dimsTuple(t: IToken): A.TupleExpr {
  let offset = t.startOffset;
  const items: A.Expr[] = t.image.split("x").map((text) => {
    const n: A.NumberLit = { kind: "number", value: Number(text), text, integer: true, span: { offset, length: text.length } };
    offset += text.length + 1;
    return n;
  });
  return { kind: "tuple", items, span: tokSpan(t) };
}

export class Lowerer {
  /** Line starts, made only for a text with `///` comments (docFor reads them; most texts have none). */
  private readonly starts: number[] = [];
  /** Doc comment text by line, for `///` lines that are alone on their line. */
  private readonly docs = new Map<number, string>();

  constructor(
    private readonly text: string,
    comments: A.Comment[],
    /** Mistakes only visible after precedence is applied (chained comparisons). */
    private readonly diagnostics: Diagnostic[] = [],
    private readonly path = "",
  ) {
    if (comments.some((c) => c.doc)) this.starts = lineStarts(text);
    for (const c of comments) {
      if (!c.doc || !this.startsLine(c.span.offset)) continue;
      const line = offsetToPosition(this.starts, c.span.offset).line;
      // Trailing blanks are not part of the doc: fmt drops them, and the AST must not change.
      this.docs.set(line, c.text.slice(3).replace(/^ /, "").trimEnd());
    }
  }

  private startsLine(offset: number, line = offsetToPosition(this.starts, offset).line): boolean {
    return /^[ \t\r\f\v\u00a0\ufeff]*$/.test(this.text.slice(this.starts[line], offset));
  }

  /** The `///` lines directly above a node that starts its line. */
  docFor(span: A.Span): string | undefined {
    // Most nodes have no doc: the line above is looked up before the line's text is.
    if (span.length === 0 || this.docs.size === 0) return undefined;
    const at = offsetToPosition(this.starts, span.offset).line;
    if (!this.docs.has(at - 1) || !this.startsLine(span.offset, at)) return undefined;
    let line = at - 1;
    const lines: string[] = [];
    while (this.docs.has(line)) lines.unshift(this.docs.get(line)!), line--;
    return lines.length > 0 ? lines.join("\n") : undefined;
  }

  /** The top-level items of a `file` CST, in source order. */
  items(cst: CstNode): A.TopLevel[] {
    const items: A.TopLevel[] = [];
    for (const key of ["importDecl", "blockDecl", "networkDecl"]) {
      for (const n of subs(cst, key)) {
        if (key === "importDecl") items.push(this.importDecl(n));
        else if (key === "blockDecl") items.push(this.blockDecl(n));
        else items.push(this.networkDecl(n));
      }
    }
    items.sort((a, b) => a.span.offset - b.span.offset);
    return items;
  }

  /** The network items of a `networkRest` CST (a piece of a long network). */
  networkRest(n: CstNode): A.NetworkItem[] {
    return mapSubs(n, "netItem", (i) => this.netItem(i));
  }

  /** Where late diagnostics stand, to drop those of a piece that is parsed again. */
  get lateCount(): number {
    return this.diagnostics.length;
  }
  set lateCount(n: number) {
    this.diagnostics.length = n;
  }

  importDecl(n: CstNode): A.ImportDecl {
    const s = tok(n, "StringLit");
    const path: A.StringLit | undefined = s && { kind: "string", value: decodeString(s.image), span: tokSpan(s) };
    return { kind: "import", path, span: nodeSpan(n) };
  }

  blockDecl(n: CstNode): A.BlockDecl {
    const name = tok(n, "Ident");
    const span = nodeSpan(n);
    return {
      kind: "block",
      name: name && identOf(name),
      params: this.params(sub(n, "paramList")),
      annotations: mapSubs(n, "annotation", (a) => this.annotation(a)),
      body: this.body(sub(n, "body")),
      doc: this.docFor(span),
      span,
    };
  }

  params(n: CstNode | undefined): A.Param[] {
    return mapSubs(n, "param", (p) => {
      const name = tok(p, "Ident");
      return name ? { name: identOf(name), default: this.expr(sub(p, "expr")), span: nodeSpan(p) } : undefined;
    });
  }

  networkDecl(n: CstNode): A.NetworkDecl {
    const name = tok(n, "Ident");
    const span = nodeSpan(n);
    return {
      kind: "network",
      name: name && identOf(name),
      params: this.params(sub(n, "paramList")),
      items: mapSubs(n, "netItem", (i) => this.netItem(i)),
      doc: this.docFor(span),
      span,
    };
  }

  netItem(n: CstNode): A.NetworkItem | undefined {
    const c = firstChild(n);
    if (!c || isToken(c)) return undefined;
    switch (c.name) {
      case "inputDecl":
        return this.inputDecl(c);
      case "defaultsDecl":
        return { kind: "defaults", entries: fit(subs(c, "defaultEntry").map((e) => this.defaultEntry(e)).filter((e) => e !== undefined)), span: nodeSpan(c) };
      case "trainDecl":
        return { kind: "train", entries: fit(subs(c, "trainEntry").map((e) => this.trainEntry(e)).filter((e) => e !== undefined)), span: nodeSpan(c) };
      case "section": {
        const kw = tok(c, "keyword");
        if (!kw) return undefined;
        const section = kw.image as A.Section["section"];
        return { kind: "section", section, keyword: tokSpan(kw), body: this.body(sub(c, "body")), span: nodeSpan(c) };
      }
      case "statement":
        return this.statement(c);
    }
    return undefined;
  }

  inputDecl(n: CstNode): A.InputDecl {
    const name = tok(n, "name");
    const dims = tok(n, "Dims");
    const e = this.expr(sub(n, "expr"));
    const exprs = e === undefined ? [] : e.kind === "tuple" ? e.items : [e];
    const decl: A.InputDecl = { kind: "input", name: name && identOf(name), shape: dims && dimsOf(dims), exprs, span: nodeSpan(n) };
    const open = tok(n, "LBrace");
    if (open) {
      const close = tok(n, "RBrace");
      const from = open.startOffset;
      const to = close ? close.startOffset + 1 : decl.span.offset + decl.span.length;
      decl.preprocess = { entries: fit(subs(n, "trainEntry").map((e) => this.trainEntry(e)).filter((e) => e !== undefined)), span: makeSpan(from, to - from) };
    }
    return decl;
  }

  defaultEntry(n: CstNode): A.DefaultEntry | undefined {
    const op = tok(n, "Ident");
    if (!op) return undefined;
    const entry: A.DefaultEntry = { op: identOf(op), attrs: this.attrs(n), span: nodeSpan(n) };
    if (tok(n, "Colon")) entry.colon = true;
    return entry;
  }

  trainEntry(n: CstNode): A.TrainEntry | undefined {
    const key = tok(n, "Ident");
    return key && { key: identOf(key), attrs: this.attrs(n), span: nodeSpan(n) };
  }

  body(n: CstNode | undefined): A.Statement[] {
    return mapSubs(n, "statement", (s) => this.statement(s));
  }

  statement(n: CstNode): A.Statement {
    const nameNode = sub(n, "statementName");
    const nameTok = nameNode && (tok(nameNode, "Ident") ?? tok(nameNode, "StringLit"));
    const from = tok(n, "from");
    const span = nodeSpan(n);
    return {
      kind: "statement",
      name: nameTok && identOf(nameTok),
      layer: this.layer(sub(n, "layer")),
      from: from && identOf(from),
      weight: this.expr(sub(n, "weight")),
      annotations: mapSubs(n, "annotation", (a) => this.annotation(a)),
      doc: this.docFor(span),
      span,
    };
  }

  layer(n: CstNode | undefined): A.LayerExpr | undefined {
    const c = n && firstChild(n);
    if (!c || isToken(c)) return undefined;
    const span = nodeSpan(c);
    switch (c.name) {
      case "blockCall": {
        const callee = tok(c, "Ident");
        if (!callee) return undefined;
        const args = subs(c, "argument").map((a): A.Argument => {
          const name = tok(a, "Ident");
          return { name: name && identOf(name), value: this.expr(sub(a, "expr")), span: nodeSpan(a) };
        });
        return { kind: "blockCall", callee: identOf(callee), args, span };
      }
      case "opLayer": {
        const op = tok(c, "Ident");
        return op && { kind: "op", op: identOf(op), attrs: this.attrs(c), span };
      }
      case "seqLayer":
        return { kind: "seq", body: this.body(sub(c, "body")), span };
      case "mergeLayer": {
        const kw = tok(c, "keyword");
        if (!kw) return undefined;
        const merge = kw.image as A.MergeLayer["merge"];
        return { kind: "merge", merge, keyword: tokSpan(kw), attrs: this.attrs(c), branches: this.body(sub(c, "body")), span };
      }
      case "ifLayer": {
        const opens = toks(c, "LBrace");
        const closes = toks(c, "RBrace");
        const end = span.offset + span.length;
        const braced = (i: number, key: string): A.Braced => {
          const from = opens[i]?.startOffset ?? end;
          const to = closes[i] ? closes[i]!.startOffset + 1 : end;
          return { body: this.body(sub(c, key)), span: makeSpan(from, Math.max(0, to - from)) };
        };
        return {
          kind: "if",
          condition: this.expr(sub(c, "condition")),
          then: braced(0, "then"),
          else: tok(c, "Else") ? braced(1, "else") : undefined,
          span,
        };
      }
      case "repeatLayer": {
        const index = tok(c, "Ident");
        return { kind: "repeat", count: this.expr(sub(c, "expr")), index: index && identOf(index), body: this.body(sub(c, "body")), span };
      }
    }
    return undefined;
  }

  attrs(n: CstNode): A.Attr[] {
    return mapSubs(n, "attr", (a) => this.attr(a));
  }

  attr(n: CstNode): A.Attr | undefined {
    const span = nodeSpan(n);
    const dims = tok(n, "Dims");
    if (dims) return { kind: "dimsAttr", dims: dimsOf(dims), stride: this.atom(sub(n, "stride")), span };
    const key = tok(n, "key");
    if (key) {
      const num = tok(n, "spacedNumber");
      const sd = tok(n, "spacedDims");
      if (num || sd) return { kind: "namedAttr", key: identOf(key), value: num ? numberOf(num) : dimsTuple(sd!), spaced: true, span };
      return { kind: "namedAttr", key: identOf(key), value: this.expr(sub(n, "value")), spaced: false, span };
    }
    const flag = tok(n, "flag");
    if (flag) return { kind: "flagAttr", name: identOf(flag), span };
    const value = this.expr(sub(n, "value"));
    return value && { kind: "valueAttr", value, span };
  }

  annotation(n: CstNode): A.Annotation | undefined {
    const shape = sub(n, "shapeAnnotation");
    if (shape) {
      const dir = tok(shape, "direction");
      if (!dir) return undefined;
      const dims = tok(shape, "Dims");
      const e = this.expr(sub(shape, "expr"));
      const exprs = e === undefined ? [] : e.kind === "tuple" ? e.items : [e];
      const direction = dir.image === "->" ? "out" : "in";
      return { kind: "shapeAnnotation", direction, dims: dims && dimsOf(dims), exprs, span: nodeSpan(shape) };
    }
    const cost = sub(n, "costAnnotation");
    const metric = tok(cost, "metric");
    if (!cost || !metric) return undefined;
    const value = tok(cost, "value");
    const tol = tok(cost, "tolerance");
    return {
      kind: "costAnnotation",
      metric: metric.image as A.CostAnnotation["metric"],
      exact: tok(cost, "relation")?.image === "=",
      value: value && numberOf(value),
      tolerancePercent: tol && numberValue(tol.image).value,
      toleranceText: tol?.image,
      span: nodeSpan(cost),
    };
  }

  // ---- expressions: precedence climbing over the flat `operand (op operand)*` ----

  expr(n: CstNode | undefined): A.Expr | undefined {
    if (!n) return undefined;
    // The stream: each operand's `not`s as prefix tokens, then the operand (signs
    // bound to its atom), then the operator after it.
    // Most expressions are one operand (`conv 3x3 64`): no climbing needed.
    const only = n.children["op"] === undefined && n.children["operand"]?.length === 1 ? n.children["operand"][0]! : undefined;
    if (only && !isToken(only) && !only.children["not"]) return this.signed(only);
    const operands = subs(n, "operand");
    const ops = toks(n, "op");
    const stream: (IToken | A.Expr | undefined)[] = [];
    for (let i = 0; i < operands.length; i++) {
      const o = operands[i]!;
      if (o.children["not"] !== undefined) for (const t of toks(o, "not")) stream.push(t);
      stream.push(this.signed(o));
      if (ops[i]) stream.push(ops[i]);
    }
    return this.climb(stream);
  }

  /** The expression of a flat stream (operands, their `not`s, operators), chained comparisons reported. */
  climb(stream: (IToken | A.Expr | undefined)[]): A.Expr | undefined {
    return new Climber(stream, this.chained).parse(0);
  }

  /** A chained comparison, found by the Climber (one function for all of them). */
  private readonly chained = (e: A.Binary): void => {
    this.diagnostics.push(diag("NET1009", this.path, e.span, { text: this.text.slice(e.span.offset, e.span.offset + e.span.length) }));
  };

  /** Signs bind tightest: `-x * y` is `(-x) * y`. */
  private signed(n: CstNode): A.Expr | undefined {
    const acc = this.atom(sub(n, "atom"));
    if (n.children["sign"] === undefined) return acc;
    return withSigns(acc, toks(n, "sign"));
  }

  atom(n: CstNode | undefined): A.Expr | undefined {
    if (!n) return undefined;
    const num = tok(n, "NumberLit");
    if (num) return numberOf(num);
    const str = tok(n, "StringLit");
    if (str) return { kind: "string", value: decodeString(str.image), span: tokSpan(str) };
    const t = tok(n, "True") ?? tok(n, "False");
    if (t) return { kind: "bool", value: t.image === "true", span: tokSpan(t) };
    const id = tok(n, "Ident");
    if (id) return { kind: "name", name: id.image, span: tokSpan(id) };
    const call = sub(n, "callExpr");
    if (call) {
      const callee = tok(call, "Ident");
      if (!callee) return undefined;
      const args = fit(subs(call, "expr").flatMap((e) => this.expr(e) ?? []));
      return { kind: "call", callee: identOf(callee), args, span: nodeSpan(call) };
    }
    const paren = sub(n, "parenExpr");
    if (paren) {
      const items = fit(subs(paren, "expr").flatMap((e) => this.expr(e) ?? []));
      if (items.length === 1 && toks(paren, "Comma").length === 0) return items[0];
      return { kind: "tuple", items, span: nodeSpan(paren) };
    }
    return undefined;
  }
}

/** Binding power of binary operators; `not` sits between `and` and the comparisons. */
const PRECEDENCE: Record<string, number> = {
  or: 1, and: 2, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
};
const NOT_OPERAND = 3;
const COMPARISON = 4;

const isOpToken = (x: IToken | A.Expr | undefined): x is IToken => x !== undefined && "image" in x;

/** Pratt-style climbing; recursion depth is bounded by the precedence levels and the `not` count (capped by the prepass). */
export class Climber {
  private i = 0;
  /** Comparisons built here, made at the first one (most expressions have none). */
  private comparisons?: Set<A.Expr>;
  constructor(
    private readonly stream: (IToken | A.Expr | undefined)[],
    private readonly chained: (e: A.Binary) => void,
  ) {}

  parse(minPrec: number): A.Expr | undefined {
    let left = this.prefix();
    for (;;) {
      const op = this.stream[this.i];
      if (!isOpToken(op)) return left;
      const prec = PRECEDENCE[op.image] ?? 0;
      if (prec < minPrec) return left;
      this.i++;
      const right = this.parse(prec + 1);
      const start = left?.span ?? tokSpan(op);
      // A comparison built here (not one in parentheses, which came in as an operand).
      const chain = prec === COMPARISON && left !== undefined && this.comparisons?.has(left) === true;
      left = { kind: "binary", op: op.image as A.Binary["op"], left, right, span: joinOp(start, op, right?.span) };
      if (prec === COMPARISON) (this.comparisons ??= new Set()).add(left);
      if (chain) this.chained(left as A.Binary);
    }
  }

  private prefix(): A.Expr | undefined {
    const t = this.stream[this.i++];
    if (isOpToken(t) && t.image === "not") {
      const operand = this.parse(NOT_OPERAND + 1);
      return { kind: "unary", op: "not", operand, span: join(tokSpan(t), operand?.span) };
    }
    return isOpToken(t) ? undefined : t;
  }
}
