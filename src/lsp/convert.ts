// Conversions at the LSP edge: URIs <-> paths, offsets <-> positions, checker
// diagnostics -> LSP diagnostics. The checker works in absolute paths and
// UTF-16 offsets; LSP in URIs and UTF-16 line/character, so no re-encoding.

import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Diagnostic as LspDiagnostic, Position, Range } from "vscode-languageserver/node";
import { DiagnosticSeverity } from "vscode-languageserver/node";
import type { Span } from "../syntax/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { lineStarts, offsetToPosition, positionToOffset } from "../syntax/positions.js";

/** Open documents with non-file URIs (untitled:) keep their URI; the rest map through file URLs. */
const uriByPath = new Map<string, string>();

export function uriToPath(uri: string): string {
  if (uri.startsWith("file:")) {
    try {
      return resolve(fileURLToPath(uri));
    } catch {
      /* fall through: a malformed file URI is used verbatim */
    }
  }
  const path = resolve(`/__netc_untitled__/${encodeURIComponent(uri)}.net`);
  uriByPath.set(path, uri);
  return path;
}

export function pathToUri(path: string): string {
  return uriByPath.get(path) ?? pathToFileURL(path).href;
}

/** Line starts of a text, cached by identity of the string (texts are immutable). */
export class LineIndex {
  private starts: number[] | undefined;
  constructor(readonly text: string) {}
  private get lines(): number[] {
    return (this.starts ??= lineStarts(this.text));
  }
  position(offset: number): Position {
    const p = offsetToPosition(this.lines, Math.min(Math.max(0, offset), this.text.length));
    return { line: p.line, character: p.column };
  }
  offset(pos: Position): number {
    // The cached line starts: an incremental change on a huge document must not rescan it per call.
    return positionToOffset(this.lines, { line: pos.line, column: pos.character }, this.text.length);
  }
  range(span: Span): Range {
    return { start: this.position(span.offset), end: this.position(span.offset + span.length) };
  }
}

const indexCache = new Map<string, LineIndex>();
/** A LineIndex for any file text, reused while the text is unchanged. */
export function lineIndex(path: string, text: string): LineIndex {
  let idx = indexCache.get(path);
  if (!idx || idx.text !== text) indexCache.set(path, (idx = new LineIndex(text)));
  return idx;
}

const severities = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information };

export function toLspDiagnostic(d: Diagnostic, textOf: (path: string) => string | undefined): LspDiagnostic {
  const idx = lineIndex(d.file, textOf(d.file) ?? "");
  return {
    range: idx.range(d.span),
    severity: severities[d.severity],
    code: d.code,
    source: "netc",
    message: d.message,
    relatedInformation: d.related.map((r) => ({
      location: { uri: pathToUri(r.file), range: lineIndex(r.file, textOf(r.file) ?? "").range(r.span) },
      message: r.message,
    })),
  };
}

export function contains(span: Span, offset: number): boolean {
  return offset >= span.offset && offset <= span.offset + span.length;
}
