// `netc compile FILE --target NAME`: runs one backend from the registry
// (src/emit/backend.ts) and writes its files atomically. Nothing here knows a
// particular target.

import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { diag } from "../../diagnostics/catalogue.js";
import { Option } from "commander";
import { findBackend } from "../../emit/backend.js";
import { OutputError, writeFilesAtomic, type OutputFile } from "../../util/atomic-write.js";
import type { Format } from "../formats.js";
import { loadGraph, Reporter } from "../load.js";
import type { Overrides } from "../../check/index.js";
import { version } from "../version.js";
import { terminalSafe } from "../report.js";

export interface CompileArgs {
  file: string;
  target: string;
  output?: string;
  out?: string;
  /** The selected backend's own options, as commander parsed them. */
  options: Record<string, unknown>;
  maxErrors?: number;
  format?: Format;
  overrides?: Overrides;
}

export async function run(args: CompileArgs): Promise<number> {
  const reporter = new Reporter(args.format, args.maxErrors);
  try {
    return await compile(args, reporter);
  } finally {
    reporter.flush(true);
  }
}

/** What one successful compile read and wrote, for the build manifest (compile-many.ts). */
export interface Compiled {
  /** The spec and every file it imports, with the text the checker read. */
  sources: Map<string, string>;
  /** Written files. */
  files: OutputFile[];
  /** The spec declares no network (only blocks for others to import): nothing to compile. */
  library?: boolean;
}

/** The text of a file that exists, or undefined. */
function readExisting(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

export async function compile(args: CompileArgs, reporter: Reporter, record?: (c: Compiled) => void): Promise<number> {
  const backend = findBackend(args.target);
  if (!backend) {
    process.stderr.write(`netc: unknown target '${terminalSafe(args.target)}'\n`);
    return 2;
  }
  const loaded = loadGraph(args.file, reporter, undefined, args.overrides);
  if (typeof loaded === "number") {
    // A library (blocks, no network) checks without errors: a build skips it.
    if (loaded === 1 && record && !reporter.diagnostics.some((d) => d.severity === "error")) {
      record({ sources: new Map(reporter.texts), files: [], library: true });
      return 0;
    }
    return loaded;
  }
  const { graph, texts } = loaded;
  let outPath: string;
  if (backend.output.kind === "file") {
    const stem = basename(args.file).replace(/\.net$/, "");
    outPath = resolve(args.output ?? join(args.out ?? ".", `${stem}${backend.output.extension}`));
  } else if (args.out) {
    outPath = resolve(args.out);
  } else {
    process.stderr.write(`netc: --target ${backend.name} needs --out DIR\n`);
    return 2;
  }
  try {
    const options = { ...args.options };
    for (const o of backend.options) {
      const key = new Option(o.flags).attributeName();
      if (o.value !== "checkpoint" || typeof options[key] !== "string") continue;
      const { loadWeights } = await import("../../weights/read-weights.js");
      const map = typeof options.weightsMap === "string" ? resolve(options.weightsMap) : undefined;
      options[key] = (await loadWeights(resolve(options[key]), graph, { mapFile: map })).weights;
    }
    const compiled = await backend.compile({ graph, specPath: args.file, outPath, options, netcVersion: version });
    const diagnostics = [...compiled.diagnostics];
    const files: OutputFile[] = [];
    for (const f of compiled.files) {
      const existing = f.ifAbsent ? readExisting(f.path) : undefined;
      if (existing === undefined) files.push({ path: f.path, data: f.data });
      else if (!f.ifAbsent!.accepts(existing)) {
        const input = graph.nodes[0]!.source;
        diagnostics.push(diag("NET5070", input.file, input.span, { path: f.path, reason: f.ifAbsent!.otherwise }));
      }
    }
    reporter.add(diagnostics);
    if (diagnostics.some((d) => d.severity === "error")) return 1;
    reporter.flush();
    await writeFilesAtomic(files);
    for (const f of files) process.stderr.write(`wrote ${f.path}\n`);
    record?.({ sources: texts, files });
    return 0;
  } catch (e) {
    if (e instanceof OutputError) {
      process.stderr.write(`netc: ${terminalSafe(e.message)}\n`);
      return 2;
    }
    process.stderr.write(`netc: compile failed: ${terminalSafe(e instanceof Error ? e.message : String(e))}\n`);
    // A file-system error (errno code) is an I/O error: exit 2, like a missing input.
    return (e as NodeJS.ErrnoException).code ? 2 : 1;
  }
}
