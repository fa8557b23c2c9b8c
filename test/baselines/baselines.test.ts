// Baseline tests: each small .net file in cases/ has reviewed outputs in
// reference/ (diagnostics as `netc check` prints them, and for specs that check,
// the summary table and an IR listing). `npm run test:accept` rewrites them;
// review the diff.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { formatText } from "../../src/cli/report.js";
import { renderTable } from "../../src/summary/table.js";
import { backends } from "../../src/emit/backend.js";
import type { IrGraph } from "../../src/ir/graph.js";

const here = new URL(".", import.meta.url).pathname;
const cases = join(here, "cases");
const reference = join(here, "reference");
const accept = process.env.NETC_ACCEPT === "1";
const plain = { isTTY: false } as NodeJS.WriteStream;

function irListing(g: IrGraph): string {
  return g.nodes
    .map((n) => {
      const { op, ...attrs } = n.attrs;
      const a = Object.entries(attrs).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(",") : v}`).join(" ");
      const inputs = n.inputs.map((i) => g.nodes[i]!.name).join(", ");
      return `${n.name} = ${op}(${inputs}) ${a} -> ${n.shape.join("x")} params=${n.params} macs=${n.macs}${n.aux ? ` aux=${n.aux}` : ""}`;
    })
    .join("\n");
}

async function outputs(file: string): Promise<Record<string, string>> {
  const r = checkFile(file);
  const texts = new Map([...r.program.files].map(([p, f]) => [p, f.text]));
  const cwd = process.cwd();
  process.chdir(cases);
  const diagnostics = r.diagnostics.map((d) => formatText(d, (p) => texts.get(p), plain)).join("\n");
  process.chdir(cwd);
  const out: Record<string, string> = { diagnostics: `${diagnostics}\n` };
  if (r.graph) {
    out.summary = `${renderTable(r.graph, true)}\n`;
    out.ir = `${irListing(r.graph)}\n`;
    // What a compile target cannot express (NET6xxx), for the specs that hit it.
    const unsupported = (await Promise.all(backends.map((b) => b.check(r.graph!)))).flat();
    process.chdir(cases);
    if (unsupported.length > 0) out.backends = `${unsupported.map((d) => formatText(d, (p) => texts.get(p), plain)).join("\n")}\n`;
    process.chdir(cwd);
  }
  return out;
}

describe("baselines", () => {
  const files = readdirSync(cases).filter((f) => f.endsWith(".net")).sort();
  it("has cases", () => expect(files.length).toBeGreaterThan(10));
  for (const f of files) {
    it(f, async () => {
      const out = await outputs(join(cases, f));
      const base = f.replace(/\.net$/, ".");
      const stale = readdirSync(reference).filter((r) => r.startsWith(base) && !(r.slice(base.length).replace(/\.txt$/, "") in out));
      if (accept) for (const s of stale) rmSync(join(reference, s));
      else expect(stale, `stale baselines for ${f} (npm run test:accept removes them)`).toEqual([]);
      for (const [kind, text] of Object.entries(out)) {
        const ref = join(reference, f.replace(/\.net$/, `.${kind}.txt`));
        if (accept || !existsSync(ref)) {
          if (!accept) throw new Error(`no baseline ${relative(process.cwd(), ref)}: run npm run test:accept and review it`);
          mkdirSync(reference, { recursive: true });
          writeFileSync(ref, text);
          continue;
        }
        expect(text, `${kind} of ${f} (npm run test:accept to re-accept)`).toBe(readFileSync(ref, "utf8"));
      }
    });
  }
});
