// Prints diagnostics: `file:line:col: error NET1234: message`, a code frame with
// a caret under the span, and related locations. Converts offsets to lines here,
// at the edge.

import { relative } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lineStarts, offsetToPosition } from "../syntax/positions.js";
import { colorsFor } from "./colors.js";

/** Lines and columns are null where netc has no text of the file (it could not be read). */
export interface Located {
  file: string;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  severity: string;
  code: string;
  message: string;
  related: { file: string; line: number | null; column: number | null; endLine: number | null; endColumn: number | null; message: string }[];
}

type Texts = (file: string) => string | undefined;

const cache = new Map<string, number[]>();
function starts(file: string, text: string): number[] {
  let s = cache.get(file);
  if (!s) cache.set(file, (s = lineStarts(text)));
  return s;
}

function position(file: string, offset: number, texts: Texts): { line: number | null; column: number | null } {
  const text = texts(file);
  // An invented 1:1 would point into a file that was never read.
  if (text === undefined) return { line: null, column: null };
  const p = offsetToPosition(starts(file, text), Math.min(Math.max(offset, 0), text.length));
  return { line: p.line + 1, column: p.column + 1 };
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

/** 1-based lines and columns, as editors and the JSON format expect. */
export function locate(d: Diagnostic, texts: Texts): Located {
  const start = position(d.file, d.span.offset, texts);
  const end = position(d.file, d.span.offset + d.span.length, texts);
  return {
    file: displayPath(d.file),
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    severity: d.severity,
    code: d.code,
    message: d.message,
    related: d.related.map((r) => {
      const end = position(r.file, r.span.offset + r.span.length, texts);
      return { file: displayPath(r.file), ...position(r.file, r.span.offset, texts), endLine: end.line, endColumn: end.column, message: r.message };
    }),
  };
}

/**
 * Text from a spec reaches a terminal only through here: C0/C1 control characters
 * (ESC starts terminal escape sequences), DEL, line and paragraph separators and
 * bidirectional overrides ("Trojan Source") are shown as visible `\u{..}` escapes.
 */
export function terminalSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`);
}

export function formatText(d: Diagnostic, texts: Texts, stream: NodeJS.WriteStream): string {
  const c = colorsFor(stream);
  const l = locate(d, texts);
  const sev = d.severity === "error" ? c.red(c.bold("error")) : d.severity === "warning" ? c.yellow(c.bold("warning")) : c.cyan("info");
  const at = (file: string, line: number | null, column: number | null) => (line === null ? file : `${file}:${line}:${column}`);
  const lines = [`${c.bold(terminalSafe(at(l.file, l.line, l.column)))}: ${sev} ${c.dim(d.code)}: ${terminalSafe(d.message)}`];
  const text = texts(d.file);
  if (text !== undefined) lines.push(...frame(text, d.file, l as Located & { line: number; column: number; endLine: number; endColumn: number }, c));
  for (const r of l.related) lines.push(`  ${c.cyan(terminalSafe(at(r.file, r.line, r.column)))}: note: ${terminalSafe(r.message)}`);
  return lines.join("\n");
}

function frame(text: string, file: string, l: { line: number; column: number; endLine: number; endColumn: number }, c: ReturnType<typeof colorsFor>): string[] {
  const s = starts(file, text);
  const lineStart = s[l.line - 1] ?? 0;
  const lineEnd = s[l.line] !== undefined ? s[l.line]! - 1 : text.length;
  const raw = text.slice(lineStart, lineEnd).replace(/\r$/, "").replace(/\t/g, " ");
  if (raw.length > 300) return [];
  // Columns are counted in the escaped line, so the caret stays under the span.
  const source = terminalSafe(raw);
  const column = terminalSafe(raw.slice(0, l.column - 1)).length + 1;
  const endColumn = l.endLine === l.line ? terminalSafe(raw.slice(0, l.endColumn - 1)).length + 1 : source.length + 1;
  const gutter = String(l.line).padStart(4);
  const width = Math.max(1, endColumn - column);
  return [
    `${c.dim(`${gutter} |`)} ${source}`,
    `${c.dim(`${" ".repeat(gutter.length)} |`)} ${" ".repeat(column - 1)}${c.red("^".repeat(Math.min(width, Math.max(1, source.length - column + 2))))}`,
  ];
}

/** The default of `--max-errors`: enough to act on, short enough to read. */
export const DEFAULT_MAX_ERRORS = 50;

export interface Limited {
  shown: Diagnostic[];
  errors: number;
  warnings: number;
  hiddenErrors: number;
  hiddenWarnings: number;
}

/**
 * Diagnostics in order, at most `maxErrors` errors and as many warnings (0: all):
 * 20,000 "never used" warnings must not bury the one error that caused them.
 */
export function limitDiagnostics(list: Diagnostic[], maxErrors: number): Limited {
  const shown: Diagnostic[] = [];
  let errors = 0;
  let warnings = 0;
  for (const d of list) {
    const n = d.severity === "error" ? ++errors : ++warnings;
    if (maxErrors === 0 || n <= maxErrors) shown.push(d);
  }
  const shownErrors = shown.filter((d) => d.severity === "error").length;
  return { shown, errors, warnings, hiddenErrors: errors - shownErrors, hiddenWarnings: list.length - shown.length - (errors - shownErrors) };
}

/** "... and 746 more errors (--max-errors 0 shows all)", or undefined when nothing was cut. */
export function moreLine(l: Limited, hint = "--max-errors 0 shows all"): string | undefined {
  const parts: string[] = [];
  if (l.hiddenErrors > 0) parts.push(`${l.hiddenErrors} more error${l.hiddenErrors === 1 ? "" : "s"}`);
  if (l.hiddenWarnings > 0) parts.push(`${l.hiddenWarnings} more warning${l.hiddenWarnings === 1 ? "" : "s"}`);
  return parts.length ? `... and ${parts.join(" and ")}${hint ? ` (${hint})` : ""}` : undefined;
}
