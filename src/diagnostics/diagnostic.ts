import type { Span } from "../util/span.js";

export type Severity = "error" | "warning" | "info";

export interface Related {
  file: string;
  span: Span;
  message: string;
}

/** A suggested edit; the LSP turns these into code actions. */
export interface Fix {
  title: string;
  edits: { file: string; span: Span; newText: string }[];
}

export interface Diagnostic {
  /** Stable code from the catalogue, e.g. "NET3001". Never reused. */
  code: string;
  severity: Severity;
  file: string;
  span: Span;
  message: string;
  /**
   * Read-only: a diagnostic without related locations or fixes shares one frozen
   * empty list (a spec of many errors makes tens of thousands of diagnostics).
   * To add to them, assign a new list.
   */
  related: readonly Related[];
  fixes: readonly Fix[];
}
