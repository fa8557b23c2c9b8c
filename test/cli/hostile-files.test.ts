// Files netc is handed but did not expect: FIFOs, devices, directories, huge or
// binary files, text that is not a spec, very deep import chains. Each must be
// answered at once with one clear diagnostic. Every run is a child process with
// a timeout, so a regression (a read that blocks) fails instead of hanging.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(new URL(".", import.meta.url).pathname, "../..");
function netc(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [join(root, "bin/netc.js"), ...args], { cwd, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" } });
  expect(r.signal, `netc ${args.join(" ")} did not finish (blocked on a read?)`).toBeNull();
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}
/** The first line of each printed diagnostic. */
const heads = (out: string) => out.split("\n").filter((l) => /: (error|warning) NET\d{4}: /.test(l));

const spec = "network N {\n  input 3x8x8\n  x = conv 3x3 8\n}\n";
const secret = "root:$6$not-a-real-hash:19000:0:99999:7:::";
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "netc-hostile-"));
  const mk = spawnSync("mkfifo", [join(dir, "pipe.net")]);
  if (mk.status !== 0) throw new Error(`mkfifo failed: ${mk.stderr}`);
  symlinkSync(join(dir, "pipe.net"), join(dir, "to-pipe.net"));
  mkdirSync(join(dir, "folder.net"));
  // Sparse: cheap to create, and only a reader that checks the size first is fast on them.
  for (const [name, size] of [["big.net", 9 * 1024 * 1024], ["huge.net", 4 * 1024 ** 3]] as const) {
    closeSync(openSync(join(dir, name), "w"));
    truncateSync(join(dir, name), size);
  }
  writeFileSync(join(dir, "model.onnx"), Buffer.from([0x08, 0x07, 0x12, 0x04, 0x6e, 0x65, 0x74, 0x63, 0x00, 0x00, 0x3a, 0x8f, 0xff, ...Array(5000).fill(0x08)]));
  writeFileSync(join(dir, "latin1.net"), Buffer.concat([Buffer.from("network N {\n  // caf"), Buffer.from([0xe9]), Buffer.from("\n}\n")]));
  writeFileSync(join(dir, "README.md"), `# netc\n\nA compiler: import a network, check it, block by block.\n\n${"- item `x` with (parens) and {braces}\n".repeat(400)}`);
  writeFileSync(join(dir, "shadow"), `${secret}\ndaemon:*:19000:0:99999:7:::\n`);
  writeFileSync(join(dir, "ok.net"), spec);
});

describe("entry files", () => {
  it("FIFOs, directories, huge, missing, binary and non-spec files: one diagnostic each, at once", () => {
    const r = netc(["check", "pipe.net", "to-pipe.net", "folder.net", "big.net", "huge.net", "missing.net", "model.onnx", "latin1.net", "README.md"], dir);
    // Exit 2: some could not be read at all.
    expect(r.code).toBe(2);
    const cannot = (f: string) => `${f}: error NET2016: Cannot read '${join(dir, f)}': `;
    // No invented 1:1 for files that were never read; the file name and the reason only.
    expect(heads(r.stdout)).toEqual([
      `${cannot("pipe.net")}it is a FIFO (named pipe), not a regular file.`,
      `${cannot("to-pipe.net")}it is a FIFO (named pipe), not a regular file.`,
      `${cannot("big.net")}it is 9437184 bytes, more than the 8 MiB (8388608 bytes) a spec may have.`,
      `${cannot("huge.net")}it is 4294967296 bytes, more than the 8 MiB (8388608 bytes) a spec may have.`,
      `${cannot("missing.net")}no such file.`,
      "model.onnx: error NET1015: This file is not a netc spec: it is binary, not text (byte 8 is a NUL byte).",
      "latin1.net: error NET1015: This file is not a netc spec: it is not UTF-8 text (byte 20 is not valid UTF-8).",
      "README.md:1:1: error NET1016: This file is not a netc spec: it starts with '#', where a spec starts with 'import', 'block' or 'network' (nothing else in it was checked).",
    ]);
    // A folder is searched for specs (this one holds none), whatever its name.
    expect(r.stderr).toContain("netc check: no .net files in 'folder.net'");
    expect(r.all).not.toMatch(/\n\s+at /);
  });
  it("a text file that is not a spec is an error in it (exit 1), not an I/O error", () => {
    expect(netc(["check", "README.md"], dir).code).toBe(1);
  });
  it("summary and fmt refuse a FIFO at once too", () => {
    expect(netc(["summary", "pipe.net"], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining("named pipe") });
    expect(netc(["fmt", "pipe.net"], dir)).toMatchObject({ code: 2, stderr: expect.stringContaining("named pipe") });
  });
});

describe("imports", () => {
  const targets: [string, string, RegExp][] = [
    ["pipe.net", "NET2007", /a FIFO \(named pipe\), not a regular file/],
    ["to-pipe.net", "NET2007", /a FIFO \(named pipe\), not a regular file/],
    ["folder.net", "NET2007", /it is a directory/],
    ["big.net", "NET2007", /it is 9437184 bytes/],
    ["huge.net", "NET2007", /it is 4294967296 bytes/],
    ["/dev/zero", "NET2007", /a character device, not a regular file/],
    ["/dev/stdin", "NET2007", /not a regular file/],
    ["missing.net", "NET2007", /no such file \(looked for .*missing\.net\)/],
    ["model.onnx", "NET2020", /is not a netc spec: it is binary, not text \(byte 8 is a NUL byte\)/],
    ["latin1.net", "NET2020", /is not a netc spec: it is not UTF-8 text/],
    ["README.md", "NET2020", /is not a netc spec: it does not start with 'import', 'block' or 'network'/],
    ["shadow", "NET2020", /is not a netc spec: it does not start with 'import', 'block' or 'network'/],
  ];
  it("each unusable import is one diagnostic on its import statement, and nothing blocks", () => {
    writeFileSync(join(dir, "imports.net"), `${targets.map(([t]) => `import "${t}"`).join("\n")}\n${spec}`);
    const r = netc(["check", "imports.net"], dir);
    expect(r.code).toBe(1);
    const got = heads(r.stdout);
    expect(got).toHaveLength(targets.length);
    targets.forEach(([t, code, reason], i) => {
      expect(got[i]).toMatch(new RegExp(`^imports\\.net:${i + 1}:8: error ${code}: `));
      expect(got[i]).toContain(`'${t}'`);
      expect(got[i]).toMatch(reason);
    });
    // An import of /etc/shadow must not print its lines.
    expect(r.all).not.toContain("root:");
    expect(r.all).not.toContain("daemon");
  });
  it("a 4,000-deep import chain stops at 64 levels with one diagnostic naming its start", () => {
    const chain = join(dir, "chain");
    mkdirSync(chain);
    const n = 4000;
    for (let i = 0; i < n; i++) writeFileSync(join(chain, `f${i}.net`), `${i + 1 < n ? `import "f${i + 1}.net"\n` : ""}block B${i}() {\n  x = conv 1x1 4\n}\n`);
    writeFileSync(join(chain, "main.net"), `import "f0.net"\n${spec}`);
    const r = netc(["check", "main.net"], chain);
    expect(r.code).toBe(1);
    expect(heads(r.stdout)).toEqual([
      "main.net:1:8: error NET2021: Imports nest deeper than 64 levels: main.net -> f0.net -> f1.net -> ... -> f63.net -> f64.net (66 files). Import what a file needs directly instead of through a longer chain.",
    ]);
    expect(r.stdout).toContain("f63.net:1:8: note: import number 65 in the chain");
    expect(r.all).not.toContain("NET9001");
  });
});

describe("--max-errors", () => {
  // Parsed (it starts with 'network'), so every line is an error of its own.
  const many = `network N {\n  input 3x8x8\n${"  x = frob 1\n".repeat(120)}}\n`;
  it("stops after 50 errors by default and says how many more there are", () => {
    writeFileSync(join(dir, "many.net"), many);
    const r = netc(["check", "many.net"], dir);
    expect(r.code).toBe(1);
    const errors = heads(r.stdout).filter((l) => l.includes(": error "));
    expect(errors).toHaveLength(50);
    expect(r.stdout).toMatch(/\n\.\.\. and \d+ more errors( and \d+ more warnings?)? \(--max-errors 0 shows all\)\n$/);
  });
  it("0 means no limit", () => {
    const all = netc(["check", "--max-errors", "0", "many.net"], dir);
    expect(all.stdout).not.toContain("... and");
    expect(heads(all.stdout).length).toBeGreaterThan(100);
  });
  it("JSON keeps the total count when it cuts", () => {
    const r = netc(["check", "--format", "json", "--max-errors", "2", "many.net"], dir);
    const out = JSON.parse(r.stdout) as { errors: number; total: number; shown: number; diagnostics: unknown[] };
    expect(out.shown).toBe(2);
    expect(out.diagnostics).toHaveLength(2);
    expect(out.errors).toBeGreaterThan(100);
    expect(out.total).toBeGreaterThanOrEqual(out.errors);
  });
  it("applies to the commands that check before they run", () => {
    const r = netc(["summary", "--max-errors", "1", "many.net"], dir);
    expect(r.code).toBe(1);
    expect(heads(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain("... and ");
  });
});
