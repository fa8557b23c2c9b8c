import { checkFile } from "../../check/index.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { formatText, locate } from "../report.js";

export async function run(args: { files: string[]; format: "text" | "json" }): Promise<number> {
  const all: Diagnostic[] = [];
  const texts = new Map<string, string>();
  let ioError = false;
  for (const f of args.files) {
    const r = checkFile(f);
    for (const [path, file] of r.program.files) texts.set(path, file.text);
    if (r.program.files.size === 0) ioError = true;
    for (const d of r.diagnostics) all.push(d); // push(...list) overflows the stack past ~125,000
  }
  const get = (p: string) => texts.get(p);
  if (args.format === "json") {
    process.stdout.write(`${JSON.stringify(all.map((d) => locate(d, get)), null, 2)}\n`);
  } else {
    for (const d of all) process.stdout.write(`${formatText(d, get, process.stdout)}\n`);
    const errors = all.filter((d) => d.severity === "error").length;
    const warnings = all.filter((d) => d.severity === "warning").length;
    if (errors + warnings > 0) process.stderr.write(`${errors} error(s), ${warnings} warning(s)\n`);
  }
  if (ioError) return 2;
  return all.some((d) => d.severity === "error") ? 1 : 0;
}
