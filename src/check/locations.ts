// Line, column and the written line of every IR node and statement, from the
// texts the checker already holds: backends print them without reading files.

import type { IrGraph, Source, SourceLoc } from "../ir/graph.js";
import { lineStarts, offsetToPosition } from "../syntax/positions.js";

/**
 * Locates in the files of one program; line starts are computed once per file
 * (a program of thousands of networks in one file must not recompute them per network).
 */
export function locator(text: (file: string) => string | undefined): (graph: IrGraph) => void {
  const starts = new Map<string, { text: string; starts: number[] } | undefined>();
  const locate = (src: Source): SourceLoc | undefined => {
    if (!starts.has(src.file)) {
      const t = text(src.file);
      starts.set(src.file, t === undefined ? undefined : { text: t, starts: lineStarts(t) });
    }
    const f = starts.get(src.file);
    if (!f) return undefined;
    const p = offsetToPosition(f.starts, src.span.offset);
    const start = Math.min(src.span.offset, f.text.length);
    const newline = f.text.indexOf("\n", start);
    const end = Math.min(start + src.span.length, newline < 0 ? f.text.length : newline);
    return { file: src.file, line: p.line + 1, column: p.column + 1, excerpt: f.text.slice(start, Math.max(start, end)) };
  };
  return (graph) => {
    for (const n of graph.nodes) n.loc ??= locate(n.source);
    for (const g of graph.groups) g.loc ??= locate(g.source);
  };
}
