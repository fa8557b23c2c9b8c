// Code actions: the checker's ready-made fixes (Diagnostic.fixes), as quick fixes.

import { CodeActionKind, type CodeAction, type Range, type TextEdit } from "vscode-languageserver/node";
import type { Fix } from "../diagnostics/diagnostic.js";
import type { DocContext } from "./context.js";
import { lineIndex, pathToUri, toLspDiagnostic } from "./convert.js";

export function codeActions(ctx: DocContext, range: Range): CodeAction[] {
  const from = ctx.lines.offset(range.start);
  const to = ctx.lines.offset(range.end);
  const out: CodeAction[] = [];
  for (const d of ctx.ws.diagnosticsFor(ctx.path)) {
    if (d.span.offset > to || d.span.offset + d.span.length < from) continue;
    const fixes = d.fixes;
    for (const fix of fixes) {
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [toLspDiagnostic(d, (p) => ctx.ws.text(p))],
        isPreferred: fixes.length === 1,
        edit: { changes: edits(ctx, fix) },
      });
    }
  }
  return out;
}

function edits(ctx: DocContext, fix: Fix): Record<string, TextEdit[]> {
  const changes: Record<string, TextEdit[]> = {};
  for (const e of fix.edits) {
    const idx = lineIndex(e.file, ctx.ws.text(e.file) ?? "");
    (changes[pathToUri(e.file)] ??= []).push({ range: idx.range(e.span), newText: e.newText });
  }
  return changes;
}
