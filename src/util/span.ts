// A stretch of source text. Offsets, not lines: line and column are computed at
// the edges (src/syntax/positions.ts). A leaf so that the syntax tree, the
// diagnostics and the IR can all name spans without depending on each other.

export interface Span {
  readonly offset: number;
  readonly length: number;
}
