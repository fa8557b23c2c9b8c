// Offsets <-> 0-based line/column. The AST keeps offsets only; the CLI and the
// LSP convert at the edges. Columns count UTF-16 code units, as LSP does.

export interface Position {
  line: number;
  column: number;
}

/** Offsets at which each line starts; lines end at '\n' ('\r\n' keeps its '\r' on the line). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** Line and column of an offset, clamped to the text. */
export function offsetToPosition(textOrStarts: string | number[], offset: number): Position {
  const starts = typeof textOrStarts === "string" ? lineStarts(textOrStarts) : textOrStarts;
  const off = Math.max(0, offset);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: off - starts[lo]! };
}

/**
 * Offset of a line and column. Lines past the end map to the end of the text
 * when `text` is given; columns are not clamped to the line without it.
 */
export function positionToOffset(textOrStarts: string | number[], pos: Position): number {
  const starts = typeof textOrStarts === "string" ? lineStarts(textOrStarts) : textOrStarts;
  if (pos.line < 0) return 0;
  if (pos.line >= starts.length) {
    return typeof textOrStarts === "string" ? textOrStarts.length : starts[starts.length - 1]!;
  }
  const start = starts[pos.line]!;
  const offset = start + Math.max(0, pos.column);
  if (typeof textOrStarts === "string") {
    const next = pos.line + 1 < starts.length ? starts[pos.line + 1]! - 1 : textOrStarts.length;
    return Math.min(offset, next);
  }
  return offset;
}
