// Shared by commands that need a checked graph (summary, compile, verify): their
// result goes to stdout, their diagnostics to a Reporter, printed once at the
// end in the --format asked for (one JSON object or SARIF log per run, however
// many specs and stages contributed).

import { checkText, type Overrides } from "../check/index.js";
import { diskHost } from "../check/program.js";
import type { Resolutions } from "../check/resolutions.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { IrGraph } from "../ir/graph.js";
import { diagnosticStream, renderDiagnostics, type Format } from "./formats.js";
import { DEFAULT_MAX_ERRORS, limitDiagnostics } from "./report.js";

export interface Loaded {
  graph: IrGraph;
  /** File texts of the spec and its imports, to print later diagnostics (a backend's NET6xxx) with their source lines. */
  texts: Map<string, string>;
  /** What each name use resolved to (`netc graph` draws the `from` taps). */
  resolutions?: Resolutions;
}

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  readonly texts = new Map<string, string>();
  constructor(
    readonly format: Format = "text",
    readonly maxErrors = DEFAULT_MAX_ERRORS,
    /** Print an empty JSON object or SARIF log too: the user asked for that format and a pipeline reads it. */
    readonly always = format === "json" || format === "sarif",
    /** Where diagnostics are the command's output (fmt --check), not a side note to it. */
    readonly toStdout = false,
  ) {}

  add(diagnostics: Diagnostic[], texts?: Map<string, string>): void {
    for (const d of diagnostics) this.diagnostics.push(d);
    if (texts) for (const [k, v] of texts) this.texts.set(k, v);
  }

  /**
   * Prints what was collected (to stderr; GitHub commands to stdout) and forgets
   * it. Line formats print at once (warnings before a long compile); JSON and
   * SARIF wait for the final flush, so a run prints one document.
   */
  flush(final = false): void {
    const document = this.format === "json" || this.format === "sarif";
    if (document && !final) return;
    if (this.diagnostics.length === 0 && !this.always) return;
    const stream = this.toStdout ? process.stdout : diagnosticStream(this.format);
    const limited = limitDiagnostics(this.diagnostics, this.maxErrors);
    stream.write(renderDiagnostics(this.format, limited, this.diagnostics.length, (p) => this.texts.get(p), stream));
    this.diagnostics.length = 0;
  }
}

/** Checks `file` (or `text` under that name) and adds its diagnostics to `reporter`; a number is the exit code when it does not check. */
export function loadGraph(file: string, reporter: Reporter, text?: string, overrides?: Overrides): Loaded | number {
  const r = checkText(text, file, diskHost, overrides);
  const texts = new Map<string, string>();
  for (const [path, f] of r.program.files) texts.set(path, f.text);
  reporter.add(r.diagnostics, texts);
  if (unreadable(r.diagnostics)) return 2;
  if (!r.graph || r.diagnostics.some((d) => d.severity === "error")) return 1;
  return { graph: r.graph, texts, resolutions: r.resolutions };
}

/** The entry file could not be read at all (missing, a directory, a FIFO...): an I/O error, exit 2. */
export function unreadable(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.code === "NET2016");
}
