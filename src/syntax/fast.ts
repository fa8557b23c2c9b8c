// The fast path of parse(): a hand-written recursive-descent parser over the
// prepass's tokens for error-free items in the common forms. It builds the AST
// nodes lower.ts builds from chevrotain's CST (same fields in the same order,
// same spans, same docs) without a CST; a large file's CST was most of its
// parsing time. It reports nothing: at the first token it does not expect (any
// syntax error, or a form it does not know: strings, bad numbers, an input's
// preprocessing, imports, chained comparisons) it gives up, and parse.ts
// parses with chevrotain exactly as before: the whole top-level item, or in a
// long network (parsed in pieces) the lines from the one it gave up on to the
// next place a piece could end.
// test/syntax/fast-path.test.ts parses the same texts with and without it.
//
// Every decision below is the one chevrotain's lookahead makes in parser.ts
// (its gates and alternative order), at the same token.

import type { IToken } from "chevrotain";
import type * as A from "./ast.js";
import * as T from "./lexer.js";
import type { CompactTokens } from "./lexer.js";
import { Climber, dimsFrom, dimsTuple, identFrom, join, makeSpan, numberFrom, tokSpan, type Lowerer } from "./lower.js";
import { numberValue } from "./lexer.js";

/** Switched off by tests (and NETC_NO_FAST_PATH=1) to compare with chevrotain; `hits` counts items and pieces it built. */
export const fastPath = { enabled: process.env.NETC_NO_FAST_PATH !== "1", hits: 0, misses: 0 };

const idx = (t: { tokenTypeIdx?: number }) => t.tokenTypeIdx!;
const NL = idx(T.NL), SEMI = idx(T.Semi), LBRACE = idx(T.LBrace), RBRACE = idx(T.RBrace), LPAREN = idx(T.LParen), RPAREN = idx(T.RParen);
const COMMA = idx(T.Comma), EQUALS = idx(T.Equals), COLON = idx(T.Colon), ARROW = idx(T.Arrow), BACKARROW = idx(T.BackArrow), SLASH = idx(T.Slash);
const IDENT = idx(T.Ident), NUMBER = idx(T.NumberLit), BADNUMBER = idx(T.BadNumber), DIMS = idx(T.Dims), STRING = idx(T.StringLit), UNTERMINATED = idx(T.UnterminatedString);
const NETWORK = idx(T.Network), BLOCK = idx(T.Block), INPUT = idx(T.Input), DEFAULTS = idx(T.Defaults), TRAIN = idx(T.Train);
const STEM = idx(T.Stem), BODY = idx(T.Body), HEAD = idx(T.Head), SEQ = idx(T.Seq), CONCAT = idx(T.Concat), ADD = idx(T.Add), MUL = idx(T.Mul);
const REPEAT = idx(T.Repeat), AS = idx(T.As), FROM = idx(T.From), WEIGHT = idx(T.Weight), PARAMS = idx(T.Params), MACS = idx(T.Macs), TOL = idx(T.Tol);
const TRUE = idx(T.True), FALSE = idx(T.False), IF = idx(T.If), ELSE = idx(T.Else), NOT = idx(T.Not), MINUS = idx(T.Minus), PLUS = idx(T.Plus), PERCENT = idx(T.Percent);
const TILDE = idx(T.Tilde);
/** Past the end of the tokens being parsed: the end of the item, or the '}' that closes a piece. */
const END = -1;

/** Binary operators, by token type (recover.ts's expressions too). */
export const BINARY: boolean[] = [];
for (const t of [T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.EqEq, T.NotEq, T.Lt, T.LtEq, T.Gt, T.GtEq, T.And, T.Or]) BINARY[idx(t)] = true;
/** parser.ts's SHAPE_START (the input's name gate). */
const SHAPE_START: boolean[] = [];
for (const t of [T.Dims, T.NumberLit, T.BadNumber, T.LParen, T.Ident, T.StringLit, T.UnterminatedString]) SHAPE_START[idx(t)] = true;
/** Tokens an attr can start with (its alternatives' first tokens). */
const ATTR_START: boolean[] = [];
for (const t of [T.Dims, T.Ident, T.Not, T.Minus, T.Plus, T.NumberLit, T.BadNumber, T.StringLit, T.UnterminatedString, T.True, T.False, T.LParen]) ATTR_START[idx(t)] = true;
/** Tokens a statement can start with. */
const STATEMENT_START: boolean[] = [];
for (const t of [T.Ident, T.StringLit, T.UnterminatedString, T.Seq, T.Concat, T.Add, T.Mul, T.Repeat, T.If]) STATEMENT_START[idx(t)] = true;

/** Thrown (not an Error: no stack trace) to give up; caught by the entry points. */
const GIVE_UP = { giveUp: true };

export class FastParser {
  private pos = 0;
  private limit = 0;
  private chained = false;
  private readonly onChained = (): void => {
    this.chained = true;
  };
  private readonly types: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly text: string;

  constructor(
    lexed: CompactTokens,
    private readonly indices: Int32Array,
    private readonly lowerer: Lowerer,
  ) {
    this.types = lexed.types;
    this.starts = lexed.starts;
    this.ends = lexed.ends;
    this.text = lexed.text;
  }

  /** A whole top-level item, tokens [from, to) (a network or block and the new lines after it), or undefined. */
  item(from: number, to: number): A.TopLevel | undefined {
    if (!fastPath.enabled) return undefined;
    this.pos = from;
    this.limit = to;
    try {
      const t = this.type(from);
      const node = t === NETWORK ? this.network() : t === BLOCK ? this.block() : this.giveUp();
      while (this.pos < to) if (this.types[this.indices[this.pos++]!] !== NL) this.giveUp();
      fastPath.hits++;
      return node;
    } catch (e) {
      if (e !== GIVE_UP) throw e;
      fastPath.misses++;
      return undefined;
    }
  }

  /**
   * A long network's items from token `from`, one at a time, up to `to` (the
   * end of its piece): each one built is pushed to `items` and its first token
   * to `firsts`. Returns -1 when all of them were built, else the first token
   * of the item it gave up on (nothing of that one is kept).
   */
  someItems(from: number, to: number, items: A.NetworkItem[], firsts: number[]): number {
    this.pos = from;
    this.limit = to;
    for (;;) {
      const t = this.type(this.pos);
      if (t === NL || t === SEMI) {
        this.pos++;
        continue;
      }
      if (t === END) return -1;
      const first = this.pos;
      if (t === RBRACE) return first;
      try {
        const item = this.netItem(t);
        this.end();
        items.push(item);
        firsts.push(first);
        fastPath.hits++;
      } catch (e) {
        if (e !== GIVE_UP) throw e;
        fastPath.misses++;
        return first;
      }
    }
  }

  private giveUp(): never {
    throw GIVE_UP;
  }

  private type(i: number): number {
    return i < this.limit ? this.types[this.indices[i]!]! : END;
  }

  private tok(i: number): IToken {
    const k = this.indices[i]!;
    const start = this.starts[k]!;
    return { image: this.text.slice(start, this.ends[k]), startOffset: start } as IToken;
  }

  private expect(type: number): number {
    if (this.type(this.pos) !== type) this.giveUp();
    return this.pos++;
  }

  /** The span of tokens first..last (inclusive), as chevrotain's node location gives it. */
  private span(first: number, last: number): A.Span {
    const start = this.starts[this.indices[first]!]!;
    return makeSpan(start, this.ends[this.indices[last]!]! - start);
  }

  /**
   * span(first, last), or `same` when it covers exactly those tokens: a node
   * and its only part (a statement and its layer, an attribute and its value)
   * share one span object. Spans are never written (their fields are readonly),
   * so sharing is invisible but for the memory: a 2 MB spec's check keeps
   * 3.5% less (125 to 120 MB).
   */
  private spanOr(same: A.Span, first: number, last: number): A.Span {
    const start = this.starts[this.indices[first]!]!;
    const length = this.ends[this.indices[last]!]! - start;
    return same.offset === start && same.length === length ? same : makeSpan(start, length);
  }

  /** The image of token i (a slice of the text). */
  private image(i: number): string {
    const k = this.indices[i]!;
    return this.text.slice(this.starts[k], this.ends[k]);
  }

  private offset(i: number): number {
    return this.starts[this.indices[i]!]!;
  }

  private ident(i: number): A.Ident {
    return identFrom(this.image(i), this.offset(i));
  }

  private number(i: number): A.NumberLit {
    return numberFrom(this.image(i), this.offset(i));
  }

  private dims(i: number): A.Dims {
    return dimsFrom(this.image(i), this.offset(i));
  }

  private network(): A.NetworkDecl {
    const first = this.expect(NETWORK);
    const name = this.ident(this.expect(IDENT));
    let params: A.Param[] = [];
    if (this.type(this.pos) === LPAREN) {
      this.pos++;
      if (this.type(this.pos) === IDENT) params = this.paramList();
      this.expect(RPAREN);
    }
    this.expect(LBRACE);
    const items = this.netItems();
    const span = this.span(first, this.expect(RBRACE));
    return { kind: "network", name, params, items, doc: this.lowerer.docFor(span), span };
  }

  private block(): A.BlockDecl {
    const first = this.expect(BLOCK);
    const name = this.ident(this.expect(IDENT));
    this.expect(LPAREN);
    const params = this.type(this.pos) === IDENT ? this.paramList() : [];
    this.expect(RPAREN);
    const annotations = this.annotations();
    this.expect(LBRACE);
    const body = this.body();
    const span = this.span(first, this.expect(RBRACE));
    return { kind: "block", name, params, annotations, body, doc: this.lowerer.docFor(span), span };
  }

  private paramList(): A.Param[] {
    const params: A.Param[] = [];
    for (;;) {
      const first = this.expect(IDENT);
      let value: A.Expr | undefined;
      if (this.type(this.pos) === EQUALS) {
        this.pos++;
        value = this.expr();
      }
      params.push({ name: this.ident(first), default: value, span: this.span(first, this.pos - 1) });
      if (this.type(this.pos) !== COMMA) return params.slice();
      this.pos++;
    }
  }

  /** Network items up to a '}' or the end (not consumed). */
  private netItems(): A.NetworkItem[] {
    const items: A.NetworkItem[] = [];
    for (;;) {
      const t = this.type(this.pos);
      if (t === NL || t === SEMI) this.pos++;
      else if (t === RBRACE || t === END) return items.length === 0 ? items : items.slice();
      else {
        items.push(this.netItem(t));
        this.end();
      }
    }
  }

  /** parser.ts's `end`: a new line, ';', or nothing before '}'. */
  private end(): void {
    const t = this.type(this.pos);
    if (t === NL || t === SEMI) this.pos++;
    else if (t !== RBRACE && t !== END) this.giveUp();
  }

  private netItem(t: number): A.NetworkItem {
    if (t === INPUT) return this.input();
    if (t === DEFAULTS || t === TRAIN) return this.entries(t);
    if (t === STEM || t === BODY || t === HEAD) {
      const first = this.pos++;
      const kw = this.tok(first);
      this.expect(LBRACE);
      const body = this.body();
      const span = this.span(first, this.expect(RBRACE));
      return { kind: "section", section: kw.image as A.Section["section"], keyword: tokSpan(kw), body, span };
    }
    if (STATEMENT_START[t]) return this.statement();
    this.giveUp();
  }

  private input(): A.InputDecl {
    const first = this.pos++;
    let name: A.Ident | undefined;
    if (this.type(this.pos) === IDENT && SHAPE_START[this.type(this.pos + 1)]) name = this.ident(this.pos++);
    let shape: A.Dims | undefined;
    let exprs: A.Expr[] = [];
    if (this.type(this.pos) === DIMS) shape = this.dims(this.pos++);
    else {
      const e = this.expr();
      exprs = e.kind === "tuple" ? e.items : [e];
    }
    if (this.type(this.pos) === LBRACE) this.giveUp(); // preprocessing: rare, left to chevrotain
    return { kind: "input", name, shape, exprs, span: this.span(first, this.pos - 1) };
  }

  /** `defaults { ... }` and `train { ... }`. */
  private entries(t: number): A.DefaultsDecl | A.TrainDecl {
    const first = this.pos++;
    this.expect(LBRACE);
    const entries: (A.DefaultEntry & A.TrainEntry)[] = [];
    for (;;) {
      const u = this.type(this.pos);
      if (u === NL || u === SEMI) this.pos++;
      else if (u === IDENT) {
        entries.push((t === DEFAULTS ? this.defaultEntry() : this.trainEntry()) as A.DefaultEntry & A.TrainEntry);
        this.end();
      } else break;
    }
    const span = this.span(first, this.expect(RBRACE));
    const list = entries.length === 0 ? entries : entries.slice();
    return t === DEFAULTS ? { kind: "defaults", entries: list, span } : { kind: "train", entries: list, span };
  }

  private defaultEntry(): A.DefaultEntry {
    const first = this.pos++;
    let colon = false;
    if (this.type(this.pos) === COLON) {
      colon = true;
      this.pos++;
    }
    const attrs: A.Attr[] = [this.attr()];
    for (;;) {
      const t = this.type(this.pos);
      if (t === COMMA) {
        this.pos++;
        attrs.push(this.attr());
      } else if (ATTR_START[t]) attrs.push(this.attr());
      else break;
    }
    const entry: A.DefaultEntry = { op: this.ident(first), attrs: attrs.slice(), span: this.span(first, this.pos - 1) };
    if (colon) entry.colon = true;
    return entry;
  }

  private trainEntry(): A.TrainEntry {
    const first = this.pos++;
    const attrs = this.attrs();
    return { key: this.ident(first), attrs, span: this.span(first, this.pos - 1) };
  }

  /** Statements up to a '}' (not consumed). */
  private body(): A.Statement[] {
    const list: A.Statement[] = [];
    for (;;) {
      const t = this.type(this.pos);
      if (t === NL || t === SEMI) this.pos++;
      else if (t === RBRACE) return list.length === 0 ? list : list.slice();
      else if (STATEMENT_START[t]) {
        list.push(this.statement());
        this.end();
      } else this.giveUp();
    }
  }

  private statement(): A.Statement {
    const first = this.pos;
    let name: A.Ident | undefined;
    const t = this.type(first);
    if ((t === IDENT || t === STRING || t === UNTERMINATED) && this.type(first + 1) === EQUALS) {
      if (t !== IDENT) this.giveUp();
      name = this.ident(first);
      this.pos += 2;
    }
    const layer = this.layer();
    let from: A.Ident | undefined;
    if (this.type(this.pos) === FROM) {
      this.pos++;
      from = this.ident(this.expect(IDENT));
    }
    let weight: A.Expr | undefined;
    if (this.type(this.pos) === WEIGHT) {
      this.pos++;
      weight = this.expr();
    }
    const annotations = this.annotations();
    const span = this.spanOr(layer.span, first, this.pos - 1);
    return { kind: "statement", name, layer, from, weight, annotations, doc: this.lowerer.docFor(span), span };
  }

  /** The comma-separated items after a '(' up to its ')' (not consumed), cut to their length as lower.ts's lists are. */
  private commaList<T>(item: () => T): T[] {
    const list: T[] = [];
    if (this.type(this.pos) !== RPAREN) {
      for (;;) {
        list.push(item());
        if (this.type(this.pos) !== COMMA) break;
        this.pos++;
      }
    }
    return list.length === 0 ? list : list.slice();
  }

  private annotations(): A.Annotation[] {
    const list: A.Annotation[] = [];
    for (;;) {
      const t = this.type(this.pos);
      if (t === ARROW || t === BACKARROW) list.push(this.shapeAnnotation(t));
      else if (t === PARAMS || t === MACS) list.push(this.costAnnotation());
      else return list.length === 0 ? list : list.slice();
    }
  }

  private shapeAnnotation(t: number): A.ShapeAnnotation {
    const first = this.pos++;
    let dims: A.Dims | undefined;
    let exprs: A.Expr[] = [];
    if (this.type(this.pos) === DIMS) dims = this.dims(this.pos++);
    else {
      const e = this.expr();
      exprs = e.kind === "tuple" ? e.items : [e];
    }
    return { kind: "shapeAnnotation", direction: t === ARROW ? "out" : "in", dims, exprs, span: this.span(first, this.pos - 1) };
  }

  private costAnnotation(): A.CostAnnotation {
    const first = this.pos++;
    const metric = this.tok(first).image as A.CostAnnotation["metric"];
    const relation = this.type(this.pos);
    if (relation !== EQUALS && relation !== TILDE) this.giveUp();
    this.pos++;
    const value = this.number(this.expect(NUMBER));
    let tol: IToken | undefined;
    if (this.type(this.pos) === TOL) {
      this.pos++;
      tol = this.tok(this.expect(NUMBER));
      this.expect(PERCENT);
    }
    return {
      kind: "costAnnotation",
      metric,
      exact: relation === EQUALS,
      value,
      tolerancePercent: tol && numberValue(tol.image).value,
      toleranceText: tol?.image,
      span: this.span(first, this.pos - 1),
    };
  }

  private layer(): A.LayerExpr {
    const first = this.pos;
    const t = this.type(first);
    if (t === IDENT && this.type(first + 1) === LPAREN) {
      this.pos += 2;
      const args = this.commaList(() => this.argument());
      const span = this.span(first, this.expect(RPAREN));
      return { kind: "blockCall", callee: this.ident(first), args, span };
    }
    if (t === IDENT) {
      this.pos++;
      const attrs = this.attrs();
      const op = this.ident(first);
      return { kind: "op", op, attrs, span: this.spanOr(op.span, first, this.pos - 1) };
    }
    if (t === SEQ) {
      this.pos++;
      this.expect(LBRACE);
      const body = this.body();
      return { kind: "seq", body, span: this.span(first, this.expect(RBRACE)) };
    }
    if (t === CONCAT || t === ADD || t === MUL) {
      const kw = this.tok(this.pos++);
      const attrs = this.attrs();
      this.expect(LBRACE);
      const branches = this.body();
      const span = this.span(first, this.expect(RBRACE));
      return { kind: "merge", merge: kw.image as A.MergeLayer["merge"], keyword: tokSpan(kw), attrs, branches, span };
    }
    if (t === REPEAT) {
      this.pos++;
      const count = this.expr();
      let index: A.Ident | undefined;
      if (this.type(this.pos) === AS) {
        this.pos++;
        index = this.ident(this.expect(IDENT));
      }
      this.expect(LBRACE);
      const body = this.body();
      return { kind: "repeat", count, index, body, span: this.span(first, this.expect(RBRACE)) };
    }
    if (t === IF) {
      this.pos++;
      const condition = this.expr();
      const then = this.braced();
      let otherwise: A.Braced | undefined;
      const u = this.type(this.pos);
      if (u === ELSE || (u === NL && this.type(this.pos + 1) === ELSE)) {
        this.pos += u === NL ? 2 : 1;
        otherwise = this.braced();
      }
      return { kind: "if", condition, then, else: otherwise, span: this.span(first, this.pos - 1) };
    }
    this.giveUp();
  }

  private braced(): A.Braced {
    const open = this.expect(LBRACE);
    const body = this.body();
    const close = this.expect(RBRACE);
    const from = this.starts[this.indices[open]!]!;
    const to = this.starts[this.indices[close]!]! + 1;
    return { body, span: makeSpan(from, Math.max(0, to - from)) };
  }

  private argument(): A.Argument {
    const first = this.pos;
    let name: A.Ident | undefined;
    if (this.type(first) === IDENT && this.type(first + 1) === EQUALS) {
      name = this.ident(first);
      this.pos += 2;
    }
    const value = this.expr();
    return { name, value, span: this.span(first, this.pos - 1) };
  }

  private attrs(): A.Attr[] {
    if (!ATTR_START[this.type(this.pos)]) return [];
    const list: A.Attr[] = [];
    while (ATTR_START[this.type(this.pos)]) list.push(this.attr());
    return list.slice();
  }

  /** parser.ts's attr: its alternatives in order, with their gates. */
  private attr(): A.Attr {
    const first = this.pos;
    const t = this.type(first);
    const next = this.type(first + 1);
    if (t === DIMS) {
      const dims = this.dims(this.pos++);
      let stride: A.Expr | undefined;
      if (this.type(this.pos) === SLASH) {
        this.pos++;
        stride = this.atom();
      }
      return { kind: "dimsAttr", dims, stride, span: this.spanOr(dims.span, first, this.pos - 1) };
    }
    if (t === IDENT && next === EQUALS) {
      this.pos += 2;
      const value = this.expr();
      return { kind: "namedAttr", key: this.ident(first), value, spaced: false, span: this.span(first, this.pos - 1) };
    }
    if (t === IDENT && (next === NUMBER || next === BADNUMBER || next === DIMS)) {
      if (next === BADNUMBER) this.giveUp();
      this.pos += 2;
      return { kind: "namedAttr", key: this.ident(first), value: next === NUMBER ? this.number(first + 1) : dimsTuple(this.tok(first + 1)), spaced: true, span: this.span(first, first + 1) };
    }
    if (t === IDENT && !BINARY[next] && next !== LPAREN) {
      this.pos++;
      const name = this.ident(first);
      return { kind: "flagAttr", name, span: name.span };
    }
    const value = this.expr();
    return { kind: "valueAttr", value, span: this.spanOr(value.span, first, this.pos - 1) };
  }

  // ---- expressions: `operand (op operand)*`, precedence applied by lower.ts's Climber ----

  private expr(): A.Expr {
    let stream: (IToken | A.Expr | undefined)[] | undefined;
    for (;;) {
      let nots: IToken[] | undefined;
      while (this.type(this.pos) === NOT) (nots ??= []).push(this.tok(this.pos++));
      const operand = this.signed();
      const op = this.type(this.pos);
      if (stream === undefined && nots === undefined && !BINARY[op]) return operand;
      stream ??= [];
      if (nots) for (const n of nots) stream.push(n);
      stream.push(operand);
      if (!BINARY[op]) break;
      stream.push(this.tok(this.pos++));
    }
    this.chained = false;
    const e = new Climber(stream, this.onChained).parse(0);
    // A chained comparison is reported by lower.ts: left to chevrotain.
    if (this.chained || e === undefined) this.giveUp();
    return e;
  }

  /** Signs bind tightest: `-x * y` is `(-x) * y`. */
  private signed(): A.Expr {
    const first = this.pos;
    while (this.type(this.pos) === MINUS || this.type(this.pos) === PLUS) this.pos++;
    const signs = this.pos;
    let acc: A.Expr = this.atom();
    for (let i = signs - 1; i >= first; i--) {
      const op = this.tok(i);
      acc = { kind: "unary", op: op.image as A.Unary["op"], operand: acc, span: join(tokSpan(op), acc.span) };
    }
    return acc;
  }

  private atom(): A.Expr {
    const first = this.pos;
    const t = this.type(first);
    if (t === NUMBER) return this.number(this.pos++);
    if (t === TRUE || t === FALSE) {
      const tok = this.tok(this.pos++);
      return { kind: "bool", value: tok.image === "true", span: tokSpan(tok) };
    }
    if (t === IDENT) {
      if (this.type(first + 1) === LPAREN) {
        this.pos += 2;
        const args = this.commaList(() => this.expr());
        const span = this.span(first, this.expect(RPAREN));
        return { kind: "call", callee: this.ident(first), args, span };
      }
      const i = this.pos++;
      const name = this.image(i);
      return { kind: "name", name, span: makeSpan(this.offset(i), name.length) };
    }
    if (t === LPAREN) {
      this.pos++;
      const items: A.Expr[] = [this.expr()];
      let commas = 0;
      while (this.type(this.pos) === COMMA) {
        this.pos++;
        commas++;
        items.push(this.expr());
      }
      const span = this.span(first, this.expect(RPAREN));
      if (items.length === 1 && commas === 0) return items[0]!;
      return { kind: "tuple", items: items.slice(), span };
    }
    // Strings, bad numbers and anything else: chevrotain.
    this.giveUp();
  }
}
