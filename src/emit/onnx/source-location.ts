// `file:line:col` (1-based) for doc_string, from a character offset into the source text.
import { readFileSync } from "node:fs";
import { lineStarts, offsetToPosition } from "../../syntax/positions.js";

export class SourceLocator {
  private cache = new Map<string, number[] | null>();
  constructor(private readonly texts: Map<string, string> | undefined) {}

  /** Falls back to `file@offset` when the text is neither given nor readable. */
  locate(file: string, offset: number): string {
    const starts = this.starts(file);
    if (!starts) return `${file}@${offset}`;
    const p = offsetToPosition(starts, offset);
    return `${file}:${p.line + 1}:${p.column + 1}`;
  }

  private starts(file: string): number[] | null {
    if (!this.cache.has(file)) {
      let text = this.texts?.get(file);
      if (text === undefined) {
        try {
          text = readFileSync(file, "utf8");
        } catch {
          text = undefined;
        }
      }
      this.cache.set(file, text === undefined ? null : lineStarts(text));
    }
    return this.cache.get(file)!;
  }
}
