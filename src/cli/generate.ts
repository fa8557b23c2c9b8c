// `npm run generate`: regenerates generated/<spec>/model.ts and train.ts for every
// spec in specs/ and specs/zoo/ (generated/zoo/<spec>/; not specs/broken/ or the
// lib/ folders), so readers can browse what
// netc emits. Deterministic: the test suite regenerates in memory and fails when
// generated/ differs (test/tfjs/generated-fresh.test.ts).

import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkFile } from "../check/index.js";
import { tfjsSources } from "../emit/tfjs/index.js";
import { writeFilesAtomic } from "../util/atomic-write.js";
import { version } from "./version.js";

/** generated/<name>/<file> (relative to the repo root) -> text, for every spec. */
export async function generatedFiles(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const specs = ["", "zoo/"].flatMap((folder) =>
    readdirSync(join(root, "specs", folder))
      .filter((f) => f.endsWith(".net"))
      .sort()
      .map((f) => folder + f),
  );
  for (const file of specs) {
    const r = checkFile(join(root, "specs", file));
    if (!r.graph) {
      const first = r.diagnostics.find((d) => d.severity === "error");
      throw new Error(`specs/${file} does not check${first ? `: ${first.message}` : ""}`);
    }
    const name = join(dirname(file), basename(file, ".net"));
    const files = await tfjsSources(r.graph, { js: false, specPath: `specs/${file}`, netcVersion: version });
    for (const [f, text] of files) out.set(`generated/${name}/${f}`, text);
  }
  return out;
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const files = await generatedFiles(root);
  await writeFilesAtomic([...files].map(([p, data]) => ({ path: join(root, p), data })));
  // Folders of specs that no longer exist would otherwise linger.
  const keep = new Set([...files.keys()].map((p) => dirname(p)));
  const stale = (dir: string): void => {
    for (const d of existsSync(join(root, dir)) ? readdirSync(join(root, dir), { withFileTypes: true }) : []) {
      if (!d.isDirectory()) continue;
      const sub = `${dir}/${d.name}`;
      if (existsSync(join(root, sub, "model.ts")) && !keep.has(sub)) rmSync(join(root, sub), { recursive: true });
      else stale(sub);
    }
  };
  stale("generated");
  process.stdout.write(`generated ${files.size} files for ${keep.size} specs in generated/\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`generate: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
