// Folders, globs and stdin as inputs of every command that reads specs.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandBraces, expandInputs, glob, segmentRegExp } from "../../src/cli/inputs.js";
import { netc, tmp, TINY } from "./helpers.js";

function tree(): string {
  const d = tmp("netc-inputs-");
  for (const f of ["b.net", "a.net", "sub/c.net", "sub/deep/d.net", "sub/notes.txt", ".hidden/e.net", "node_modules/x/f.net", ".g.net"]) {
    mkdirSync(join(d, f, ".."), { recursive: true });
    writeFileSync(join(d, f), TINY);
  }
  return d;
}

describe("the glob matcher", () => {
  it("expands braces, nested ones too", () => {
    expect(expandBraces("a/{b,c}.net")).toEqual(["a/b.net", "a/c.net"]);
    expect(expandBraces("{x,y{1,2}}z")).toEqual(["xz", "y1z", "y2z"]);
    expect(expandBraces("plain")).toEqual(["plain"]);
  });
  it("matches within one segment, not a leading dot", () => {
    expect(segmentRegExp("*.net").test("a.net")).toBe(true);
    expect(segmentRegExp("*.net").test(".a.net")).toBe(false);
    expect(segmentRegExp("?.net").test("ab.net")).toBe(false);
    expect(segmentRegExp("[ab].net").test("b.net")).toBe(true);
    expect(segmentRegExp("[!ab].net").test("b.net")).toBe(false);
    expect(segmentRegExp("a+b(1).net").test("a+b(1).net")).toBe(true);
  });
  it("finds files sorted, with ** for any depth, skipping hidden folders and node_modules", () => {
    const d = tree();
    const rel = (xs: string[]) => xs.map((x) => x.slice(d.length + 1));
    expect(rel(glob(`${d}/**/*.net`))).toEqual(["a.net", "b.net", "sub/c.net", "sub/deep/d.net"]);
    expect(rel(glob(`${d}/*.net`))).toEqual(["a.net", "b.net"]);
    expect(rel(glob(`${d}/sub/**`))).toEqual(["sub/c.net", "sub/deep/d.net"]);
    expect(rel(glob(`${d}/{a,sub/c}.net`))).toEqual(["a.net", "sub/c.net"]);
    expect(glob(`${d}/*.onnx`)).toEqual([]);
  });
  it("expands folders recursively and in order, de-duplicates, and names what matched nothing", () => {
    const d = tree();
    symlinkSync(join(d, "sub"), join(d, "loop"));
    const r = expandInputs([d, join(d, "a.net"), `${d}/none/*.net`, join(d, "sub", "deep")]);
    expect(r.files.map((x) => x.slice(d.length + 1))).toEqual(["a.net", "b.net", "sub/c.net", "sub/deep/d.net"]);
    expect(r.problems).toEqual([`no files match '${d}/none/*.net'`]);
    expect(r.expanded).toBe(true);
    expect(expandInputs(["x.net"])).toEqual({ bases: ["."], files: ["x.net"], problems: [], expanded: false });
  });
});

describe("commands read folders, globs and stdin", () => {
  it("check specs/ recurses, in a stable order (the beginner's mistakes are the only errors)", () => {
    const r = netc(["check", "specs/", "--format", "json", "--max-errors", "0"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { diagnostics: { file: string; code: string }[] };
    expect([...new Set(out.diagnostics.map((d) => d.file))]).toEqual(["specs/broken/beginner-googlenet.net"]);
    expect(netc(["check", "specs/zoo"]).code).toBe(0);
  });
  it("check expands a quoted glob itself and refuses one that matches nothing (exit 2)", () => {
    expect(netc(["check", "specs/zoo/*.net"]).code).toBe(0);
    const none = netc(["check", "specs/*.onnx"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no files match 'specs/*.onnx'");
    const empty = netc(["check", "test/cli"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no .net files in 'test/cli'");
  });
  it("a missing file is reported without an invented position", () => {
    const r = netc(["check", "no/such.net"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^no\/such\.net: error NET2016: /);
    const j = JSON.parse(netc(["check", "--format", "json", "no/such.net"]).stdout) as { diagnostics: { line: null; column: null }[] };
    expect(j.diagnostics[0]).toMatchObject({ line: null, column: null, endLine: null, endColumn: null });
  });
  it("check - reads stdin under --stdin-filename, resolving imports from its folder", () => {
    const spec = 'import "lib/inception.net"\nnetwork N {\n  input x 192x28x28\n  defaults { conv relu pad=same }\n  a = Inception(64, 96, 128, 16, 32, 32)\n  flatten\n  b = dense 3 <- 5\n}\n';
    const r = netc(["check", "-", "--stdin-filename", "specs/piped.net"], { input: spec });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^specs\/piped\.net:7:15: error NET3002: b expects 5 input features but 200704 arrive/);
    expect(r.stdout).not.toContain("lib/inception.net");
    expect(netc(["check", "--stdin"], { input: TINY })).toMatchObject({ code: 0, stdout: "" });
    expect(netc(["check", "--stdin"], { input: "network N {\n  input x 1x2x2\n  frob 3\n}\n" }).stdout).toMatch(/^<stdin>:3:3: error/m);
    expect(netc(["check", "--stdin", "--watch"], { input: TINY }).code).toBe(2);
  });
  it("summary takes a folder (a table per spec, or a JSON array) and stdin", () => {
    const d = tmp();
    writeFileSync(join(d, "a.net"), TINY);
    writeFileSync(join(d, "b.net"), TINY.replace("Tiny", "Other"));
    const json = JSON.parse(netc(["summary", d, "--json"]).stdout) as { file: string }[];
    expect(json.map((s) => s.file)).toEqual([join(d, "a.net"), join(d, "b.net")]);
    const text = netc(["summary", "a.net", "b.net"], { cwd: d }).stdout;
    expect(text).toMatch(/^a\.net\n/);
    expect(text).toMatch(/\nb\.net\n/);
    const piped = netc(["summary", "--stdin", "--json"], { input: TINY });
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toHaveProperty("layers");
    expect(netc(["summary"]).code).toBe(2);
  });
  it("verify takes a folder: one JSON line per spec, naming it", () => {
    const d = tmp();
    writeFileSync(join(d, "a.net"), TINY);
    writeFileSync(join(d, "b.net"), TINY.replace("Tiny", "Other"));
    const r = netc(["verify", ".", "--json"], { cwd: d });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { spec: string; ok: boolean });
    expect(lines.map((l) => [l.spec, l.ok])).toEqual([
      ["a.net", true],
      ["b.net", true],
    ]);
    expect(netc(["verify", ".", "--weights", "ckpt"], { cwd: d }).code).toBe(2);
  }, 60_000);
});
