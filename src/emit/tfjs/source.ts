// Small helpers for printing generated code: source locations for comments and
// JS literals for layer configs.

import { dirname, relative } from "node:path";
import type { SourceLoc } from "../../ir/graph.js";
import { stringLiteral } from "./escape.js";

/** The written line, whitespace collapsed, at most 90 characters ("" without a location). */
export function snippet(loc: SourceLoc | undefined): string {
  if (!loc) return "";
  const s = loc.excerpt.replace(/\s+/g, " ").trim();
  return s.length > 90 ? s.slice(0, 87) + "..." : s;
}

/**
 * "line 12: conv 3x3 32 bn relu" for the spec itself, "lib/blocks.net:4: ..." (relative
 * to the spec) for imported files; raw: escape it with commentText before printing.
 */
export function describe(loc: SourceLoc | undefined, specFile: string): string {
  if (!loc) return "";
  const where = loc.file === specFile ? `line ${loc.line}` : `${relative(dirname(specFile), loc.file).split("\\").join("/")}:${loc.line}`;
  return [where, snippet(loc)].filter((s) => s !== "").join(": ");
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A JS literal for a config value: numbers, strings, booleans, arrays and plain objects. */
export function literal(v: unknown): string {
  if (typeof v === "string") return stringLiteral(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`netc: cannot print ${v} in generated code`);
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(literal).join(", ")}]`;
  if (v && typeof v === "object") {
    const parts = Object.entries(v as Record<string, unknown>).map(
      ([k, x]) => `${IDENT.test(k) ? k : stringLiteral(k)}: ${literal(x)}`,
    );
    return `{ ${parts.join(", ")} }`;
  }
  throw new Error(`netc: cannot print ${String(v)} in generated code`);
}
