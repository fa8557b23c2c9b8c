// Every catalogue code is either shown by a baseline case, covered by a named
// test where a baseline cannot reach it (CLI, editor, host failures), or
// retired, and then nothing in src/ emits it.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { catalogue, type CatalogueEntry, type Code } from "../../src/diagnostics/catalogue.js";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "..", "..");

/** Codes no baseline case can show, and the test that asserts each is emitted. */
const elsewhere: Partial<Record<Code, string>> = {
  NET1005: "test/syntax/robustness.test.ts", // 32 levels of brackets: too long for a readable baseline
  NET1007: "test/syntax/robustness.test.ts", // a file over the size cap
  NET1015: "test/cli/hostile-files.test.ts", // binary or non-UTF-8 files
  NET2016: "test/cli/hostile-files.test.ts", // an unreadable entry file
  NET2080: "test/cli/overrides.test.ts", // --set names a parameter the network lacks
  NET2081: "test/cli/overrides.test.ts", // --input of another rank
  NET2021: "test/check/program.test.ts", // import chains deeper than the limit
  NET2022: "test/check/program.test.ts", // more files than a program may load
  NET5005: "test/lsp/workspace.test.ts", // only the editor caps live checking
  NET5030: "test/onnx/dynamic-size.test.ts", // compile --dynamic-size
  NET5040: "test/onnx/dynamic-size.test.ts", // compile --fixed-size --dynamic-size
  NET5050: "test/triton/repository.test.ts", // compile --target triton's options
  NET6010: "test/pytorch/model.test.ts", // a padding F.avg_pool2d cannot state
  NET6011: "test/pytorch/model.test.ts", // a path name torch.nn reserves
  NET5010: "test/cli/fmt.test.ts", // fmt --check in a machine format
  NET5070: "test/cli/build.test.ts", // compile --js beside a package.json that is not "type": "module"
  NET9001: "test/baselines/catalogue.test.ts", // below: a host that throws
};

const entries = Object.entries(catalogue) as [Code, CatalogueEntry][];
const references = readdirSync(join(here, "reference")).map((f) => readFileSync(join(here, "reference", f), "utf8")).join("\n");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("diagnostic catalogue", () => {
  it("every live code is shown by a baseline case or by its named test", () => {
    const missing: string[] = [];
    for (const [code, entry] of entries) {
      if (entry.retired) continue;
      const file = elsewhere[code];
      if (file) {
        expect(references, `${code} is in a baseline now: drop it from the list of codes covered elsewhere`).not.toContain(`${code}:`);
        expect(readFileSync(join(root, file), "utf8"), `${file} should cover ${code}`).toContain(code);
      } else if (!references.includes(` ${code}: `)) {
        missing.push(code);
      }
    }
    expect(missing, "codes no baseline shows: add a case under test/baselines/cases, or retire them").toEqual([]);
  });

  it("nothing in src/ emits a retired code, and no retired code is listed as covered", () => {
    const retired = entries.filter(([, e]) => e.retired).map(([c]) => c);
    expect(retired.length).toBeGreaterThan(0);
    const emitting = sources(join(root, "src"))
      .filter((f) => !f.endsWith(join("diagnostics", "catalogue.ts")))
      .flatMap((f) => {
        const text = readFileSync(f, "utf8");
        return retired.filter((c) => text.includes(`"${c}"`)).map((c) => `${c} in ${f}`);
      });
    expect(emitting).toEqual([]);
    for (const c of retired) expect(elsewhere[c], c).toBeUndefined();
  });

  it("an unexpected failure while checking becomes NET9001, not a throw", () => {
    const host = { readFile: (): string => { throw new Error("disk on fire"); } };
    const r = checkText(undefined, "boom.net", host);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["NET9001"]);
    expect(r.diagnostics[0]!.message).toContain("disk on fire");
  });
});
