// `netc fmt SPECS [--check | --diff | --stdout] [--stdin [--stdin-filename NAME]] [--format F]`.
// In place by default; --check lists (or, in a machine --format, reports as
// NET5010) what would change; --diff prints the change as a unified diff. Both
// exit 1 when something would change. From stdin the result goes to stdout.
import { resolve } from "node:path";
import { diag } from "../../diagnostics/catalogue.js";
import { formatSource } from "../../format/index.js";
import { OutputError, writeFilesAtomic } from "../../util/atomic-write.js";
import { readSpecFile } from "../../util/read-file.js";
import { unifiedDiff } from "../diff.js";
import type { Format } from "../formats.js";
import { expandInputs } from "../inputs.js";
import { Reporter } from "../load.js";
import { DEFAULT_MAX_ERRORS, displayPath, terminalSafe } from "../report.js";

export interface FmtArgs {
  files: string[];
  check: boolean;
  stdout: boolean;
  diff?: boolean;
  format?: Format;
  maxErrors?: number;
  stdin?: { text: string; name: string };
}

export async function run(args: FmtArgs): Promise<number> {
  const format = args.format ?? "text";
  const reporter = new Reporter(format, args.maxErrors ?? DEFAULT_MAX_ERRORS, format === "json" || format === "sarif", args.check && format !== "text");
  const inputs = expandInputs(args.files);
  let code = 0;
  for (const p of inputs.problems) {
    process.stderr.write(`netc fmt: ${terminalSafe(p)}\n`);
    code = 2;
  }
  const specs: { path: string; text?: string; stdin: boolean }[] = inputs.files.map((f) => ({ path: resolve(f), stdin: false }));
  if (args.stdin) specs.push({ path: resolve(args.stdin.name), text: args.stdin.text, stdin: true });
  for (const s of specs) {
    const text = s.text ?? readSpecFile(s.path);
    if (typeof text !== "string") {
      process.stderr.write(`netc: cannot read ${terminalSafe(displayPath(s.path))}: ${terminalSafe(text.reason)}\n`);
      code = 2;
      continue;
    }
    const r = formatSource(text, s.path);
    // Warnings (a `// 2` that reads like floor division) are for `netc check`; only errors stop formatting.
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      reporter.add(errors, new Map([[s.path, text]]));
      reporter.flush();
      process.stderr.write(`netc: ${terminalSafe(displayPath(s.path))} has syntax errors; not formatted\n`);
      code = Math.max(code, 1);
      continue;
    }
    const changed = r.text !== text;
    if (args.diff) {
      if (changed) {
        process.stdout.write(terminalSafeDiff(unifiedDiff(text, r.text, displayPath(s.path).replace(/\\/g, "/"))));
        code = Math.max(code, 1);
      }
    } else if (args.check) {
      if (!changed) continue;
      code = Math.max(code, 1);
      if (format === "text") process.stdout.write(`${terminalSafe(displayPath(s.path))}\n`);
      else reporter.add([notFormatted(s.path, text, r.text)], new Map([[s.path, text]]));
    } else if (args.stdout || s.stdin) {
      process.stdout.write(r.text);
    } else if (changed) {
      try {
        await writeFilesAtomic([{ path: s.path, data: r.text }]);
      } catch (e) {
        if (!(e instanceof OutputError)) throw e;
        process.stderr.write(`netc: ${terminalSafe(e.message)}\n`);
        code = 2;
      }
    }
  }
  reporter.flush(true);
  return code;
}

/** NET5010 at the first line the formatter would change. */
function notFormatted(path: string, before: string, after: string) {
  let i = 0;
  while (i < before.length && before[i] === after[i]) i++;
  const start = before.lastIndexOf("\n", i - 1) + 1;
  const end = before.indexOf("\n", start);
  const line = before.slice(0, start).split("\n").length;
  return diag("NET5010", path, { offset: start, length: (end < 0 ? before.length : end) - start }, { line });
}

/** Diff lines carry spec text to a terminal: escape control characters but keep the newlines. */
function terminalSafeDiff(d: string): string {
  return d
    .split("\n")
    .map((l) => terminalSafe(l))
    .join("\n");
}
