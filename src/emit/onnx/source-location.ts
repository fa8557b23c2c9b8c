// `file:line:col` (1-based) for doc_string, from a character offset into the source text.
import { readFileSync } from "node:fs";

/** Line starts of a text, computed once per file. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export class SourceLocator {
  private cache = new Map<string, number[] | null>();
  constructor(private readonly texts: Map<string, string> | undefined) {}

  /** Falls back to `file@offset` when the text is neither given nor readable. */
  locate(file: string, offset: number): string {
    const starts = this.starts(file);
    if (!starts) return `${file}@${offset}`;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return `${file}:${lo + 1}:${offset - starts[lo]! + 1}`;
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
