// `netc summary SPECS [--json] [--all] [--format F]`: the layer table of each
// spec. One spec prints one table (or JSON object); several (a folder, a glob,
// more names) print one table each under its file name, or a JSON array.
import { memoryJson, renderMemory, renderTable, summaryJson } from "../../summary/table.js";
import type { Format } from "../formats.js";
import { expandInputs } from "../inputs.js";
import { loadGraph, Reporter } from "../load.js";
import { displayPath, terminalSafe } from "../report.js";
import { resolve } from "node:path";
import type { Overrides } from "../../check/index.js";

export interface SummaryArgs {
  files: string[];
  json: boolean;
  all: boolean;
  /** Images per batch for the activation totals (default 1). */
  batch?: number;
  format?: Format;
  maxErrors?: number;
  /** The text of stdin and the name it stands for, when the spec came from stdin. */
  stdin?: { text: string; name: string };
  overrides?: Overrides;
}

export async function run(args: SummaryArgs): Promise<number> {
  const reporter = new Reporter(args.format, args.maxErrors);
  const inputs = expandInputs(args.files);
  for (const p of inputs.problems) process.stderr.write(`netc summary: ${terminalSafe(p)}\n`);
  const specs: { name: string; text?: string }[] = inputs.files.map((name) => ({ name }));
  if (args.stdin) specs.push(args.stdin);
  const several = specs.length !== 1 || inputs.expanded;
  let code = inputs.problems.length ? 2 : 0;
  const json: unknown[] = [];
  for (const s of specs) {
    const loaded = loadGraph(s.name, reporter, s.text, args.overrides);
    if (typeof loaded === "number") {
      code = Math.max(code, loaded);
      continue;
    }
    const batch = args.batch ?? 1;
    const result = { ...summaryJson(loaded.graph), ...memoryJson(loaded.graph, batch) };
    if (args.json) json.push(several ? { file: displayPath(resolve(s.name)), ...result } : result);
    else {
      const text = `${renderTable(loaded.graph, args.all)}\n\n${renderMemory(loaded.graph, batch)}`;
      process.stdout.write(`${several ? `${terminalSafe(displayPath(resolve(s.name)))}\n` : ""}${terminalSafe(text)}\n${several ? "\n" : ""}`);
    }
  }
  if (args.json && (json.length > 0 || several)) process.stdout.write(`${JSON.stringify(several ? json : json[0], null, 2)}\n`);
  reporter.flush(true);
  return code;
}
