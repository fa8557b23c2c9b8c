// fmt --diff (a unified diff, checked against diff -u and by applying it with
// patch), fmt from stdin, and fmt --check in the machine formats (NET5010).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffLines, unifiedDiff } from "../../src/cli/diff.js";
import { netc, tmp, TINY } from "./helpers.js";

const MESSY = "network  Tiny(classes=10) {\n  input x 1x8x8\n    conv 3x3   4 pad=1\n  flatten\n  dense classes\n}";

/** A seeded generator of small texts, so the comparison with diff -u covers many shapes of change. */
function texts(seed: number): [string, string] {
  let s = seed;
  const rand = (n: number) => ((s = (s * 1103515245 + 12345) & 0x7fffffff), s % n);
  const base = Array.from({ length: 5 + rand(30) }, () => `line ${rand(8)}`);
  const other = base.flatMap((l) => (rand(5) === 0 ? [] : rand(6) === 0 ? [l, `new ${rand(4)}`] : rand(7) === 0 ? [`changed ${rand(3)}`] : [l]));
  const end = (xs: string[]) => xs.join("\n") + (rand(4) === 0 ? "" : "\n");
  return [end(base), end(other)];
}

const hasTool = (tool: string) => spawnSync(tool, ["--version"]).status === 0;

describe("the unified diff", () => {
  it("is empty for equal texts and a shortest edit script otherwise", () => {
    expect(unifiedDiff("a\n", "a\n", "x")).toBe("");
    const edits = diffLines(["a", "b", "c", "a", "b", "b", "a"], ["c", "b", "a", "b", "a", "c"]);
    expect(edits.filter((e) => e.op !== " ")).toHaveLength(5); // Myers' paper: D = 5
    expect(edits.filter((e) => e.op !== "+").map((e) => e.line)).toEqual(["a", "b", "c", "a", "b", "b", "a"]);
    expect(edits.filter((e) => e.op !== "-").map((e) => e.line)).toEqual(["c", "b", "a", "b", "a", "c"]);
  });
  it.runIf(hasTool("diff") && hasTool("patch"))("applies with patch to give the new text, for 60 seeded pairs", () => {
    const d = tmp("netc-diff-");
    for (let seed = 1; seed <= 60; seed++) {
      const [a, b] = texts(seed);
      const patch = unifiedDiff(a, b, "f.txt");
      writeFileSync(join(d, "f.txt"), a);
      const r = spawnSync("patch", ["-s", "-p1", "-d", d, "--no-backup-if-mismatch"], { input: patch, encoding: "utf8" });
      expect(r.status, `seed ${seed}: ${r.stderr}${r.stdout}\n${patch}`).toBe(0);
      expect(readFileSync(join(d, "f.txt"), "utf8"), `seed ${seed}`).toBe(b);
    }
  });
  it.runIf(hasTool("diff"))("has the hunks diff -u prints", () => {
    const d = tmp("netc-diff-");
    writeFileSync(join(d, "old"), MESSY);
    writeFileSync(join(d, "new"), TINY);
    const ours = unifiedDiff(MESSY, TINY, "x").split("\n").slice(2);
    const theirs = spawnSync("diff", ["-u", "old", "new"], { cwd: d, encoding: "utf8" }).stdout.split("\n").slice(2);
    expect(ours).toEqual(theirs);
  });
});

describe("netc fmt", () => {
  it("--diff prints what would change and exits 1, without writing; 0 and nothing when formatted", () => {
    const d = tmp();
    writeFileSync(join(d, "a.net"), MESSY);
    const r = netc(["fmt", "--diff", "a.net"], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^--- a\/a\.net\n\+\+\+ b\/a\.net\n@@ -1,6 \+1,6 @@\n-network  Tiny\(classes=10\) \{\n\+network Tiny\(classes = 10\) \{\n/);
    expect(r.stdout).toContain("\\ No newline at end of file");
    expect(readFileSync(join(d, "a.net"), "utf8")).toBe(MESSY);
    writeFileSync(join(d, "b.net"), TINY);
    expect(netc(["fmt", "--diff", "b.net"], { cwd: d })).toMatchObject({ code: 0, stdout: "" });
  });
  it("formats stdin to stdout, and --check/--diff work on stdin too", () => {
    expect(netc(["fmt", "-"], { input: MESSY })).toMatchObject({ code: 0, stdout: TINY });
    expect(netc(["fmt", "--stdin", "--check"], { input: MESSY })).toMatchObject({ code: 1, stdout: "<stdin>\n" });
    expect(netc(["fmt", "--stdin-filename", "specs/x.net", "--diff"], { input: MESSY }).stdout).toMatch(/^--- a\/specs\/x\.net\n/);
  });
  it("--check in a machine format reports NET5010 at the first line that differs", () => {
    const d = tmp();
    writeFileSync(join(d, "a.net"), TINY.replace("  conv 3x3 4", "    conv 3x3 4"));
    writeFileSync(join(d, "b.net"), TINY);
    const gh = netc(["fmt", "--check", "--format", "github-actions", "."], { cwd: d });
    expect(gh.code).toBe(1);
    expect(gh.stdout).toBe("::warning file=a.net,line=3,col=1,endLine=3,endColumn=21,title=NET5010::Expected the formatting 'netc fmt' writes but found line 3 written differently; run 'netc fmt' on this file.\n");
    const json = JSON.parse(netc(["fmt", "--check", "--format", "json", "."], { cwd: d }).stdout) as { diagnostics: { code: string; file: string; line: number }[] };
    expect(json.diagnostics.map((x) => [x.code, x.file, x.line])).toEqual([["NET5010", "a.net", 3]]);
    expect(netc(["fmt", "--check", "b.net"], { cwd: d })).toMatchObject({ code: 0, stdout: "" });
  });
  it("formats every spec of a folder in place", () => {
    const d = tmp();
    writeFileSync(join(d, "a.net"), MESSY);
    expect(netc(["fmt", d]).code).toBe(0);
    expect(readFileSync(join(d, "a.net"), "utf8")).toBe(TINY);
  });
});
