// parse(): text -> (possibly partial) AST + syntax diagnostics. Never throws.

import type { IRecognitionException, IToken } from "chevrotain";
import type { SourceFile } from "./ast.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lex } from "./lexer.js";
import { Lowerer } from "./lower.js";
import { getParser } from "./parser.js";
import { describeToken, prepass } from "./prepass.js";
import { floorDivisionComments } from "./floor-division.js";

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
    const lexed = lex(text, path);
    const pre = prepass(lexed.tokens, path);
    const parser = getParser();
    const late: Diagnostic[] = [];
    const lowerer = new Lowerer(text, lexed.comments, late, path);
    const syntax: Diagnostic[] = [];
    const items: SourceFile["items"] = [];
    // One top-level item at a time (the prepass resynchronises at every
    // 'import', 'block' and 'network', as the parser's recovery would): each
    // item's CST is garbage as soon as it is lowered, so a file of thousands of
    // networks never holds them all at once.
    const bounds = [0, ...pre.itemStarts.filter((i) => i > 0), pre.tokens.length];
    // Every recovered error is an Error object; capturing a stack trace for each
    // is most of the cost of a file full of bad lines, and nothing reads them.
    const traceLimit = Error.stackTraceLimit;
    if (!process.env.NETC_DEBUG) Error.stackTraceLimit = 0;
    try {
      for (let k = 0; k + 1 < bounds.length; k++) {
        if (bounds[k] === bounds[k + 1]) continue;
        parser.input = pre.tokens.slice(bounds[k], bounds[k + 1]);
        const cst = parser.file();
        const next = pre.tokens[bounds[k + 1]!];
        for (const e of parser.errors) syntax.push(parserDiagnostic(e, text, path, next));
        for (const item of lowerer.items(cst)) items.push(item);
      }
    } finally {
      Error.stackTraceLimit = traceLimit;
    }
    parser.input = []; // release the tokens
    const file: SourceFile = { kind: "file", path, text, items, comments: lexed.comments };
    const hints = floorDivisionComments(lexed.tokens, lexed.comments, items, path);
    return { file, diagnostics: sortAndDedupe([...lexed.diagnostics, ...pre.diagnostics, ...syntax, ...late, ...hints]) };
  } catch (e) {
    // A bug in netc must not take the editor or the CLI down with it.
    const detail = e instanceof Error ? e.message : String(e);
    if (process.env.NETC_DEBUG) console.error(e);
    return { file: empty, diagnostics: [diag("NET9001", path, { offset: 0, length: 0 }, { stage: "parsing", detail })] };
  }
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
