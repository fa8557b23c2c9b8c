// Code actions: the checker's ready-made fixes, plus one the checker does not
// offer yet: a block call whose header says `<- cin` gets "pass the channel
// count that arrives" (the checker reports it at the call without a fix).

import { CodeActionKind, type CodeAction, type Range, type TextEdit } from "vscode-languageserver/node";
import type { Diagnostic, Fix } from "../diagnostics/diagnostic.js";
import type * as A from "../syntax/ast.js";
import { hitAt } from "./ast.js";
import type { DocContext } from "./context.js";
import { lineIndex, pathToUri, toLspDiagnostic } from "./convert.js";

export function codeActions(ctx: DocContext, range: Range): CodeAction[] {
  const from = ctx.lines.offset(range.start);
  const to = ctx.lines.offset(range.end);
  const out: CodeAction[] = [];
  for (const d of ctx.ws.diagnosticsFor(ctx.path)) {
    if (d.span.offset > to || d.span.offset + d.span.length < from) continue;
    const fixes = d.fixes.length > 0 ? d.fixes : derivedFixes(ctx, d);
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

/**
 * NET3001/NET3002 at a block call: the block's `<- param` names the parameter
 * that declares the input; change that argument at this call to what arrives.
 */
function derivedFixes(ctx: DocContext, d: Diagnostic): Fix[] {
  if (d.code !== "NET3001" && d.code !== "NET3002") return [];
  const found = /but (\d+) arrive/.exec(d.message)?.[1];
  const hit = hitAt(ctx.file, d.span.offset + 1);
  if (!found || !hit || !("info" in hit) || hit.info.stmt.layer?.kind !== "blockCall") return [];
  const call = hit.info.stmt.layer;
  const block = ctx.blocks.get(call.callee.name);
  const ann = block?.decl.annotations.find((a): a is A.ShapeAnnotation => a.kind === "shapeAnnotation" && a.direction === "in");
  const ref = ann?.exprs.length === 1 && ann.exprs[0]!.kind === "name" ? ann.exprs[0].name : undefined;
  if (!block || !ref) return [];
  const index = block.decl.params.findIndex((p) => p.name.name === ref);
  const arg = call.args.find((a) => a.name?.name === ref) ?? call.args.filter((a) => !a.name)[index];
  if (!arg?.value) return [];
  return [{ title: `Pass ${found} as '${ref}' (the channels that arrive)`, edits: [{ file: ctx.path, span: arg.value.span, newText: found }] }];
}
