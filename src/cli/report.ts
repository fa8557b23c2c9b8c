// Prints diagnostics: `file:line:col: error NET1234: message`, a code frame with
// a caret under the span, and related locations. Converts offsets to lines here,
// at the edge.

import { relative } from "node:path";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lineStarts, offsetToPosition } from "../syntax/positions.js";
import { colorsFor } from "./colors.js";

export interface Located {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
  related: { file: string; line: number; column: number; message: string }[];
}

type Texts = (file: string) => string | undefined;

const cache = new Map<string, number[]>();
function starts(file: string, text: string): number[] {
  let s = cache.get(file);
  if (!s) cache.set(file, (s = lineStarts(text)));
  return s;
}

function position(file: string, offset: number, texts: Texts) {
  const text = texts(file) ?? "";
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
    related: d.related.map((r) => ({ file: displayPath(r.file), ...position(r.file, r.span.offset, texts), message: r.message })),
  };
}

export function formatText(d: Diagnostic, texts: Texts, stream: NodeJS.WriteStream): string {
  const c = colorsFor(stream);
  const l = locate(d, texts);
  const sev = d.severity === "error" ? c.red(c.bold("error")) : d.severity === "warning" ? c.yellow(c.bold("warning")) : c.cyan("info");
  const lines = [`${c.bold(`${l.file}:${l.line}:${l.column}`)}: ${sev} ${c.dim(d.code)}: ${d.message}`];
  const text = texts(d.file);
  if (text !== undefined) lines.push(...frame(text, d.file, l, c));
  for (const r of l.related) lines.push(`  ${c.cyan(`${r.file}:${r.line}:${r.column}`)}: note: ${r.message}`);
  return lines.join("\n");
}

function frame(text: string, file: string, l: Located, c: ReturnType<typeof colorsFor>): string[] {
  const s = starts(file, text);
  const lineStart = s[l.line - 1] ?? 0;
  const lineEnd = s[l.line] !== undefined ? s[l.line]! - 1 : text.length;
  const source = text.slice(lineStart, lineEnd).replace(/\r$/, "").replace(/\t/g, " ");
  if (source.length > 300) return [];
  const gutter = String(l.line).padStart(4);
  const width = Math.max(1, (l.endLine === l.line ? l.endColumn : source.length + 1) - l.column);
  return [
    `${c.dim(`${gutter} |`)} ${source}`,
    `${c.dim(`${" ".repeat(gutter.length)} |`)} ${" ".repeat(l.column - 1)}${c.red("^".repeat(Math.min(width, Math.max(1, source.length - l.column + 2))))}`,
  ];
}
