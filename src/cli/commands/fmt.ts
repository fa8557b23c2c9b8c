import { resolve } from "node:path";
import { formatSource } from "../../format/index.js";
import { OutputError, writeFilesAtomic } from "../../util/atomic-write.js";
import { readSpecFile } from "../../util/read-file.js";
import { DEFAULT_MAX_ERRORS, displayPath, formatText, limitDiagnostics, moreLine, terminalSafe } from "../report.js";

export async function run(args: { files: string[]; check: boolean; stdout: boolean }): Promise<number> {
  let code = 0;
  for (const f of args.files) {
    const path = resolve(f);
    const text = readSpecFile(path);
    if (typeof text !== "string") {
      process.stderr.write(`netc: cannot read ${terminalSafe(f)}: ${terminalSafe(text.reason)}\n`);
      code = 2;
      continue;
    }
    const r = formatSource(text, path);
    // Warnings (a `// 2` that reads like floor division) are for `netc check`; only errors stop formatting.
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
      const limited = limitDiagnostics(errors, DEFAULT_MAX_ERRORS);
      for (const d of limited.shown) process.stderr.write(`${formatText(d, () => text, process.stderr)}\n`);
      const more = moreLine(limited, "");
      if (more) process.stderr.write(`${more}\n`);
      process.stderr.write(`netc: ${displayPath(path)} has syntax errors; not formatted\n`);
      code = Math.max(code, 1);
      continue;
    }
    if (args.stdout) process.stdout.write(r.text);
    else if (r.text !== text) {
      if (args.check) {
        process.stdout.write(`${displayPath(path)}\n`);
        code = Math.max(code, 1);
      } else {
        try {
          await writeFilesAtomic([{ path, data: r.text }]);
        } catch (e) {
          if (!(e instanceof OutputError)) throw e;
          process.stderr.write(`netc: ${terminalSafe(e.message)}\n`);
          code = 2;
        }
      }
    }
  }
  return code;
}
