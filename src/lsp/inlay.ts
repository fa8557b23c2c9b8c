// Inlay hints: `-> 256x28x28` after each layer line whose statement has no
// `->` annotation of its own. Inside a block the hint shows only when every
// call gives the same shape (hover lists them per call).

import { InlayHintKind, type InlayHint, type Range } from "vscode-languageserver/node";
import { formatShape } from "../ir/shapes.js";
import { statements } from "./ast.js";
import type { DocContext } from "./context.js";
import { statementFact } from "./hover.js";

export function inlayHints(ctx: DocContext, range: Range): InlayHint[] {
  const from = ctx.lines.offset(range.start);
  const to = ctx.lines.offset(range.end);
  const hints: InlayHint[] = [];
  for (const { stmt } of statements(ctx.file)) {
    const end = stmt.span.offset + stmt.span.length;
    if (end < from || stmt.span.offset > to) continue;
    if (stmt.annotations.some((a) => a.kind === "shapeAnnotation" && a.direction === "out")) continue;
    if (!endsLine(ctx.text, end)) continue;
    const fact = statementFact(ctx, stmt);
    if (!fact) continue;
    const shapes = new Set(fact.instances.map((i) => formatShape(i.shape)));
    if (shapes.size !== 1) continue;
    hints.push({ position: ctx.lines.position(end), label: `-> ${[...shapes][0]}`, kind: InlayHintKind.Type, paddingLeft: true });
  }
  return hints;
}

/** Only whitespace or a comment follows on the line (not `;` or `}` of an enclosing seq). */
function endsLine(text: string, end: number): boolean {
  const nl = text.indexOf("\n", end);
  const rest = text.slice(end, nl < 0 ? text.length : nl).trim();
  return rest === "" || rest.startsWith("//");
}
