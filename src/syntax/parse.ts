// parse(): text -> (possibly partial) AST + syntax diagnostics. Never throws.

import type { IRecognitionException, IToken, TokenType } from "chevrotain";
import type { NetworkDecl, SourceFile } from "./ast.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import * as T from "./lexer.js";
import { type CompactTokens, lexCompact } from "./lexer.js";
import { Lowerer } from "./lower.js";
import { getParser, type NetParser } from "./parser.js";
import { describeToken, prepass } from "./prepass.js";
import { floorDivisionCandidates, floorDivisionComments } from "./floor-division.js";
import { FastParser, fastPath } from "./fast.js";
import { recoverPiece } from "./recover.js";

import { MAX_FILE_BYTES } from "../util/read-file.js";
export { MAX_FILE_BYTES };

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

export function parse(text: string, path: string): ParseResult {
  const empty: SourceFile = { kind: "file", path, text, items: [], comments: [] };
  if (text.length > MAX_FILE_BYTES || Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) {
    return { file: empty, diagnostics: [diag("NET1007", path, { offset: 0, length: 0 }, { limit: MAX_FILE_BYTES })] };
  }
  try {
    const lexed = lexCompact(text, path);
    const pre = prepass(lexed.tokens, path);
    const floor = floorDivisionCandidates(lexed.tokens, lexed.comments);
    // Token objects are made per item or piece, as it is parsed (see CompactTokens).
    const tokens = new ItemTokens(lexed.tokens, pre.indices, pre.count);
    const parser = getParser();
    const late: Diagnostic[] = [];
    const lowerer = new Lowerer(text, lexed.comments, late, path);
    // Error-free items and pieces in the common forms skip chevrotain (see fast.ts).
    const fast = new FastParser(lexed.tokens, pre.indices, lowerer);
    const syntax: Diagnostic[] = [];
    const items: SourceFile["items"] = [];
    // One top-level item at a time (the prepass resynchronises at every
    // 'import', 'block' and 'network', as the parser's recovery would): each
    // item's CST is garbage as soon as it is lowered, so a file of thousands of
    // networks never holds them all at once.
    const bounds = [0, ...pre.itemStarts.filter((i) => i > 0), pre.count];
    // Every recovered error is an Error object; capturing a stack trace for each
    // is most of the cost of a file full of bad lines, and nothing reads them.
    const traceLimit = Error.stackTraceLimit;
    if (!process.env.NETC_DEBUG) Error.stackTraceLimit = 0;
    try {
      for (let k = 0; k + 1 < bounds.length; k++) {
        if (bounds[k] === bounds[k + 1]) continue;
        const pieces = pieceStarts(tokens, bounds[k]!, bounds[k + 1]!);
        const next = bounds[k + 1]! < tokens.count ? tokens.at(bounds[k + 1]!) : undefined;
        const long = pieces && parseInPieces(parser, lowerer, fast, tokens, bounds[k]!, pieces, (e) => parserDiagnostic(e, text, path, undefined));
        if (long) {
          for (const d of long.diagnostics) syntax.push(d);
          items.push(long.net);
          continue;
        }
        const quick = pieces ? undefined : fast.item(bounds[k]!, bounds[k + 1]!);
        if (quick) {
          items.push(quick);
          continue;
        }
        // A long network whose pieces did not do is parsed whole.
        parser.input = tokens.slice(bounds[k]!, bounds[k + 1]!);
        const cst = parser.file();
        for (const e of parser.errors) syntax.push(parserDiagnostic(e, text, path, next));
        for (const item of lowerer.items(cst)) items.push(item);
      }
    } finally {
      Error.stackTraceLimit = traceLimit;
    }
    parser.input = []; // release the tokens
    const file: SourceFile = { kind: "file", path, text, items, comments: lexed.comments };
    const hints = floorDivisionComments(floor.tokens, floor.comments, items, path);
    return { file, diagnostics: sortAndDedupe([...lexed.diagnostics, ...pre.diagnostics, ...syntax, ...late, ...hints]) };
  } catch (e) {
    // A bug in netc must not take the editor or the CLI down with it.
    const detail = e instanceof Error ? e.message : String(e);
    if (process.env.NETC_DEBUG) console.error(e);
    return { file: empty, diagnostics: [diag("NET9001", path, { offset: 0, length: 0 }, { stage: "parsing", detail })] };
  }
}

/** The prepass's tokens, made into objects on demand. */
class ItemTokens {
  constructor(
    private readonly lexed: CompactTokens,
    private readonly indices: Int32Array,
    readonly count: number,
  ) {}

  type(i: number): TokenType {
    return this.lexed.type(this.indices[i]!);
  }

  at(i: number): IToken {
    return this.lexed.token(this.indices[i]!);
  }

  slice(from: number, to: number): IToken[] {
    const out = new Array<IToken>(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.lexed.token(this.indices[i]!);
    return out;
  }
}

/**
 * Tokens per piece of a long network (see pieceStarts); a variable so that
 * tests can make pieces tiny. Small pieces are much cheaper: a piece's CST
 * must die young. With 4096-token pieces most of it outlived a scavenge and
 * was copied and promoted (an 8 MiB long network: 9 s of parsing, 60% of it
 * garbage collection); at 128 it is 4 s, at under half the memory.
 */
export const pieces = { tokens: 128 };

/**
 * Where to cut a long network (a very long body's CST is most of the memory
 * and garbage-collection time of a big file): its items are parsed in pieces
 * of about pieces.tokens tokens, cut after a new line outside all brackets and
 * not before 'else'. Returns the first token of each piece, the first piece
 * starting after the network's '{' and the last one ending with its '}';
 * undefined for other items, short ones and unbalanced ones.
 */
function pieceStarts(tokens: ItemTokens, from: number, to: number): number[] | undefined {
  if (to - from < 2 * pieces.tokens || tokens.type(from) !== T.Network) return undefined;
  // Brackets as the prepass counts them: a '}' also closes any '(' left open inside it.
  const stack: TokenType[] = [];
  const starts: number[] = [];
  let end = -1;
  for (let i = from; i < to; i++) {
    const t = tokens.type(i);
    if (t === T.LParen || t === T.LBrace) {
      stack.push(t);
      if (starts.length === 0 && t === T.LBrace && stack.length === 1) starts.push(i + 1);
    } else if (t === T.RParen) {
      if (stack[stack.length - 1] === T.LParen) stack.pop();
    } else if (t === T.RBrace) {
      const brace = stack.lastIndexOf(T.LBrace);
      if (brace >= 0) stack.length = brace;
      if (stack.length === 0) {
        end = i + 1;
        break;
      }
    } else if (t === T.NL && stack.length === 1 && starts.length > 0 && i + 1 - starts[starts.length - 1]! >= pieces.tokens && (i + 1 < tokens.count ? tokens.type(i + 1) : undefined) !== T.Else) {
      starts.push(i + 1);
    }
  }
  if (starts[starts.length - 1] === end - 1) starts.pop(); // no piece of only the '}'
  if (end < 0 || starts.length < 2) return undefined;
  for (let i = end; i < to; i++) if (tokens.type(i) !== T.NL) return undefined;
  starts.push(end);
  return starts;
}

/**
 * A syntax error in a piece that a whole parse makes the same: raised inside
 * one of the network's items (not by networkRest itself) at a real token after
 * the piece's first and before `bound`, its closing new line (or the network's
 * '}' in the last piece). Recovery from such an error resynchronises at the
 * next new line at the latest, so it never looks past the piece, and its
 * message and previous token are those of a whole parse. (The piece tests
 * parse with tiny pieces and compare.)
 */
function local(e: IRecognitionException, first: IToken, bound: IToken): boolean {
  const t = e.token;
  const stack = (e.context as { ruleStack?: string[] } | undefined)?.ruleStack;
  return (
    stack !== undefined && stack.length > 1 && !t.isInsertedInRecovery &&
    Number.isFinite(t.startOffset) && t.startOffset > first.startOffset && t.startOffset < bound.startOffset
  );
}

/**
 * A long network parsed as its header (closed by its '}') and then pieces of
 * its items (networkRest, each closed by the same '}'). Used when every syntax
 * error in the pieces is local (see local()): otherwise undefined (nothing
 * kept), and the caller parses the network whole, so that error recovery and
 * its messages are exactly those of a whole parse. `starts` comes from
 * pieceStarts.
 */
function parseInPieces(
  parser: NetParser,
  lowerer: Lowerer,
  fast: FastParser,
  tokens: ItemTokens,
  from: number,
  starts: number[],
  describe: (e: IRecognitionException) => Diagnostic,
): { net: NetworkDecl; diagnostics: Diagnostic[] } | undefined {
  const end = starts[starts.length - 1]!;
  const close = tokens.at(end - 1);
  const late = lowerer.lateCount;
  const head0 = tokens.slice(from, starts[0]!);
  head0.push(close);
  parser.input = head0;
  const cst = parser.file();
  const head = parser.errors.length === 0 ? lowerer.items(cst) : [];
  const net = head.length === 1 && head[0]!.kind === "network" ? head[0] : undefined;
  // Diagnostics at once, not the errors: each holds its rule stack and skipped tokens.
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; net && i + 1 < starts.length; i++) {
    const last = i + 2 === starts.length;
    // The last piece's own last token is the network's '}'.
    if (fastPath.enabled && itemByItem(parser, lowerer, fast, tokens, starts[i]!, last ? starts[i + 1]! - 1 : starts[i + 1]!, last, close, net, diagnostics, describe)) {
      if (last) return { net, diagnostics };
      continue;
    }
    const piece = tokens.slice(starts[i]!, starts[i + 1]!);
    // Every piece but the last ends with a new line (where it was cut); the last one with the network's '}'.
    if (!last) piece.push(close);
    else piece[piece.length - 1] = close;
    parser.input = piece;
    const cst = parser.networkRest();
    // (chevrotain's `errors` is a copy made on every read)
    const errors = parser.errors;
    if (errors.length > 0) {
      // The last piece ends with the network's own '}', the others with a new line and a copy of it.
      const first = piece[0]!;
      const bound = last ? close : piece[piece.length - 2]!;
      if (!errors.every((e) => local(e, first, bound))) break;
      for (const e of errors) diagnostics.push(describe(e));
    }
    for (const item of lowerer.networkRest(cst)) net.items.push(item);
    if (last) return { net, diagnostics };
  }
  lowerer.lateCount = late;
  return undefined;
}

/**
 * A piece of a long network, tokens [from, to) (closed by the network's '}',
 * `close`), its items built by the fast path where it can: an item it gives up
 * on is parsed with chevrotain as a piece of its own, from the start of its
 * line (or the piece's start) to the next place pieceStarts could cut (a new
 * line outside all brackets but the network's, not before 'else'), whose
 * syntax errors must all be local. Such cuts make pieces as a whole parse
 * does (the piece tests parse with pieces of 2 tokens). Returns false, with
 * nothing kept, when an error is not local: the caller parses the piece as usual.
 */
function itemByItem(
  parser: NetParser,
  lowerer: Lowerer,
  fast: FastParser,
  tokens: ItemTokens,
  from: number,
  to: number,
  last: boolean,
  close: IToken,
  net: NetworkDecl,
  diagnostics: Diagnostic[],
  describe: (e: IRecognitionException) => Diagnostic,
): boolean {
  const kept = { items: net.items.length, diagnostics: diagnostics.length, late: lowerer.lateCount };
  const built: NetworkDecl["items"] = [];
  const firsts: number[] = [];
  const undo = () => {
    net.items.length = kept.items;
    diagnostics.length = kept.diagnostics;
    lowerer.lateCount = kept.late;
    return false;
  };
  for (let at = from; at < to; ) {
    built.length = 0;
    firsts.length = 0;
    const failed = fast.someItems(at, to, built, firsts);
    if (failed < 0) {
      for (const item of built) net.items.push(item);
      return true;
    }
    // Back to the start of the failed item's line (items after a ';' share it).
    const cutBefore = (i: number) => i === at || (tokens.type(i - 1) === T.NL && tokens.type(i) !== T.Else);
    let start = failed;
    let n = firsts.length;
    while (!cutBefore(start)) {
      if (n === 0) {
        start = at;
        break;
      }
      start = firsts[--n]!;
    }
    while (n > 0 && firsts[n - 1]! >= start) n--;
    for (let k = 0; k < n; k++) net.items.push(built[k]!);
    // Forward to the next new line outside all brackets but the network's (brackets as pieceStarts counts them).
    const stack: TokenType[] = [];
    let end = to;
    for (let i = failed; i < to; i++) {
      const t = tokens.type(i);
      if (t === T.LParen || t === T.LBrace) stack.push(t);
      else if (t === T.RParen) {
        if (stack[stack.length - 1] === T.LParen) stack.pop();
      } else if (t === T.RBrace) {
        const brace = stack.lastIndexOf(T.LBrace);
        if (brace < 0) return undo(); // cannot happen in a piece: pieceStarts ends the network there
        stack.length = brace;
      } else if (t === T.NL && stack.length === 0 && i + 1 < to && tokens.type(i + 1) !== T.Else) {
        end = i + 1;
        break;
      }
    }
    const piece = tokens.slice(start, end);
    piece.push(close);
    // Its recovery without chevrotain where recover.ts knows it (it gives what chevrotain and lower.ts give).
    const recovered = recoverPiece(piece, lowerer);
    let errors: IRecognitionException[];
    let lowered: NetworkDecl["items"];
    if (recovered) ({ items: lowered, errors } = recovered);
    else {
      parser.input = piece;
      const cst = parser.networkRest();
      errors = parser.errors;
      lowered = lowerer.networkRest(cst);
    }
    if (errors.length > 0) {
      const bound = end === to && last ? close : piece[piece.length - 2]!;
      if (!errors.every((e) => local(e, piece[0]!, bound))) return undo();
      for (const e of errors) diagnostics.push(describe(e));
    }
    for (const item of lowered) net.items.push(item);
    at = end;
  }
  return true;
}

/** `next`: the token after the item being parsed (the parser saw its end of input there). */
function parserDiagnostic(e: IRecognitionException, text: string, path: string, next: IToken | undefined): Diagnostic {
  const atItemEnd = !Number.isFinite(e.token.startOffset) || e.token.tokenType.name === "EOF";
  const t = atItemEnd && next ? next : e.token;
  const atEnd = atItemEnd && !next;
  // A line break between the previous token and this one was dropped inside
  // '(': the mistake (usually a missing ')') is on the previous line.
  const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
  if (!atEnd && prev && Number.isFinite(prev.startOffset) && prev.startOffset < t.startOffset) {
    const prevEnd = prev.startOffset + prev.image.length;
    if (text.slice(prevEnd, t.startOffset).includes("\n")) {
      return diag("NET1001", path, { offset: prevEnd, length: 0 }, { expected: e.message, found: "the end of the line" });
    }
  }
  const span = atEnd ? { offset: text.length, length: 0 } : { offset: t.startOffset, length: t.image.length };
  return diag("NET1001", path, span, { expected: e.message, found: describeToken(t) });
}

function sortAndDedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of [...list].sort((a, b) => a.span.offset - b.span.offset)) {
    const key = `${d.code}:${d.span.offset}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}
