// Where an IR node was written. Backends locate their diagnostics (and source
// comments) through this one function, so where the location comes from can
// change in one place.

import type { IrGraph, IrNode, Source } from "./graph.js";

export function nodeLocation(_graph: IrGraph, node: IrNode): Source {
  return node.source;
}
