// Chevrotain's error recovery, for the lines of a long network that the fast
// path gives up on, without chevrotain. parse.ts parses such a line (a piece
// of a long network, closed by the network's '}') with parser.ts's
// networkRest and lowers its CST; in a file of bad lines that was most of the
// checking time, much of it warming up chevrotain's generic recovery code and
// lower.ts's CST walk. This parser takes the statements of such a piece and
// gives what that gives: the same AST (what lower.ts makes of chevrotain's
// partial CST: each rule's node lowered from what it consumed when it
// returned or failed) and the same errors (name, message, token, previous
// token, rule stack). Where it does not know what chevrotain would do (other
// items, strings, bad numbers, recovery that reaches the piece's top rule, a
// repetition left before its '}') it gives up, and parse.ts parses the piece
// with chevrotain as before.
//
// What it reproduces, from chevrotain's recoverable.js and parser.ts:
// - decisions: each OR, OPTION and MANY of the rules below picks what
//   chevrotain's lookahead picks (test/syntax/recover.test.ts compares them with
//   the paths chevrotain computes from the grammar);
// - a failed CONSUME: the error is saved, then single-token insertion (the
//   found token can follow the expected one) or deletion (the token after it
//   is the expected one), else the error propagates;
// - a rule that fails: it resynchronises at the first token ahead that can
//   follow any rule on the stack when that token can follow the rule itself
//   (it returns what it has), else what it has is kept by its caller and the
//   error goes up;
// - a repetition followed by a token (`(a, b)`'s ')'): when the token after
//   the last round is neither that token nor recoverable in the rule, tokens
//   are skipped up to it or to the next round, unless the resync point comes
//   first.
// Follow sets and in-rule follows are chevrotain's own, read from the parser.
// test/syntax/recover.test.ts compares the ASTs and diagnostics of mutated
// lines with chevrotain's.

import type { IToken, TokenType } from "chevrotain";
import type * as A from "./ast.js";
import { EOF } from "./chevrotain.js";
import * as T from "./lexer.js";
import { numberValue } from "./lexer.js";
import { dimsOf, dimsTuple, identOf, locationSpan, numberOf, tokSpan, withSigns, type Lowerer } from "./lower.js";
import { getParser, mismatchWords, ruleWords } from "./parser.js";
import { BINARY, fastPath } from "./fast.js";

/** An error as chevrotain saves it, with the fields parse.ts reads. */
export interface RecoveredError {
  name: "MismatchedTokenException" | "NoViableAltException";
  message: string;
  token: IToken;
  previousToken: IToken;
  resyncedTokens: IToken[];
  context: { ruleStack: string[]; ruleOccurrenceStack: number[] };
}

/** Thrown to give up. */
const GIVE_UP = { giveUp: true };

const idx = (t: TokenType) => t.tokenTypeIdx!;
const NL = idx(T.NL), SEMI = idx(T.Semi), RBRACE = idx(T.RBrace), LPAREN = idx(T.LParen), RPAREN = idx(T.RParen), COMMA = idx(T.Comma);
const EQUALS = idx(T.Equals), IDENT = idx(T.Ident), NUMBER = idx(T.NumberLit), DIMS = idx(T.Dims), SLASH = idx(T.Slash), TILDE = idx(T.Tilde);
const TRUE = idx(T.True), FALSE = idx(T.False), NOT = idx(T.Not), MINUS = idx(T.Minus), PLUS = idx(T.Plus);
const FROM = idx(T.From), WEIGHT = idx(T.Weight), ARROW = idx(T.Arrow), BACKARROW = idx(T.BackArrow), PARAMS = idx(T.Params), MACS = idx(T.Macs), TOL = idx(T.Tol);
const EOF_IDX = idx(EOF);

const table = (types: TokenType[]): boolean[] => {
  const t: boolean[] = [];
  for (const x of types) t[idx(x)] = true;
  return t;
};
/** first(expr), first(argument): an OPTION's way in. */
const EXPR_START = table([T.Not, T.Minus, T.Plus, T.NumberLit, T.StringLit, T.True, T.False, T.Ident, T.LParen]);
/** opLayer's MANY(attr). */
const ATTR_START = table([T.Dims, T.Ident, T.Not, T.Minus, T.Plus, T.NumberLit, T.StringLit, T.True, T.False, T.LParen]);
/** networkRest's MANY: a separator or a network item. */
const ITEM_START = table([T.Input, T.Defaults, T.Train, T.Stem, T.Body, T.Head, T.Ident, T.StringLit, T.Seq, T.Concat, T.Add, T.Mul, T.Repeat, T.If]);
/** Tokens whose handling (token categories, string and number diagnostics) is left to chevrotain. */
const LEFT_TO_CHEVROTAIN = table([T.StringLit, T.UnterminatedString, T.BadNumber]);

const END_OF_FILE = { image: "", startOffset: NaN, endOffset: NaN, tokenType: EOF, tokenTypeIdx: EOF_IDX } as IToken;

interface ChevrotainInternals {
  resyncFollows: Record<string, TokenType[]>;
  getNextPossibleTokenTypes(path: { ruleStack: string[]; occurrenceStack: number[]; lastTok: TokenType; lastTokOccurrence: number }): TokenType[];
}

/**
 * What a rule has consumed so far: what lower.ts reads of its CST node. The
 * tokens kept are real ones (lower.ts skips tokens inserted in recovery), and
 * each field is named after the CST key it stands for.
 */
class Frame {
  /** The node's location: the first and last real token consumed in the rule or a rule it called (NaN when none). */
  start = NaN;
  end = NaN;
  /** The rule's Ident (or NumberLit, True, False in an atom). */
  tok: IToken | undefined = undefined;
  /** What its sub-rule returned: a statement's layer, a layer's op layer or block call, an atom's call or parenthesis, an attr's expression. */
  value: unknown = undefined;
  /** A list of lowered sub-rules: a statement's annotations, an op layer's attrs, a block call's arguments, a call's or parenthesis's expressions. */
  list: unknown[] | undefined = undefined;
  /** An expression's stream (operands, their `not`s, operators); an operand's `not`s. */
  stream: (IToken | A.Expr | undefined)[] | undefined = undefined;
  /** An operand's signs, a parenthesis's commas. */
  signs: IToken[] | undefined = undefined;
  commas = 0;
  // statement
  name: A.Ident | undefined = undefined;
  from: IToken | undefined = undefined;
  weight: A.Expr | undefined = undefined;
  // attr, annotations
  key: IToken | undefined = undefined;
  dims: IToken | undefined = undefined;
  spacedNumber: IToken | undefined = undefined;
  spacedDims: IToken | undefined = undefined;
  flag: IToken | undefined = undefined;
  stride: A.Expr | undefined = undefined;
  direction: IToken | undefined = undefined;
  metric: IToken | undefined = undefined;
  relation: IToken | undefined = undefined;
  number: IToken | undefined = undefined;
  tolerance: IToken | undefined = undefined;

  /** chevrotain's setNodeLocationOnlyOffset. */
  locate(start: number, end: number): void {
    if (isNaN(this.start)) {
      this.start = start;
      this.end = end;
    } else if (this.end < end) this.end = end;
  }

  /** lower.ts's nodeSpan. */
  span(): A.Span {
    return locationSpan(this.start, this.end);
  }

  push(x: unknown): void {
    (this.list ??= []).push(x);
  }
}

/**
 * A SUBRULE call site in parser.ts: the rule called, its occurrence and the
 * rule calling it (its follow set, chevrotain's, as a table by token type, is
 * read once), its body here, what lower.ts makes of its node, and where that
 * goes in the caller's.
 */
interface Site {
  rule: string;
  occurrence: number;
  caller: string;
  body: (this: Recoverer, f: Frame) => void;
  lower: (f: Frame, l: Lowerer) => unknown;
  put: (parent: Frame, value: unknown, f: Frame) => void;
  follow?: boolean[];
}

/** Grammar facts read from chevrotain: follow sets, and what may follow a token with a given rule stack. */
class Facts {
  private readonly inRule = new Map<string, boolean[]>();
  private readonly parser = getParser() as unknown as ChevrotainInternals;

  follow(site: Site): boolean[] {
    if (!site.follow) {
      const types = this.parser.resyncFollows[`${site.rule}${site.occurrence}_~IN~_${site.caller}`];
      if (!types) throw GIVE_UP;
      site.follow = table(types);
    }
    return site.follow;
  }

  /** What may come after token `type` (CONSUME occurrence `occurrence`) with the rule stack `sites[1..depth]`. */
  after(sites: Site[], depth: number, type: TokenType, occurrence: number): boolean[] {
    let key = `${type.name}${occurrence}`;
    for (let i = 1; i <= depth; i++) key += ` ${sites[i]!.rule}${sites[i]!.occurrence}`;
    let set = this.inRule.get(key);
    if (!set) {
      const ruleStack = ["networkRest"];
      const occurrenceStack = [0];
      for (let i = 1; i <= depth; i++) {
        ruleStack.push(sites[i]!.rule);
        occurrenceStack.push(sites[i]!.occurrence);
      }
      set = table(this.parser.getNextPossibleTokenTypes({ ruleStack, occurrenceStack, lastTok: type, lastTokOccurrence: occurrence }));
      this.inRule.set(key, set);
    }
    return set;
  }
}

let facts: Facts | undefined;

/** Pieces this parser took and left to chevrotain (read by tests). */
export const recovery = { hits: 0, misses: 0 };

/**
 * The network items and syntax errors chevrotain's networkRest and lower.ts
 * give for `tokens` (a piece of a long network, closed by its '}'), or
 * undefined where this parser does not know them. Off with the fast path.
 */
export function recoverPiece(tokens: IToken[], lowerer: Lowerer): { items: A.NetworkItem[]; errors: RecoveredError[] } | undefined {
  if (!fastPath.enabled) return undefined;
  for (const t of tokens) {
    if (LEFT_TO_CHEVROTAIN[t.tokenTypeIdx]) {
      recovery.misses++;
      return undefined;
    }
  }
  facts ??= new Facts();
  const late = lowerer.lateCount;
  const r = new Recoverer(tokens, facts, lowerer);
  try {
    const items = r.networkRest();
    recovery.hits++;
    return { items, errors: r.errors };
  } catch (e) {
    if (e !== GIVE_UP) throw e;
    lowerer.lateCount = late;
    recovery.misses++;
    return undefined;
  }
}

const ROOT = { rule: "networkRest", occurrence: 0, caller: "" } as Site;

class Recoverer {
  readonly errors: RecoveredError[] = [];
  private pos = 0;
  private depth = 0;
  /** The rule stack: the call site of each rule, ROOT first, and what each has consumed. */
  private readonly sites: Site[] = [ROOT];
  private readonly frames: Frame[] = [new Frame()];

  constructor(
    private readonly tokens: IToken[],
    private readonly facts: Facts,
    private readonly lowerer: Lowerer,
  ) {}

  // ---- chevrotain's machinery ----

  LA(k: number): IToken {
    const i = this.pos + k - 1;
    return i < 0 || i >= this.tokens.length ? END_OF_FILE : this.tokens[i]!;
  }

  type(k: number): number {
    return this.LA(k).tokenTypeIdx;
  }

  private save(name: RecoveredError["name"], message: string, token: IToken, previousToken: IToken): RecoveredError {
    const ruleStack: string[] = [];
    const ruleOccurrenceStack: number[] = [];
    for (let i = 0; i <= this.depth; i++) {
      ruleStack.push(this.sites[i]!.rule);
      ruleOccurrenceStack.push(this.sites[i]!.occurrence);
    }
    const error: RecoveredError = { name, message, token, previousToken, resyncedTokens: [], context: { ruleStack, ruleOccurrenceStack } };
    this.errors.push(error);
    return error;
  }

  /**
   * The error going up the rule stack, where chevrotain throws it: every rule
   * returns as soon as it is set (a throw per rule was most of a bad line's cost).
   */
  failed: RecoveredError | undefined = undefined;

  noViableAlt(): void {
    const message = ruleWords(this.sites[this.depth]!.rule);
    if (message === undefined) throw GIVE_UP;
    this.failed = this.save("NoViableAltException", message, this.LA(1), this.LA(0));
  }

  /** SUBRULE at `site`: its node lowered and handed to the caller's, whether it returned or failed. */
  sub(site: Site): void {
    const parent = this.frames[this.depth]!;
    this.depth++;
    const frame = new Frame();
    this.frames[this.depth] = frame;
    this.sites[this.depth] = site;
    site.body.call(this, frame);
    // invokeRuleCatch: resynchronised here, or still failed in the caller
    if (this.failed) {
      const resync = this.findResync();
      if (this.follow(this.depth)[resync]) {
        this.failed.resyncedTokens = this.resyncTo(resync);
        this.failed = undefined;
      }
    }
    this.depth--;
    this.finish(site, parent, frame);
  }

  /** cstPostNonTerminal, and the node lowered. */
  private finish(site: Site, parent: Frame, frame: Frame): void {
    parent.locate(frame.start, frame.end);
    site.put(parent, site.lower(frame, this.lowerer), frame);
  }

  private follow(depth: number): boolean[] {
    return depth === 0 ? AT_EOF : this.facts.follow(this.sites[depth]!);
  }

  /** findReSyncTokenType: the first token ahead that can follow any rule on the stack. */
  private findResync(): number {
    for (let k = 1; ; k++) {
      const t = this.type(k);
      for (let d = 0; d <= this.depth; d++) if (this.follow(d)[t]) return t;
    }
  }

  /** reSyncTo: skips to the next token of type `t`; the skipped tokens but the last. */
  private resyncTo(t: number): IToken[] {
    const skipped: IToken[] = [];
    while (this.type(1) !== t) {
      this.skip();
      if (this.type(1) !== EOF_IDX) skipped.push(this.LA(1));
    }
    return skipped.slice(0, -1);
  }

  /** SKIP_TOKEN, without its result: never past the end. */
  private skip(): void {
    if (this.pos < this.tokens.length) this.pos++;
  }

  /** CONSUME (with in-rule recovery) of `type` at `occurrence`: the token, or undefined where one was inserted or it failed. */
  consume(type: TokenType, occurrence: number): IToken | undefined {
    const t = this.LA(1);
    const frame = this.frames[this.depth]!;
    if (t.tokenTypeIdx === idx(type)) {
      this.pos++;
      frame.locate(t.startOffset, t.endOffset!);
      return t;
    }
    const error = this.save("MismatchedTokenException", mismatchWords(type), t, this.LA(0));
    if (this.facts.after(this.sites, this.depth, type, occurrence)[t.tokenTypeIdx]) {
      frame.locate(NaN, NaN); // an inserted token's location
      return undefined;
    }
    if (this.type(2) === idx(type)) {
      this.skip();
      const next = this.LA(1);
      this.pos++;
      frame.locate(next.startOffset, next.endOffset!);
      return next;
    }
    this.failed = error;
    return undefined;
  }

  /** Whether in-rule recovery could recover a CONSUME of `type` here (canPerformInRuleRecovery). */
  private canRecoverInRule(type: TokenType, occurrence: number): boolean {
    return this.facts.after(this.sites, this.depth, type, occurrence)[this.type(1)] === true || this.type(2) === idx(type);
  }

  /**
   * attemptInRepetitionRecovery after a MANY followed by `expected` (a
   * CONSUME at `occurrence`): `more` is the MANY's lookahead, `again` runs
   * it again.
   */
  private repetitionRecovery(expected: TokenType, occurrence: number, notStuck: boolean, more: () => boolean, again: () => void): void {
    if (!notStuck || this.type(1) === idx(expected) || this.canRecoverInRule(expected, occurrence)) return;
    // tryInRepetitionRecovery
    const resync = this.findResync();
    const saved = this.pos;
    const skipped: IToken[] = [];
    const first = this.LA(1);
    const report = () => {
      this.save("MismatchedTokenException", mismatchWords(expected), first, this.LA(0)).resyncedTokens = skipped.slice(0, -1);
    };
    for (;;) {
      const t = this.type(1);
      if (t === idx(expected)) {
        report();
        return;
      }
      if (more()) {
        report();
        again();
        return;
      }
      if (t === resync) break;
      this.skip();
      if (this.type(1) !== EOF_IDX) skipped.push(this.LA(1));
    }
    this.pos = saved;
  }

  /** MANY(() => { CONSUME(Comma); SUBRULE2(item) }) and its recovery before the ')' that follows it. */
  commas(item: Site, f: Frame): void {
    let notStuck = true;
    while (this.type(1) === COMMA && notStuck) {
      const before = this.pos;
      if (this.consume(T.Comma, 0)) f.commas++;
      this.sub(item);
      if (this.failed) return;
      notStuck = this.pos > before;
    }
    this.repetitionRecovery(T.RParen, 0, notStuck, () => this.type(1) === COMMA, () => this.commas(item, f));
  }

  networkRest(): A.NetworkItem[] {
    const root = this.frames[0]!;
    for (;;) {
      const t = this.type(1);
      if (t === NL || t === SEMI) this.sub(S.sep);
      else if (ITEM_START[t]) {
        const before = this.pos;
        this.sub(S.netItem);
        if (!this.failed) this.sub(S.end);
        if (this.pos === before) throw GIVE_UP; // a stuck round: no repetition recovery, then '}' expected
      } else break;
      if (this.failed) throw GIVE_UP; // the top rule's recovery
    }
    // The repetition's recovery (before its '}') and the root rule's are chevrotain's.
    if (this.type(1) !== RBRACE) throw GIVE_UP;
    this.consume(T.RBrace, 0);
    if (this.failed || this.pos !== this.tokens.length) throw GIVE_UP; // chevrotain's NotAllInputParsedException
    return (root.list ?? []) as A.NetworkItem[]; // copied into the network's list
  }
}

const AT_EOF = table([EOF]);

// ---- the rules (parser.ts), with the occurrence of each CONSUME: CONSUME is 0, CONSUMEn is n ----

function sep(this: Recoverer): void {
  this.consume(this.type(1) === NL ? T.NL : T.Semi, 0);
}

function netItem(this: Recoverer): void {
  if (this.type(1) !== IDENT) throw GIVE_UP; // other items, and statements that are not op layers or block calls
  this.sub(S.statement);
}

function end(this: Recoverer): void {
  const t = this.type(1);
  if (t === NL) this.consume(T.NL, 0);
  else if (t === SEMI) this.consume(T.Semi, 0);
  else if (t !== RBRACE && t !== EOF_IDX) this.noViableAlt();
}

function statement(this: Recoverer, f: Frame): void {
  if (this.type(1) === IDENT && this.type(2) === EQUALS) {
    this.sub(S.statementName);
    if (this.failed) return;
    this.consume(T.Equals, 0);
    if (this.failed) return;
  }
  this.sub(S.layer);
  if (this.failed) return;
  if (this.type(1) === FROM) {
    this.consume(T.From, 0);
    if (this.failed) return;
    f.from = this.consume(T.Ident, 0);
    if (this.failed) return;
  }
  if (this.type(1) === WEIGHT) {
    this.consume(T.Weight, 0);
    if (this.failed) return;
    this.sub(S.weight);
    if (this.failed) return;
  }
  for (let t = this.type(1); t === ARROW || t === BACKARROW || t === PARAMS || t === MACS; t = this.type(1)) {
    this.sub(S.annotation);
    if (this.failed) return;
  }
}

function statementName(this: Recoverer, f: Frame): void {
  f.tok = this.consume(T.Ident, 0); // a quoted name (StringLit) is left to chevrotain
}

function layer(this: Recoverer): void {
  const t = this.type(1);
  if (t === IDENT && this.type(2) === LPAREN) this.sub(S.blockCall);
  else if (t === IDENT) this.sub(S.opLayer);
  else if (ITEM_START[t]) throw GIVE_UP; // seq, concat, add, mul, repeat, if: bodies in braces
  else this.noViableAlt();
}

/** blockCall and callExpr: `Ident ( [first (, more)*] )`, the list an OPTION whose way in is first(expr). */
function call(this: Recoverer, f: Frame, first: Site, more: Site): void {
  f.tok = this.consume(T.Ident, 0);
  this.consume(T.LParen, 0);
  if (this.failed) return;
  if (EXPR_START[this.type(1)]) {
    this.sub(first);
    if (this.failed) return;
    this.commas(more, f);
    if (this.failed) return;
  }
  this.consume(T.RParen, 0);
}

function blockCall(this: Recoverer, f: Frame): void {
  call.call(this, f, S.argument, S.argument2);
}

function argument(this: Recoverer, f: Frame): void {
  if (this.type(1) === IDENT && this.type(2) === EQUALS) {
    f.tok = this.consume(T.Ident, 0);
    this.consume(T.Equals, 0);
    if (this.failed) return;
  }
  this.sub(S.argumentExpr);
}

function opLayer(this: Recoverer, f: Frame): void {
  f.tok = this.consume(T.Ident, 0);
  while (ATTR_START[this.type(1)]) {
    this.sub(S.attr);
    if (this.failed) return;
  }
}

/** attr's alternatives in order, with their gates (parser.ts). */
function attr(this: Recoverer, f: Frame): void {
  const t = this.type(1);
  const next = this.type(2);
  if (t === DIMS) {
    f.dims = this.consume(T.Dims, 0);
    if (this.type(1) === SLASH) {
      this.consume(T.Slash, 0);
      this.sub(S.stride);
    }
  } else if (t === IDENT && next === EQUALS) {
    f.key = this.consume(T.Ident, 1);
    this.consume(T.Equals, 0);
    if (!this.failed) this.sub(S.namedValue);
  } else if (t === IDENT && (next === NUMBER || next === DIMS)) {
    f.key = this.consume(T.Ident, 2);
    if (next === NUMBER) f.spacedNumber = this.consume(T.NumberLit, 2);
    else f.spacedDims = this.consume(T.Dims, 2);
  } else if (t === IDENT && !BINARY[next] && next !== LPAREN) {
    f.flag = this.consume(T.Ident, 3);
  } else this.sub(S.value);
}

function annotation(this: Recoverer): void {
  const t = this.type(1);
  this.sub(t === ARROW || t === BACKARROW ? S.shapeAnnotation : S.costAnnotation);
}

function shapeAnnotation(this: Recoverer, f: Frame): void {
  f.direction = this.consume(this.type(1) === ARROW ? T.Arrow : T.BackArrow, 0);
  if (this.type(1) === DIMS) f.dims = this.consume(T.Dims, 0);
  else if (EXPR_START[this.type(1)]) this.sub(S.shapeExpr);
  else this.noViableAlt();
}

function costAnnotation(this: Recoverer, f: Frame): void {
  f.metric = this.consume(this.type(1) === PARAMS ? T.Params : T.Macs, 0);
  const r = this.type(1);
  if (r === EQUALS) f.relation = this.consume(T.Equals, 0);
  else if (r === TILDE) f.relation = this.consume(T.Tilde, 0);
  else this.noViableAlt();
  if (this.failed) return;
  f.number = this.consume(T.NumberLit, 0);
  if (this.failed) return;
  if (this.type(1) === TOL) {
    this.consume(T.Tol, 0);
    f.tolerance = this.consume(T.NumberLit, 2);
    if (this.failed) return;
    this.consume(T.Percent, 0);
  }
}

function expr(this: Recoverer, f: Frame): void {
  f.stream = [];
  this.sub(S.operand);
  while (!this.failed && BINARY[this.type(1)]) {
    f.stream.push(this.consume(this.LA(1).tokenType, 0));
    this.sub(S.operand2);
  }
}

function operand(this: Recoverer, f: Frame): void {
  while (this.type(1) === NOT) (f.stream ??= []).push(this.consume(T.Not, 0));
  for (let t = this.type(1); t === MINUS || t === PLUS; t = this.type(1)) (f.signs ??= []).push(this.consume(t === MINUS ? T.Minus : T.Plus, 0)!);
  this.sub(S.atom);
}

function atom(this: Recoverer, f: Frame): void {
  const t = this.type(1);
  if (t === NUMBER) f.tok = this.consume(T.NumberLit, 0);
  else if (t === TRUE) f.tok = this.consume(T.True, 0);
  else if (t === FALSE) f.tok = this.consume(T.False, 0);
  else if (t === IDENT && this.type(2) === LPAREN) this.sub(S.callExpr);
  else if (t === IDENT) f.tok = this.consume(T.Ident, 0);
  else if (t === LPAREN) this.sub(S.parenExpr);
  else this.noViableAlt();
}

function callExpr(this: Recoverer, f: Frame): void {
  call.call(this, f, S.callArg, S.callArg2);
}

function parenExpr(this: Recoverer, f: Frame): void {
  this.consume(T.LParen, 0);
  this.sub(S.parenItem);
  if (this.failed) return;
  this.commas(S.parenItem2, f);
  if (this.failed) return;
  this.consume(T.RParen, 0);
}

// ---- what lower.ts makes of each rule's node (same fields, same order) ----

const nothing = (): undefined => undefined;
/** A list the AST keeps, at its exact length (as lower.ts's are: a pushed-to array has spare room). */
const fit = (list: unknown[] | undefined): unknown[] => (list === undefined ? [] : list.slice());
const value = (f: Frame): unknown => f.value;
const ident = (f: Frame): A.Ident | undefined => f.tok && identOf(f.tok);

function lowerStatement(f: Frame, l: Lowerer): A.Statement {
  const span = f.span();
  return {
    kind: "statement",
    name: f.name,
    layer: f.value as A.LayerExpr | undefined,
    from: f.from && identOf(f.from),
    weight: f.weight,
    annotations: fit(f.list) as A.Annotation[],
    doc: l.docFor(span),
    span,
  };
}

function lowerOpLayer(f: Frame): A.OpLayer | undefined {
  return f.tok && { kind: "op", op: identOf(f.tok), attrs: fit(f.list) as A.Attr[], span: f.span() };
}

function lowerBlockCall(f: Frame): A.BlockCall | undefined {
  if (!f.tok) return undefined;
  return { kind: "blockCall", callee: identOf(f.tok), args: fit(f.list) as A.Argument[], span: f.span() };
}

function lowerArgument(f: Frame): A.Argument {
  return { name: f.tok && identOf(f.tok), value: f.value as A.Expr | undefined, span: f.span() };
}

function lowerAttr(f: Frame): A.Attr | undefined {
  const span = f.span();
  if (f.dims) return { kind: "dimsAttr", dims: dimsOf(f.dims), stride: f.stride, span };
  if (f.key) {
    const num = f.spacedNumber;
    const sd = f.spacedDims;
    if (num || sd) return { kind: "namedAttr", key: identOf(f.key), value: num ? numberOf(num) : dimsTuple(sd!), spaced: true, span };
    return { kind: "namedAttr", key: identOf(f.key), value: f.value as A.Expr, spaced: false, span };
  }
  if (f.flag) return { kind: "flagAttr", name: identOf(f.flag), span };
  const v = f.value as A.Expr | undefined;
  return v && { kind: "valueAttr", value: v, span };
}

function lowerShape(f: Frame): A.ShapeAnnotation | undefined {
  const dir = f.direction;
  if (!dir) return undefined;
  const e = f.value as A.Expr | undefined;
  const exprs = e === undefined ? [] : e.kind === "tuple" ? e.items : [e];
  return { kind: "shapeAnnotation", direction: dir.image === "->" ? "out" : "in", dims: f.dims && dimsOf(f.dims), exprs, span: f.span() };
}

function lowerCost(f: Frame): A.CostAnnotation | undefined {
  const metric = f.metric;
  if (!metric) return undefined;
  const tol = f.tolerance;
  return {
    kind: "costAnnotation",
    metric: metric.image as A.CostAnnotation["metric"],
    exact: f.relation?.image === "=",
    value: f.number && numberOf(f.number),
    tolerancePercent: tol && numberValue(tol.image).value,
    toleranceText: tol?.image,
    span: f.span(),
  };
}

function lowerExpr(f: Frame, l: Lowerer): A.Expr | undefined {
  return l.climb(f.stream!);
}

/** lower.ts's signed(). */
function lowerOperand(f: Frame): A.Expr | undefined {
  const acc = f.value as A.Expr | undefined;
  return f.signs ? withSigns(acc, f.signs) : acc;
}

function lowerAtom(f: Frame): A.Expr | undefined {
  const t = f.tok;
  if (!t) return f.value as A.Expr | undefined;
  const type = t.tokenTypeIdx;
  if (type === NUMBER) return numberOf(t);
  if (type === TRUE || type === FALSE) return { kind: "bool", value: t.image === "true", span: tokSpan(t) };
  return { kind: "name", name: t.image, span: tokSpan(t) };
}

function lowerCall(f: Frame): A.Call | undefined {
  return f.tok && { kind: "call", callee: identOf(f.tok), args: fit(f.list) as A.Expr[], span: f.span() };
}

function lowerParen(f: Frame): A.Expr {
  const items = fit(f.list) as A.Expr[];
  if (items.length === 1 && f.commas === 0) return items[0]!;
  return { kind: "tuple", items, span: f.span() };
}

// ---- where each goes in its caller's node ----

const toValue = (parent: Frame, v: unknown): void => {
  parent.value = v;
};
/** Into a list, skipping what lowered to nothing (lower.ts's mapSubs and flatMap). */
const toList = (parent: Frame, v: unknown): void => {
  if (v !== undefined) parent.push(v);
};
/** An operand into its expression's stream: its `not`s, then it. */
const toStream = (parent: Frame, v: unknown, f: Frame): void => {
  if (f.stream) for (const n of f.stream) parent.stream!.push(n);
  parent.stream!.push(v as A.Expr | undefined);
};

function site(rule: string, occurrence: number, caller: string, body: Site["body"], lower: Site["lower"], put: Site["put"]): Site {
  return { rule, occurrence, caller, body, lower, put };
}

/** Every SUBRULE of the rules above: SUBRULE is occurrence 0, SUBRULE2 occurrence 2. */
const S = {
  sep: site("sep", 0, "networkRest", sep, nothing, nothing),
  netItem: site("netItem", 0, "networkRest", netItem, value, toList),
  end: site("end", 0, "networkRest", end, nothing, nothing),
  statement: site("statement", 0, "netItem", statement, lowerStatement, toValue),
  statementName: site("statementName", 0, "statement", statementName, ident, (p, v) => (p.name = v as A.Ident | undefined)),
  layer: site("layer", 0, "statement", layer, value, toValue),
  weight: site("expr", 0, "statement", expr, lowerExpr, (p, v) => (p.weight = v as A.Expr | undefined)),
  annotation: site("annotation", 0, "statement", annotation, value, toList),
  blockCall: site("blockCall", 0, "layer", blockCall, lowerBlockCall, toValue),
  opLayer: site("opLayer", 0, "layer", opLayer, lowerOpLayer, toValue),
  argument: site("argument", 0, "blockCall", argument, lowerArgument, toList),
  argument2: site("argument", 2, "blockCall", argument, lowerArgument, toList),
  argumentExpr: site("expr", 0, "argument", expr, lowerExpr, toValue),
  attr: site("attr", 0, "opLayer", attr, lowerAttr, toList),
  stride: site("atom", 0, "attr", atom, lowerAtom, (p, v) => (p.stride = v as A.Expr | undefined)),
  namedValue: site("expr", 0, "attr", expr, lowerExpr, toValue),
  value: site("expr", 2, "attr", expr, lowerExpr, toValue),
  shapeAnnotation: site("shapeAnnotation", 0, "annotation", shapeAnnotation, lowerShape, toValue),
  costAnnotation: site("costAnnotation", 0, "annotation", costAnnotation, lowerCost, toValue),
  shapeExpr: site("expr", 0, "shapeAnnotation", expr, lowerExpr, toValue),
  operand: site("operand", 0, "expr", operand, lowerOperand, toStream),
  operand2: site("operand", 2, "expr", operand, lowerOperand, toStream),
  atom: site("atom", 0, "operand", atom, lowerAtom, toValue),
  callExpr: site("callExpr", 0, "atom", callExpr, lowerCall, toValue),
  parenExpr: site("parenExpr", 0, "atom", parenExpr, lowerParen, toValue),
  callArg: site("expr", 0, "callExpr", expr, lowerExpr, toList),
  callArg2: site("expr", 2, "callExpr", expr, lowerExpr, toList),
  parenItem: site("expr", 0, "parenExpr", expr, lowerExpr, toList),
  parenItem2: site("expr", 2, "parenExpr", expr, lowerExpr, toList),
};
