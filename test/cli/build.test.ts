// `netc compile FOLDER|GLOB --out DIR`: every network compiled, the folder
// layout mirrored, a manifest that makes a re-run with nothing changed compile
// nothing, and a change to a shared library recompile exactly its importers.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { globBase } from "../../src/cli/inputs.js";
import { netc, tmp } from "./helpers.js";

const LIB = "block Unit(c) {\n  conv 3x3 c pad=1 relu\n}\n";
const net = (name: string, body: string, imports = "") => `${imports}network ${name}(classes = 10) {\n  input x 1x8x8\n${body}  flatten\n  dense classes\n}\n`;

/** specs/: a library, two networks importing it (one through another library), one importing nothing. */
function project(): string {
  const dir = tmp("netc-build-");
  mkdirSync(join(dir, "specs", "lib"), { recursive: true });
  mkdirSync(join(dir, "specs", "zoo", "small"), { recursive: true });
  writeFileSync(join(dir, "specs", "lib", "unit.net"), LIB);
  writeFileSync(join(dir, "specs", "lib", "pair.net"), 'import "unit.net"\n\nblock Pair(c) {\n  Unit(c)\n  Unit(c)\n}\n');
  writeFileSync(join(dir, "specs", "a.net"), net("A", "  Unit(4)\n", 'import "lib/unit.net"\n\n'));
  writeFileSync(join(dir, "specs", "zoo", "b.net"), net("B", "  Pair(4)\n", 'import "../lib/pair.net"\n\n'));
  writeFileSync(join(dir, "specs", "zoo", "small", "c.net"), net("C", "  conv 3x3 4 pad=1\n"));
  return dir;
}

const compiled = (stderr: string) => [...stderr.matchAll(/^wrote .*$/gm)].map((m) => m[0]);
const summary = (stderr: string) => stderr.match(/^netc: \d+ networks?: .*$/m)?.[0];
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("compile a folder into --out", () => {
  it("mirrors the folders, skips libraries, and a re-run with nothing changed compiles nothing", () => {
    const dir = project();
    const first = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    for (const f of ["out/a.onnx", "out/zoo/b.onnx", "out/zoo/small/c.onnx"]) expect(existsSync(join(dir, f)), f).toBe(true);
    expect(existsSync(join(dir, "out/lib"))).toBe(false);
    expect(summary(first.stderr)).toBe("netc: 3 networks: 3 compiled, 0 up to date (2 libraries without a network)");
    const manifest = JSON.parse(readFileSync(join(dir, "out", ".netc-manifest.json"), "utf8"));
    expect(Object.keys(manifest.specs)).toEqual(["specs/a.net", "specs/lib/pair.net", "specs/lib/unit.net", "specs/zoo/b.net", "specs/zoo/small/c.net"]);
    // b.net's record holds its transitive imports.
    expect(Object.keys(manifest.specs["specs/zoo/b.net"].inputs).sort()).toEqual(["specs/lib/pair.net", "specs/lib/unit.net", "specs/zoo/b.net"]);
    expect(manifest.specs["specs/a.net"].outputs["a.onnx"].sha256).toBe(sha(join(dir, "out/a.onnx")));

    const mtimes = ["a", "zoo/b", "zoo/small/c"].map((f) => statSync(join(dir, "out", `${f}.onnx`)).mtimeMs);
    const again = netc(["compile", "specs/", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(compiled(again.stderr)).toEqual([]);
    expect(again.stderr).toContain(`up to date ${join(dir, "out", "zoo", "b.onnx")}`);
    expect(summary(again.stderr)).toBe("netc: 3 networks: 0 compiled, 3 up to date (2 libraries without a network)");
    expect(["a", "zoo/b", "zoo/small/c"].map((f) => statSync(join(dir, "out", `${f}.onnx`)).mtimeMs)).toEqual(mtimes);
  });

  it("a change to a shared library recompiles exactly the specs that import it, transitively", () => {
    const dir = project();
    expect(netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir }).code).toBe(0);
    writeFileSync(join(dir, "specs", "lib", "unit.net"), LIB.replace("relu", "relu6"));
    const r = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(compiled(r.stderr)).toEqual([`wrote ${join(dir, "out", "a.onnx")}`, `wrote ${join(dir, "out", "zoo", "b.onnx")}`]);
    expect(summary(r.stderr)).toBe("netc: 3 networks: 2 compiled, 1 up to date (2 libraries without a network)");
    // pair.net only: b.net alone.
    writeFileSync(join(dir, "specs", "lib", "pair.net"), 'import "unit.net"\n\nblock Pair(c) {\n  Unit(c)\n}\n');
    const r2 = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(compiled(r2.stderr)).toEqual([`wrote ${join(dir, "out", "zoo", "b.onnx")}`]);
  });

  it("options, a changed or deleted output, and a glob: what is out of date is compiled", () => {
    const dir = project();
    expect(netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir }).code).toBe(0);
    // Other options: everything again.
    const opset = netc(["compile", "specs", "--target", "onnx", "--out", "out", "--set", "classes=5"], { cwd: dir });
    expect(summary(opset.stderr)).toBe("netc: 3 networks: 3 compiled, 0 up to date (2 libraries without a network)");
    // An output edited (same size, so its hash decides) or removed by hand.
    const a = join(dir, "out", "a.onnx");
    const bytes = readFileSync(a);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(a, bytes);
    rmSync(join(dir, "out", "zoo", "small", "c.onnx"));
    const edited = netc(["compile", "specs", "--target", "onnx", "--out", "out", "--set", "classes=5"], { cwd: dir });
    expect(compiled(edited.stderr)).toEqual([`wrote ${a}`, `wrote ${join(dir, "out", "zoo", "small", "c.onnx")}`]);
    // Touched but unchanged: still up to date (the hash decides, not the time).
    utimesSync(a, new Date(), new Date(Date.now() + 5000));
    const touched = netc(["compile", "specs", "--target", "onnx", "--out", "out", "--set", "classes=5"], { cwd: dir });
    expect(compiled(touched.stderr)).toEqual([]);
    // A glob mirrors below its fixed folders.
    const g = netc(["compile", "specs/zoo/**/*.net", "--target", "onnx", "--out", "out2"], { cwd: dir });
    expect(g.code, g.stderr).toBe(0);
    expect(existsSync(join(dir, "out2", "b.onnx"))).toBe(true);
    expect(existsSync(join(dir, "out2", "small", "c.onnx"))).toBe(true);
    // The same specs from another folder argument land elsewhere: compiled there, not taken as up to date.
    const moved = netc(["compile", "specs/zoo", "--target", "onnx", "--out", "out2"], { cwd: dir });
    expect(summary(moved.stderr)).toBe("netc: 2 networks: 0 compiled, 2 up to date");
    const other = netc(["compile", "specs", "--target", "onnx", "--out", "out2"], { cwd: dir });
    expect(compiled(other.stderr)).toEqual([`wrote ${join(dir, "out2", "a.onnx")}`, `wrote ${join(dir, "out2", "zoo", "b.onnx")}`, `wrote ${join(dir, "out2", "zoo", "small", "c.onnx")}`]);
  });

  it("a corrupted manifest means compiling everything, with a warning; the new one is whole", () => {
    const dir = project();
    expect(netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir }).code).toBe(0);
    const path = join(dir, "out", ".netc-manifest.json");
    writeFileSync(path, readFileSync(path, "utf8").slice(0, 100));
    const r = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`netc: warning: ${path} is not a build manifest netc can read; compiling every spec again`);
    expect(summary(r.stderr)).toBe("netc: 3 networks: 3 compiled, 0 up to date (2 libraries without a network)");
    expect(() => JSON.parse(readFileSync(path, "utf8"))).not.toThrow();
    const after = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(after.stderr).not.toContain("warning");
    expect(compiled(after.stderr)).toEqual([]);
  });

  it("a spec with errors fails (exit 1) without stopping the others, and is compiled again next time", () => {
    const dir = project();
    writeFileSync(join(dir, "specs", "zoo", "bad.net"), net("Bad", "  conv 3x3 4 pad=1\n  nope\n"));
    const r = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("NET2001");
    expect(summary(r.stderr)).toBe("netc: 4 networks: 3 compiled, 0 up to date, 1 failed (2 libraries without a network)");
    const again = netc(["compile", "specs", "--target", "onnx", "--out", "out"], { cwd: dir });
    expect(again.code).toBe(1);
    // One JSON document for the run, however many specs.
    const json = netc(["compile", "specs", "--target", "onnx", "--out", "out", "--format", "json"], { cwd: dir });
    expect(json.code).toBe(1);
    const doc = json.stderr.slice(json.stderr.indexOf("{"), json.stderr.lastIndexOf("}") + 1);
    expect(JSON.stringify(JSON.parse(doc))).toContain("NET2001");
    expect(summary(again.stderr)).toBe("netc: 4 networks: 0 compiled, 3 up to date, 1 failed (2 libraries without a network)");
  });

  it("tfjs --js: a folder per spec with its package.json; usage errors", () => {
    const dir = project();
    const r = netc(["compile", "specs", "--target", "tfjs", "--js", "--out", "gen"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    for (const f of ["a/model.js", "a/train.js", "a/package.json", "zoo/small/c/train.js"]) expect(existsSync(join(dir, "gen", f)), f).toBe(true);
    expect(netc(["compile", "specs", "--target", "tfjs", "--js", "--out", "gen"], { cwd: dir }).stderr).toContain("0 compiled, 3 up to date");
    const noOut = netc(["compile", "specs", "--target", "onnx", "-o", "x.onnx"], { cwd: dir });
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain("compiling several specs needs --out DIR (and no -o)");
    mkdirSync(join(dir, "other"));
    writeFileSync(join(dir, "other", "a.net"), net("A2", "  conv 3x3 4 pad=1\n"));
    const clash = netc(["compile", "specs/a.net", "other/a.net", "--target", "onnx", "--out", "o"], { cwd: dir });
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/'specs\/a.net' and 'other\/a.net' would both compile to/);
  });

  it("--js into a folder whose package.json is not an ES-module one: left alone, with warning NET5070", () => {
    const dir = project();
    mkdirSync(join(dir, "gen"));
    const mine = '{ "name": "mine", "type": "commonjs" }\n';
    writeFileSync(join(dir, "gen", "package.json"), mine);
    const r = netc(["compile", "specs/a.net", "--target", "tfjs", "--js", "--out", "gen"], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("warning NET5070");
    expect(r.stderr).toContain(`'${join(dir, "gen", "package.json")}' is already there and netc leaves it as it is, but it lacks "type": "module"`);
    expect(readFileSync(join(dir, "gen", "package.json"), "utf8")).toBe(mine);
    expect(existsSync(join(dir, "gen", "train.js"))).toBe(true);
    // One that says "module" already is fine as it is.
    const module = '{ "name": "mine", "type": "module" }\n';
    writeFileSync(join(dir, "gen", "package.json"), module);
    const ok = netc(["compile", "specs/a.net", "--target", "tfjs", "--js", "--out", "gen"], { cwd: dir });
    expect(ok.stderr).not.toContain("NET5070");
    expect(readFileSync(join(dir, "gen", "package.json"), "utf8")).toBe(module);
  });

  it("globBase: the folders before the first pattern", () => {
    expect(globBase("specs/**/*.net")).toBe("specs");
    expect(globBase("specs/zoo/*.net")).toBe("specs/zoo");
    expect(globBase("*.net")).toBe(".");
    expect(globBase("specs/{a,b}/x.net")).toBe("specs");
  });
});
