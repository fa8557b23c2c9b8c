import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CASE_DIR } from "./engine.js";

/** Writes a case's files to out/category/index/ (as `netc check main.net` reads them) with a note of what failed. */
export function writeCase(out, category, index, c, failures) {
  const dir = join(out, category, String(index));
  for (const [p, text] of c.files) {
    const target = join(dir, relative(CASE_DIR, p));
    mkdirSync(join(target, ".."), { recursive: true });
    writeFileSync(target, text);
  }
  const note = failures.map((f) => `${f.category}: ${f.detail ?? ""}`).join("\n");
  writeFileSync(join(dir, "failure.txt"), `${c.how ?? ""}\n${note}\n`);
  return dir;
}
