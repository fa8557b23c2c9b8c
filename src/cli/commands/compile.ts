// `netc compile FILE --target NAME`: runs one backend from the registry
// (src/emit/backend.ts) and writes its files atomically. Nothing here knows a
// particular target.

import { basename, join, resolve } from "node:path";
import { Option } from "commander";
import { findBackend } from "../../emit/backend.js";
import { OutputError, writeFilesAtomic } from "../../util/atomic-write.js";
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

async function compile(args: CompileArgs, reporter: Reporter): Promise<number> {
  const backend = findBackend(args.target);
  if (!backend) {
    process.stderr.write(`netc: unknown target '${terminalSafe(args.target)}'\n`);
    return 2;
  }
  const loaded = loadGraph(args.file, reporter, undefined, args.overrides);
  if (typeof loaded === "number") return loaded;
  const { graph } = loaded;
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
    const { files, diagnostics } = await backend.compile({ graph, specPath: args.file, outPath, options, netcVersion: version });
    reporter.add(diagnostics);
    if (diagnostics.some((d) => d.severity === "error")) return 1;
    reporter.flush();
    await writeFilesAtomic(files);
    for (const f of files) process.stderr.write(`wrote ${f.path}\n`);
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
