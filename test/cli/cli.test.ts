// The command line as a user and a build pipeline see it: exit codes, output
// formats, colours, atomic writes. Runs the built CLI (`npm test` builds first).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(new URL(".", import.meta.url).pathname, "../..");
function netc(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(root, "bin/netc.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tmp = () => mkdtempSync(join(tmpdir(), "netc-cli-"));

describe("netc check", () => {
  it("exits 0 on a clean spec and prints nothing", () => {
    const r = netc(["check", "specs/googlenet.net"]);
    expect(r).toMatchObject({ code: 0, stdout: "" });
  });
  it("reports the beginner's two mistakes with locations, code frames and exit 1", () => {
    const r = netc(["check", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    const heads = r.stdout.split("\n").filter((l) => /^specs\//.test(l));
    expect(heads).toEqual([
      expect.stringMatching(/^specs\/broken\/beginner-googlenet\.net:31:16: error NET3001: inception2 \(Inception\) expects 192 input channels but 256 arrive \(256x56x56\)/),
      expect.stringMatching(/^specs\/broken\/beginner-googlenet\.net:34:22: error NET3002: fc expects 1024 input features but 480 arrive/),
    ]);
    expect(r.stdout).toContain("  31 |   inception2 = Inception(192, 128, 128, 192, 32, 96, 64)");
    expect(r.stdout).toMatch(/\n\s+\|\s+\^+/);
    expect(r.stdout).not.toContain("\u001b[");
    expect(r.stderr).toContain("2 error(s)");
  });
  it("colours only when asked on a non-TTY, and honours NO_COLOR", () => {
    expect(netc(["check", "specs/broken/beginner-googlenet.net"], { FORCE_COLOR: "1" }).stdout).toContain("\u001b[");
    expect(netc(["check", "specs/broken/beginner-googlenet.net"], { FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain("\u001b[");
  });
  it("prints one JSON object for all files with 1-based positions and the counts", () => {
    const r = netc(["check", "--format", "json", "specs/googlenet.net", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { errors: number; warnings: number; total: number; shown: number; diagnostics: Record<string, unknown>[] };
    expect(out).toMatchObject({ errors: 2, warnings: 0, total: 2, shown: 2 });
    const list = out.diagnostics;
    expect(list.map((d) => [d.file, d.line, d.column, d.code, d.severity])).toEqual([
      ["specs/broken/beginner-googlenet.net", 31, 16, "NET3001", "error"],
      ["specs/broken/beginner-googlenet.net", 34, 22, "NET3002", "error"],
    ]);
    for (const d of list) for (const k of ["file", "line", "column", "endLine", "endColumn", "severity", "code", "message"]) expect(d).toHaveProperty(k);
  });
  it("exits 2 for usage and I/O errors, without a stack trace", () => {
    const missing = netc(["check", "no/such/file.net"]);
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).not.toMatch(/\n\s+at /);
    expect(netc(["check"]).code).toBe(2);
    expect(netc(["frobnicate"]).code).toBe(2);
    expect(netc(["check", "--format", "xml", "specs/googlenet.net"]).code).toBe(2);
  });
  it("fails cleanly where the output cannot be written (Node's recursive mkdir would spin on /proc)", () => {
    const r = spawnSync(process.execPath, [join(root, "bin/netc.js"), "compile", "specs/googlenet.net", "--target", "onnx", "-o", "/proc/netc-nope/x.onnx"], { cwd: root, encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("netc: cannot create directory /proc/netc-nope: no such file or directory (ENOENT)\n");
  });
  it("never shows a stack trace for garbage input", () => {
    const dir = tmp();
    const f = join(dir, "garbage.net");
    // A NUL would stop it before the parser (test/cli/hostile-files.test.ts); \u0001 reaches it.
    writeFileSync(f, "network \u0001{{{{ ))) 1e999 " + "seq {".repeat(5000));
    const r = netc(["check", f]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at |Error:/);
  });
});

describe("netc summary", () => {
  it("prints the Table 1 style table with totals", () => {
    const r = netc(["summary", "specs/googlenet.net"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/inception3a\s+Inception\s+256x28x28\s+163\.7K\s+128\.0M/);
    expect(r.stdout).toMatch(/total \(inference\)\s+1000\s+6,998,552/);
  });
  it("prints JSON with inference and aux totals and a row per named statement and layer", () => {
    const r = netc(["summary", "--json", "specs/googlenet-torchvision.net"]);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ network: "GoogLeNetTorchvision", input: [3, 224, 224], params: 6624904, paramsWithAux: 13004888 });
    const names = j.layers.map((l: { name: string }) => l.name);
    expect(names).toContain("inception3a");
    expect(names).toContain("inception3a/b2/conv1");
    expect(j.layers.find((l: { name: string }) => l.name === "inception3a")).toMatchObject({ op: "Inception", shape: [256, 28, 28] });
  });
  it("exits 1 with diagnostics on stderr for a broken spec", () => {
    const r = netc(["summary", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("NET3001");
  });
});

describe("netc fmt", () => {
  it("formats in place, is idempotent, and --check reports unformatted files", () => {
    const dir = tmp();
    const f = join(dir, "messy.net");
    writeFileSync(f, "network   N{\ninput 3x8x8\n   conv 3x3   4 pad = 1   // keep me\n}\n");
    expect(netc(["fmt", "--check", f]).code).toBe(1);
    expect(netc(["fmt", f]).code).toBe(0);
    const once = readFileSync(f, "utf8");
    expect(once).toContain("// keep me");
    expect(netc(["fmt", "--check", f]).code).toBe(0);
    expect(netc(["fmt", f]).code).toBe(0);
    expect(readFileSync(f, "utf8")).toBe(once);
  });
  it("leaves every shipped spec formatted", () => {
    const specs = (readdirSync(join(root, "specs"), { recursive: true }) as string[]).filter((f) => f.endsWith(".net")).map((f) => `specs/${f}`);
    expect(specs.length).toBeGreaterThan(10);
    const r = netc(["fmt", "--check", ...specs]);
    expect(r.stdout).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("netc compile", () => {
  it("writes nothing when the spec does not check", () => {
    const dir = tmp();
    const r = netc(["compile", "specs/broken/beginner-googlenet.net", "--target", "onnx", "--out", dir]);
    expect(r.code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
  it("is deterministic: same spec and seed give byte-identical files", () => {
    const a = tmp();
    const b = tmp();
    expect(netc(["compile", "specs/googlenet.net", "--target", "onnx", "--out", a, "--seed", "3"]).code).toBe(0);
    expect(netc(["compile", "specs/googlenet.net", "--target", "onnx", "-o", join(b, "g.onnx"), "--seed", "3"]).code).toBe(0);
    expect(readFileSync(join(a, "googlenet.onnx")).equals(readFileSync(join(b, "g.onnx")))).toBe(true);
    expect(existsSync(join(a, ".googlenet.onnx.tmp"))).toBe(false);
  });
});
