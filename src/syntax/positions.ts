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
 * and columns are clamped to their line when the text (or, with line starts,
 * its length) is given; not clamped without it.
 */
export function positionToOffset(textOrStarts: string | number[], pos: Position, textLength?: number): number {
  const starts = typeof textOrStarts === "string" ? lineStarts(textOrStarts) : textOrStarts;
  const length = typeof textOrStarts === "string" ? textOrStarts.length : textLength;
  if (pos.line < 0) return 0;
  if (pos.line >= starts.length) return length ?? starts[starts.length - 1]!;
  const start = starts[pos.line]!;
  const offset = start + Math.max(0, pos.column);
  if (length !== undefined) {
    const next = pos.line + 1 < starts.length ? starts[pos.line + 1]! - 1 : length;
    return Math.min(offset, next);
  }
  return offset;
}
