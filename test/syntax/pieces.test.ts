// A long network is parsed in pieces (src/syntax/parse.ts): with pieces made
// tiny, so that every network of more than a few tokens is cut at every line,
// the AST and the diagnostics must be exactly those of a whole parse, on every
// spec in the repository, generated and mutated specs, and the large-spec
// shapes of the scale benchmark.
import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { parse, pieces } from "../../src/syntax/parse.js";
// @ts-ignore: plain JS, shared with the `npm run fuzz` script
import { makeCase } from "../../scripts/fuzz/engine.js";
// @ts-ignore
import { loadCorpus } from "../../scripts/fuzz/mutate.js";
// @ts-ignore
import { KINDS, largeSpec } from "../../bench/large-specs.js";

const root = new URL("../..", import.meta.url).pathname;
const saved = pieces.tokens;

function texts(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of execSync("git ls-files '*.net'", { cwd: root }).toString().trim().split("\n")) out.push([f, readFileSync(root + f, "utf8")]);
  const corpus = loadCorpus(root);
  for (let i = 0; i < 400; i++) for (const [p, t] of makeCase(4242, i, corpus).files as Map<string, string>) out.push([`case ${i} ${p}`, t]);
  for (const k of KINDS as string[]) out.push([k, largeSpec(k, 20_000)]);
  return out;
}

describe("parsing a long network in pieces", () => {
  afterEach(() => {
    pieces.tokens = saved;
  });
  it("gives the AST and diagnostics of a whole parse", () => {
    let cut = 0;
    for (const [name, text] of texts()) {
      pieces.tokens = 1e9;
      const whole = JSON.stringify(parse(text, "/t.net"));
      pieces.tokens = 2;
      const inPieces = JSON.stringify(parse(text, "/t.net"));
      if (inPieces !== whole) expect(inPieces, name).toBe(whole);
      if (/\bnetwork\b/.test(text)) cut++;
    }
    expect(cut).toBeGreaterThan(100);
  });
});
