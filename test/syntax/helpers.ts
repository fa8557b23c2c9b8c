// Shared test helpers: walk an AST, strip spans for structural comparison.
import type { Span } from "../../src/syntax/ast.js";

/** Every object in the tree that has a `span`, with the path leading to it. */
export function spans(node: unknown, path = "", out: { path: string; span: Span; node: any }[] = []) {
  if (Array.isArray(node)) node.forEach((n, i) => spans(n, `${path}[${i}]`, out));
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "text" && path === "") continue;
      if ((k === "span" || k === "keyword") && v && typeof v === "object" && "offset" in v) out.push({ path: `${path}.${k}`, span: v as Span, node });
      else spans(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** The tree without spans (and without the file text), for equality checks. */
export function stripSpans(node: unknown): unknown {
  return JSON.parse(
    JSON.stringify(node, (k, v) => (k === "span" || k === "keyword" || k === "text" && typeof v === "string" && v.length > 200 ? undefined : v)),
  );
}
