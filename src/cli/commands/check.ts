import { checkFile } from "../../check/index.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { unreadable } from "../load.js";
import { DEFAULT_MAX_ERRORS, formatText, limitDiagnostics, locate, moreLine } from "../report.js";

export async function run(args: { files: string[]; format: "text" | "json"; maxErrors?: number }): Promise<number> {
  const all: Diagnostic[] = [];
  const texts = new Map<string, string>();
  let ioError = false;
  for (const f of args.files) {
    const r = checkFile(f);
    for (const [path, file] of r.program.files) texts.set(path, file.text);
    if (unreadable(r.diagnostics)) ioError = true;
    for (const d of r.diagnostics) all.push(d);
  }
  const get = (p: string) => texts.get(p);
  const limited = limitDiagnostics(all, args.maxErrors ?? DEFAULT_MAX_ERRORS);
  if (args.format === "json") {
    const { errors, warnings, shown } = limited;
    const out = { errors, warnings, total: all.length, shown: shown.length, diagnostics: shown.map((d) => locate(d, get)) };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    for (const d of limited.shown) process.stdout.write(`${formatText(d, get, process.stdout)}\n`);
    const more = moreLine(limited);
    if (more) process.stdout.write(`${more}\n`);
    if (limited.errors + limited.warnings > 0) process.stderr.write(`${limited.errors} error(s), ${limited.warnings} warning(s)\n`);
  }
  if (ioError) return 2;
  return all.some((d) => d.severity === "error") ? 1 : 0;
}
