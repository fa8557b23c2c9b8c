// Shared by commands that need a checked graph: prints diagnostics to stderr and
// says which exit code to use when the spec does not check.

import { checkFile } from "../check/index.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { IrGraph } from "../ir/graph.js";
import { DEFAULT_MAX_ERRORS, formatText, limitDiagnostics, moreLine } from "./report.js";

export interface Loaded {
  graph: IrGraph;
  /** File texts of the spec and its imports, to print later diagnostics (a backend's NET6xxx) with their source lines. */
  texts: Map<string, string>;
}

export function loadGraph(file: string, maxErrors = DEFAULT_MAX_ERRORS): Loaded | number {
  const r = checkFile(file);
  const texts = new Map<string, string>();
  for (const [path, f] of r.program.files) texts.set(path, f.text);
  printDiagnostics(r.diagnostics, texts, maxErrors);
  if (unreadable(r.diagnostics)) return 2;
  if (!r.graph || r.diagnostics.some((d) => d.severity === "error")) return 1;
  return { graph: r.graph, texts };
}

/** Diagnostics to stderr, at most `maxErrors` errors, with the source lines from `texts`. */
export function printDiagnostics(diagnostics: Diagnostic[], texts: Map<string, string>, maxErrors = DEFAULT_MAX_ERRORS): void {
  const limited = limitDiagnostics(diagnostics, maxErrors);
  for (const d of limited.shown) process.stderr.write(`${formatText(d, (p) => texts.get(p), process.stderr)}\n`);
  const more = moreLine(limited);
  if (more) process.stderr.write(`${more}\n`);
}

/** The entry file could not be read at all (missing, a directory, a FIFO...): an I/O error, exit 2. */
export function unreadable(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.code === "NET2016");
}
