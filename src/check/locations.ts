// Line, column and the written line of every IR node and statement, from the
// texts the checker already holds: backends print them without reading files.

import type { IrGraph, Source, SourceLoc } from "../ir/graph.js";
import { offsetToPosition } from "../syntax/positions.js";

/**
 * A file's line starts as lineStarts() lists them, found only as far as the
 * offsets asked about (a spec of thousands of lines whose graph is one node
 * needs its first line only), and the line of the previous lookup.
 */
interface Lines {
  text: string;
  starts: number[];
  /** The last start in `starts`. */
  last: number;
  /** Every line start is in `starts`. */
  done: boolean;
  line: number;
}

/** Adds line starts until one lies past `offset` or the text ends. */
function scanPast(f: Lines, offset: number): void {
  if (f.done || f.last > offset) return;
  const { text, starts } = f;
  let last = f.last;
  for (;;) {
    const i = text.indexOf("\n", last);
    if (i < 0) {
      f.done = true;
      break;
    }
    last = i + 1;
    starts.push(last);
    if (last > offset) break;
  }
  f.last = last;
}

/**
 * Locates in the files of one program; line starts are found once per file
 * (a program of thousands of networks in one file must not recompute them per network).
 */
export function locator(text: (file: string) => string | undefined): (graph: IrGraph) => void {
  const starts = new Map<string, Lines | undefined>();
  const locate = (src: Source): SourceLoc | undefined => {
    if (!starts.has(src.file)) {
      const t = text(src.file);
      starts.set(src.file, t === undefined ? undefined : { text: t, starts: [0], last: 0, done: false, line: 0 });
    }
    const f = starts.get(src.file);
    if (!f) return undefined;
    // The line of the offset and the start of the next one (when there is one) are then known.
    scanPast(f, Math.max(0, src.span.offset));
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
 * next one first: nodes mostly come in the order of the text. The starts are
 * known past the offset (scanPast), so the last one known before it is its line's.
 */
function lineOf(f: Lines, offset: number): number {
  const { starts } = f;
  const off = Math.max(0, offset);
  const at = (i: number) => i < starts.length && starts[i]! <= off && (i + 1 === starts.length || starts[i + 1]! > off);
  if (at(f.line)) return f.line;
  if (at(f.line + 1)) return ++f.line;
  f.line = offsetToPosition(starts, offset).line;
  return f.line;
}
