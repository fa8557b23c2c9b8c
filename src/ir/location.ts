// Where an IR node was written. Backends locate their diagnostics (and source
// comments) through this one function, so where the location comes from can
// change in one place: the span for a diagnostic (printed with its source line
// by the caller, which holds the texts), and the checker's `loc` (file, line,
// column, the written line; src/check/locations.ts) for generated comments, so
// no backend reads a spec file.

import type { IrGraph, IrNode, Source, SourceLoc } from "./graph.js";

export interface NodeLocation extends Source {
  /** Absent on graphs built by hand. */
  loc: SourceLoc | undefined;
}

export function nodeLocation(_graph: IrGraph, node: IrNode): NodeLocation {
  return { file: node.source.file, span: node.source.span, loc: node.loc };
}
