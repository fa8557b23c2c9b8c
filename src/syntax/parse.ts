// parse(): text -> (possibly partial) AST + syntax diagnostics. Never throws.

import type { IRecognitionException, IToken } from "chevrotain";
import type { SourceFile } from "./ast.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lex } from "./lexer.js";
import { Lowerer } from "./lower.js";
import { getParser } from "./parser.js";
import { describeToken, prepass } from "./prepass.js";

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
    parser.input = pre.tokens;
    // Every recovered error is an Error object; capturing a stack trace for each
    // is most of the cost of a file full of bad lines, and nothing reads them.
    const traceLimit = Error.stackTraceLimit;
    if (!process.env.NETC_DEBUG) Error.stackTraceLimit = 0;
    let cst;
    try {
      cst = parser.file();
    } finally {
      Error.stackTraceLimit = traceLimit;
    }
    const syntax = parser.errors.map((e) => parserDiagnostic(e, text, path));
    const late: Diagnostic[] = [];
    const file = new Lowerer(text, lexed.comments, late, path).file(cst, path, lexed.comments);
    parser.input = []; // release the tokens
    return { file, diagnostics: sortAndDedupe([...lexed.diagnostics, ...pre.diagnostics, ...syntax, ...late]) };
  } catch (e) {
    // A bug in netc must not take the editor or the CLI down with it.
    const detail = e instanceof Error ? e.message : String(e);
    if (process.env.NETC_DEBUG) console.error(e);
    return { file: empty, diagnostics: [diag("NET9001", path, { offset: 0, length: 0 }, { stage: "parsing", detail })] };
  }
}

function parserDiagnostic(e: IRecognitionException, text: string, path: string): Diagnostic {
  const t = e.token;
  const atEnd = !Number.isFinite(t.startOffset) || t.tokenType.name === "EOF";
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
