// Property tests: the checker never throws, finishes quickly, and every
// diagnostic points inside the file, for random text and mutated real specs.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import type { FileHost } from "../../src/check/program.js";
import { mutation } from "./mutations.js";

const root = join(new URL(".", import.meta.url).pathname, "../..");
const specs = ["googlenet.net", "googlenet-torchvision.net", "broken/beginner-googlenet.net", "lib/inception.net"].map((f) => readFileSync(join(root, "specs", f), "utf8"));
const baselines = readdirSync(join(root, "test/baselines/cases")).filter((f) => f.endsWith(".net")).map((f) => readFileSync(join(root, "test/baselines/cases", f), "utf8"));
const corpus = [...specs, ...baselines];
const library = readFileSync(join(root, "specs/lib/inception.net"), "utf8");
// Imports resolve against an in-memory library so mutations that keep `import` lines still load something.
const host: FileHost = { readFile: (p) => (p.endsWith("lib/inception.net") ? library : undefined) };
const path = join(root, "specs/fuzz.net");

function checkIsSane(text: string): void {
  // Speed is the benchmarks' business (npm run bench); a hang fails the test's timeout.
  const r = checkText(text, path, host);
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^NET\d{4}$/);
    expect(d.code).not.toBe("NET9001");
    const len = d.file === r.program.entry ? text.length : (r.program.files.get(d.file)?.text.length ?? 0);
    expect(d.span.offset).toBeGreaterThanOrEqual(0);
    expect(d.span.offset + d.span.length).toBeLessThanOrEqual(len);
    for (const rel of d.related) expect(rel.span.offset).toBeGreaterThanOrEqual(0);
  }
}

describe("checker properties", () => {
  it("survives mutated specs", () => {
    fc.assert(fc.property(fc.constantFrom(...corpus).chain(mutation), checkIsSane), { numRuns: 400 });
  });
  it("survives random text and token soup", () => {
    const token = fc.constantFrom("network", "block", "N", "{", "}", "(", ")", "input", "3x8x8", "conv", "3x3/2", "64", "=", "\n", "concat", "add", "seq", "repeat", "as", "i", "from", "weight", "0.3", "->", "<-", "params", "~", "1K", ",", "defaults", "pool", "ceil", "relu", "head", "stem", "dense", "flatten", "avgpool", "global", "-", "*", "/", "1e999", "import", "\"x.net\"");
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.array(token, { maxLength: 120 }).map((t) => t.join(" "))), checkIsSane), { numRuns: 400 });
  });
  it("handles extreme inputs", () => {
    checkIsSane("network N { input 3x8x8\n" + "seq { ".repeat(20000) + "}".repeat(20000) + "\n}");
    checkIsSane("network N { input 3x8x8\n conv 1x1 " + "(".repeat(50000) + "1" + ")".repeat(50000) + "\n}");
    checkIsSane(`network N { input 3x8x8\n conv 3x3 ${"9".repeat(400)}\n}`);
    checkIsSane(`network N { input ${"9".repeat(30)}x8x8\n conv 3x3 4\n}`);
    checkIsSane("network N { input 3x8x8\n x = repeat 10000 as i { repeat 10000 { relu } }\n}");
    checkIsSane("block A() { A() }\nnetwork N { input 3x8x8\n A()\n}");
    checkIsSane("\u0000\uffff\ud800 network");
  });
});
