// `netc check FILES|DIRS|GLOBS [--format F] [--stdin [--stdin-filename NAME]] [--watch]`.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { checkFile, checkText, type Overrides } from "../../check/index.js";
import { diskHost } from "../../check/program.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { renderDiagnostics, type Format } from "../formats.js";
import { expandInputs } from "../inputs.js";
import { unreadable } from "../load.js";
import { readStdin } from "../stdin.js";
import { DEFAULT_MAX_ERRORS, limitDiagnostics, terminalSafe } from "../report.js";

export interface CheckArgs {
  files: string[];
  format: Format;
  maxErrors?: number;
  /** Read the spec from stdin (also `-` among the files). */
  stdin?: boolean;
  /** The name stdin's text is checked under: imports resolve from its folder; diagnostics carry it. */
  stdinFilename?: string;
  watch?: boolean;
  /** --set and --input, applied to every spec checked. */
  overrides?: Overrides;
}

interface Pass {
  code: number;
  /** Every file the pass read or tried to read (specs and their imports), and the folders named: what --watch watches. */
  watched: Set<string>;
}

export async function run(args: CheckArgs): Promise<number> {
  const fromStdin = args.stdin || args.files.includes("-");
  const files = args.files.filter((f) => f !== "-");
  if (fromStdin && args.watch) return usage("--watch cannot watch stdin; name the files");
  if (!fromStdin && files.length === 0) return usage("no input: name files, folders or globs, or use --stdin");
  const stdinText = fromStdin ? await readStdin() : undefined;
  if (stdinText !== undefined && typeof stdinText !== "string") return usage(stdinText.reason);
  const once = () => checkOnce(args, files, stdinText);
  if (!args.watch) return once().code;
  return watch(once);
}

function usage(message: string): number {
  process.stderr.write(`netc check: ${terminalSafe(message)}\n`);
  return 2;
}

function checkOnce(args: CheckArgs, names: string[], stdinText: string | undefined): Pass {
  const all: Diagnostic[] = [];
  const texts = new Map<string, string>();
  const watched = new Set<string>();
  let ioError = false;
  const inputs = expandInputs(names);
  for (const p of inputs.problems) process.stderr.write(`netc check: ${terminalSafe(p)}\n`);
  for (const n of names) watched.add(resolve(n));
  const results = inputs.files.map((f) => checkFile(f, diskHost, args.overrides));
  if (stdinText !== undefined) results.push(checkText(stdinText, args.stdinFilename ?? "<stdin>", diskHost, args.overrides));
  for (const r of results) {
    watched.add(r.program.entry);
    for (const [path, file] of r.program.files) {
      texts.set(path, file.text);
      watched.add(path);
      // A new import target appearing in the folder changes the result too.
      watched.add(dirname(path));
    }
    if (unreadable(r.diagnostics)) ioError = true;
    for (const d of r.diagnostics) all.push(d);
  }
  const limited = limitDiagnostics(all, args.maxErrors ?? DEFAULT_MAX_ERRORS);
  process.stdout.write(renderDiagnostics(args.format, limited, all.length, (p) => texts.get(p), process.stdout));
  if (args.format === "text" && limited.errors + limited.warnings > 0) process.stderr.write(`${limited.errors} error(s), ${limited.warnings} warning(s)\n`);
  const code = ioError || inputs.problems.length > 0 ? 2 : all.some((d) => d.severity === "error") ? 1 : 0;
  return { code, watched };
}

/** How long a burst of saves (an editor writes, renames, touches) settles before one re-check. */
const DEBOUNCE_MS = 150;
const POLL_MS = 100;

/** What a path looks like on disk: a save, a rename over it, a removal or a creation changes it. */
function stamp(path: string): string {
  const s = statSync(path, { throwIfNoEntry: false });
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : "absent";
}

/**
 * Re-checks whenever a spec, one of its imports, or a folder named changes.
 * Polls with stat: it sees editors that save by renaming a new file over the
 * old, and works the same on every platform. The stamps a poll compares with
 * are taken synchronously before the status line is printed; fs.watchFile took
 * its first stat later, on the thread pool, so on a loaded machine a save made
 * just after the line became its baseline and was never reported.
 * Runs until interrupted.
 */
function watch(once: () => Pass): Promise<number> {
  const tty = process.stdout.isTTY;
  let stamps = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  const rerun = () => {
    // Clear screen and scrollback only on a terminal; a log file keeps every run.
    if (tty) process.stdout.write("\u001b[2J\u001b[3J\u001b[H");
    // Stamps of the paths already known are taken before the pass reads them: a save made while it runs differs at the next poll.
    const before = new Map([...stamps.keys()].map((p) => [p, stamp(p)]));
    const pass = once();
    stamps = new Map([...pass.watched].map((p) => [p, before.get(p) ?? stamp(p)]));
    // Last, once the stamps are taken: a change made after this line is seen.
    process.stderr.write(`[watch] ${pass.code === 0 ? "no errors" : pass.code === 1 ? "errors found" : "inputs missing"}; watching ${pass.watched.size} path(s) (Ctrl-C stops)\n`);
  };
  const poll = () => {
    let changed = false;
    for (const [p, s] of stamps) {
      const now = stamp(p);
      if (now !== s) {
        stamps.set(p, now);
        changed = true;
      }
    }
    if (!changed) return;
    clearTimeout(timer);
    timer = setTimeout(rerun, DEBOUNCE_MS);
  };
  rerun();
  const poller = setInterval(poll, POLL_MS);
  return new Promise<number>((done) => {
    const stop = () => {
      clearInterval(poller);
      clearTimeout(timer);
      done(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
