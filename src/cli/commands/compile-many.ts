// `netc compile specs/ --target NAME --out out/`: every spec of the folders,
// globs and files named, each output at the spec's place below its argument's
// folder (specs/zoo/resnet18.net -> out/zoo/resnet18.onnx, or out/zoo/resnet18/
// for a backend that writes a folder). A manifest in out/ records, per spec,
// the hashes of the text of the spec and of every file it imports
// (transitively, as the checker loaded them), of the options, and of the files
// written, with netc's version: a spec whose record still holds is up to date
// and is not compiled (not even parsed: checking it reads and hashes files).
// The imports a spec has can only change when one of the files it read
// changes, so the recorded set is enough. The manifest is written atomically
// once at the end; one that cannot be read as a manifest means everything is
// compiled again, with a warning.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { Option } from "commander";
import { findBackend, type Backend } from "../../emit/backend.js";
import { OutputError, writeFilesAtomic } from "../../util/atomic-write.js";
import type { Overrides } from "../../check/index.js";
import type { Format } from "../formats.js";
import { terminalSafe } from "../report.js";
import { version } from "../version.js";
// compile.js (and with it the checker and chevrotain) loads only when a spec is out of date.
import type { Compiled } from "./compile.js";
import type { Reporter } from "../load.js";

async function newReporter(args: CompileManyArgs): Promise<Reporter> {
  const { Reporter } = await import("../load.js");
  return new Reporter(args.format, args.maxErrors);
}

export const MANIFEST_NAME = ".netc-manifest.json";
const MANIFEST_FORMAT = 1;

export interface CompileManyArgs {
  files: string[];
  /** Per file, the folder its output path is taken relative to (Inputs.bases). */
  bases: string[];
  target: string;
  out: string;
  options: Record<string, unknown>;
  maxErrors?: number;
  format?: Format;
  overrides?: Overrides;
}

interface Entry {
  /** Hash of target, options and overrides (checkpoints by content). */
  options: string;
  /** Where the spec's output goes, relative to out/ (another argument folder may move it). */
  target: string;
  /** Spec and imports: path (relative to the working directory) -> sha256 of the text read. */
  inputs: Record<string, string>;
  /**
   * Written files: path relative to out/ -> sha256, size and modification time.
   * An output whose size and time are as recorded is taken as unchanged (as
   * git's index does) without reading it; otherwise its hash decides.
   */
  outputs: Record<string, Written>;
  /** No network in it: nothing to compile. */
  library?: boolean;
}

interface Written {
  sha256: string;
  size: number;
  mtimeMs: number;
}

interface Manifest {
  format: number;
  netc: string;
  /** Keyed by the spec's path relative to the working directory. */
  specs: Record<string, Entry>;
}

const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

/** sha256 of a file, or of a folder's files (names and contents, sorted), or "" when unreadable. */
function contentHash(path: string): string {
  try {
    if (!statSync(path).isDirectory()) return sha256(readFileSync(path));
    const h = createHash("sha256");
    const walk = (dir: string) => {
      for (const name of readdirSync(dir).sort()) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else h.update(`${relative(path, p)}\0`).update(readFileSync(p)).update("\0");
      }
    };
    walk(path);
    return h.digest("hex");
  } catch {
    return "";
  }
}

function optionsHash(backend: Backend, args: CompileManyArgs): string {
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(args.options).sort()) options[key] = args.options[key];
  for (const o of backend.options) {
    const key = new Option(o.flags).attributeName();
    if (o.value === "checkpoint" && typeof options[key] === "string") options[key] = { checkpoint: contentHash(resolve(options[key])) };
  }
  if (typeof options.weightsMap === "string") options.weightsMap = { map: contentHash(resolve(options.weightsMap)) };
  return sha256(JSON.stringify({ target: backend.name, options, overrides: args.overrides ?? null }));
}

type Read = { manifest: Manifest; warning?: string; text?: string };

function readManifest(path: string): Read {
  const empty: Manifest = { format: MANIFEST_FORMAT, netc: version, specs: {} };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { manifest: empty };
  }
  try {
    const m = JSON.parse(text) as Manifest;
    if (m === null || typeof m !== "object" || m.format !== MANIFEST_FORMAT || typeof m.specs !== "object" || m.specs === null) throw new Error("not a manifest");
    for (const e of Object.values(m.specs)) {
      if (typeof e?.options !== "string" || typeof e.target !== "string" || typeof e.inputs !== "object" || typeof e.outputs !== "object" || !e.inputs || !e.outputs) throw new Error("not a manifest");
      for (const w of Object.values(e.outputs)) if (typeof w?.sha256 !== "string" || typeof w.size !== "number" || typeof w.mtimeMs !== "number") throw new Error("not a manifest");
    }
    // Another netc version may compile differently: everything is out of date.
    if (m.netc !== version) return { manifest: empty };
    return { manifest: m, text };
  } catch {
    return { manifest: empty, warning: `netc: warning: ${path} is not a build manifest netc can read; compiling every spec again\n` };
  }
}

function upToDate(entry: Entry | undefined, options: string, out: string, target: string): boolean {
  if (!entry || entry.options !== options || entry.target !== target) return false;
  if (Object.keys(entry.inputs).length === 0 || (Object.keys(entry.outputs).length === 0 && entry.library !== true)) return false;
  for (const [p, h] of Object.entries(entry.inputs)) {
    let text: string;
    try {
      text = readFileSync(p, "utf8");
    } catch {
      return false;
    }
    if (sha256(text) !== h) return false;
  }
  for (const [p, w] of Object.entries(entry.outputs)) {
    const path = join(out, p);
    let size: number;
    let mtimeMs: number;
    try {
      ({ size, mtimeMs } = statSync(path));
    } catch {
      return false;
    }
    if (size !== w.size) return false;
    if (mtimeMs !== w.mtimeMs && contentHash(path) !== w.sha256) return false;
  }
  return true;
}

/** Where a spec's output goes: out/<folder below its base>/<stem>[extension], or "" when it lies outside its base. */
function outputPath(backend: Backend, file: string, base: string, out: string): string {
  const rel = relative(resolve(base), resolve(dirname(file)));
  const stem = basename(file).replace(/\.net$/, "");
  const ext = backend.output.kind === "file" ? backend.output.extension : "";
  return join(out, rel, `${stem}${ext}`);
}

export async function runMany(args: CompileManyArgs): Promise<number> {
  const backend = findBackend(args.target);
  if (!backend) {
    process.stderr.write(`netc: unknown target '${terminalSafe(args.target)}'\n`);
    return 2;
  }
  const out = resolve(args.out);
  const manifestPath = join(out, MANIFEST_NAME);
  const read = readManifest(manifestPath);
  if (read.warning) process.stderr.write(terminalSafe(read.warning));
  const old = read.manifest;
  const next: Manifest = { format: MANIFEST_FORMAT, netc: version, specs: {} };
  const options = optionsHash(backend, args);

  // Two specs must not write the same output.
  const targets = new Map<string, string>();
  for (let i = 0; i < args.files.length; i++) {
    const file = args.files[i]!;
    const target = outputPath(backend, file, args.bases[i]!, out);
    const other = targets.get(target);
    if (other !== undefined) {
      process.stderr.write(`netc: '${terminalSafe(other)}' and '${terminalSafe(file)}' would both compile to '${terminalSafe(target)}'; name their folders instead of the files\n`);
      return 2;
    }
    targets.set(target, file);
  }

  const named = new Set<string>();
  // Created at the first spec to compile: it loads the checker, which a run with everything up to date never needs.
  let reporter: Reporter | undefined;
  let exit = 0;
  let compiled = 0;
  let current = 0;
  let libraries = 0;
  for (const [target, file] of targets) {
    const key = relative(process.cwd(), resolve(file));
    named.add(key);
    const entry = old.specs[key];
    const where = relative(out, target);
    if (upToDate(entry, options, out, where)) {
      next.specs[key] = entry!;
      if (entry!.library) libraries++;
      else {
        current++;
        process.stderr.write(`up to date ${target}\n`);
      }
      continue;
    }
    let done: Compiled | undefined;
    const { compile } = await import("./compile.js");
    reporter ??= await newReporter(args);
    const single = backend.output.kind === "file" ? { output: target } : { out: target };
    const code = await compile({ file, target: args.target, options: args.options, overrides: args.overrides, ...single }, reporter, (c) => (done = c));
    // Text and GitHub commands print now; JSON and SARIF make one document at the end.
    reporter.flush();
    exit = Math.max(exit, code);
    if (code !== 0 || !done) continue;
    const result: Compiled = done;
    if (result.library) libraries++;
    else compiled++;
    const inputs: Record<string, string> = {};
    for (const [path, text] of result.sources) {
      let now: string | undefined;
      try {
        now = readFileSync(path, "utf8");
      } catch {
        now = undefined;
      }
      // Changed while it compiled: recorded as never matching, so the next run compiles it.
      inputs[relative(process.cwd(), path)] = now === text ? sha256(text) : "";
    }
    const outputs: Record<string, Written> = {};
    for (const f of result.files) {
      const { size, mtimeMs } = statSync(f.path);
      outputs[relative(out, f.path)] = { sha256: sha256(f.data), size, mtimeMs };
    }
    next.specs[key] = result.library ? { options, target: where, inputs, outputs, library: true } : { options, target: where, inputs, outputs };
  }
  // Specs not named this time keep their records (a build of a subset does not forget the rest).
  for (const [key, entry] of Object.entries(old.specs)) if (!named.has(key)) next.specs[key] = entry;
  const sorted: Manifest = { ...next, specs: Object.fromEntries(Object.entries(next.specs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  const text = `${JSON.stringify(sorted, null, 2)}\n`;
  try {
    // Nothing compiled and nothing forgotten: the manifest on disk says it already.
    if (read.text !== text) await writeFilesAtomic([{ path: manifestPath, data: text }]);
  } catch (e) {
    process.stderr.write(`netc: cannot write the build manifest: ${terminalSafe(e instanceof OutputError || e instanceof Error ? e.message : String(e))}\n`);
    exit = Math.max(exit, 2);
  }
  if (reporter || args.format === "json" || args.format === "sarif") (reporter ?? (await newReporter(args))).flush(true);
  const networks = targets.size - libraries;
  const failed = networks - compiled - current;
  process.stderr.write(`netc: ${networks} network${networks === 1 ? "" : "s"}: ${compiled} compiled, ${current} up to date${failed ? `, ${failed} failed` : ""}${libraries ? ` (${libraries} librar${libraries === 1 ? "y" : "ies"} without a network)` : ""}\n`);
  return exit;
}
