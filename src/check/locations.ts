// Line, column and the written line of every IR node and statement, from the
// texts the checker already holds: backends print them without reading files.

import type { IrGraph, Source, SourceLoc } from "../ir/graph.js";
import { lineStarts, offsetToPosition } from "../syntax/positions.js";

/**
 * Locates in the files of one program; line starts are computed once per file
 * (a program of thousands of networks in one file must not recompute them per network).
 */
export function locator(text: (file: string) => string | undefined): (graph: IrGraph) => void {
  const starts = new Map<string, { text: string; starts: number[]; line: number } | undefined>();
  const locate = (src: Source): SourceLoc | undefined => {
    if (!starts.has(src.file)) {
      const t = text(src.file);
      starts.set(src.file, t === undefined ? undefined : { text: t, starts: lineStarts(t), line: 0 });
    }
    const f = starts.get(src.file);
    if (!f) return undefined;
    const line = lineOf(f, src.span.offset);
    const start = Math.min(src.span.offset, f.text.length);
    // The first '\n' from `start` ends its line (the one `line` names; a negative offset is line 0, as indexOf reads it).
    const newline = line + 1 < f.starts.length ? f.starts[line + 1]! - 1 : -1;
    const end = Math.min(start + src.span.length, newline < 0 ? f.text.length : newline);
    return { file: src.file, line: line + 1, column: Math.max(0, src.span.offset) - f.starts[line]! + 1, excerpt: f.text.slice(start, Math.max(start, end)) };
  };
  return (graph) => {
    for (const n of graph.nodes) n.loc ??= locate(n.source);
    for (const g of graph.groups) g.loc ??= locate(g.source);
  };
}

/**
 * The 0-based line of an offset, as offsetToPosition finds it (the last line
 * starting at or before it), trying the line of the previous lookup and the
 * next one first: nodes mostly come in the order of the text.
 */
function lineOf(f: { starts: number[]; line: number }, offset: number): number {
  const { starts } = f;
  const off = Math.max(0, offset);
  const at = (i: number) => i < starts.length && starts[i]! <= off && (i + 1 === starts.length || starts[i + 1]! > off);
  if (at(f.line)) return f.line;
  if (at(f.line + 1)) return ++f.line;
  f.line = offsetToPosition(starts, offset).line;
  return f.line;
}
