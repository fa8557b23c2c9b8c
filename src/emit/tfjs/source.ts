// Small helpers for printing generated code: source locations for comments and
// JS literals for layer configs.

import { readFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import type { Source } from "../../ir/graph.js";
import { stringLiteral } from "./escape.js";

/** Reads spec files once and maps spans to "line N: <text>" for comments. */
export class SourceText {
  private texts = new Map<string, string | undefined>();

  /**
   * `specFile`: locations in it read "line N"; in other files (imported blocks), "path:N" relative to it.
   * `preload`: the spec's text, or the texts of the spec and its imports by path (else read from disk).
   */
  constructor(
    private specFile: string,
    preload?: string | Map<string, string>,
  ) {
    if (typeof preload === "string") this.texts.set(specFile, preload);
    else if (preload) for (const [path, text] of preload) this.texts.set(path, text);
  }

  private text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      let t: string | undefined;
      try {
        t = readFileSync(file, "utf8");
      } catch {
        t = undefined; // comments then name the line only
      }
      this.texts.set(file, t);
    }
    return this.texts.get(file);
  }

  line(src: Source): number {
    const t = this.text(src.file);
    if (t === undefined) return 0;
    let n = 1;
    for (let i = 0; i < src.span.offset && i < t.length; i++) if (t.charCodeAt(i) === 10) n++;
    return n;
  }

  /** First line of the span's text, whitespace collapsed, at most 90 characters. */
  snippet(src: Source): string {
    const t = this.text(src.file);
    if (t === undefined) return "";
    const s = t.slice(src.span.offset, src.span.offset + src.span.length).split("\n")[0]!.replace(/\s+/g, " ").trim();
    return s.length > 90 ? s.slice(0, 87) + "..." : s;
  }

  /** "line 12: conv 3x3 32 bn relu" (raw: escape it with commentText before printing). */
  describe(src: Source): string {
    const line = this.line(src);
    const snip = this.snippet(src);
    const where = line === 0 ? "" : src.file === this.specFile ? `line ${line}` : `${this.otherFile(src.file)}:${line}`;
    return [where, snip].filter((s) => s !== "").join(": ");
  }

  private otherFile(file: string): string {
    return relative(dirname(this.specFile), file).split("\\").join("/");
  }
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
