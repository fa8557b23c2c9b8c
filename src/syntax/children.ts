// A statement's children, listed once for every pass that walks nested
// statements (checker, imports, language server). The switch names every layer
// kind, so a new kind with a body is a compile error here until it is listed.

import type { LayerExpr, Statement } from "./ast.js";
import { assertNever } from "../util/assert-never.js";

/** Statements nested directly in a layer: seq and repeat bodies, merge branches, both arms of an if (then first). */
export function childStatements(l: LayerExpr | undefined): Statement[] {
  if (!l) return [];
  switch (l.kind) {
    case "seq":
    case "repeat":
      return l.body;
    case "merge":
      return l.branches;
    case "if":
      // Recovered trees may lack a body.
      return [...(l.then?.body ?? []), ...(l.else?.body ?? [])];
    case "op":
    case "blockCall":
      return [];
    default:
      return assertNever(l);
  }
}
