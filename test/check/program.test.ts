// Loading a program: what the file reader accepts, how imports are followed
// (iteratively, to a bounded depth), and how many syntax errors a file keeps.
// FIFOs and devices are tested through the CLI (test/cli/hostile-files.test.ts),
// in a child process that a hang cannot take down.
import fc from "fast-check";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { loadProgram, MAX_IMPORT_DEPTH, MAX_PROGRAM_CHARS, MAX_PROGRAM_FILES, MAX_SYNTAX_DIAGNOSTICS_PER_FILE, notSpecAt, type FileHost } from "../../src/check/program.js";
import { firstInvalidUtf8, MAX_FILE_BYTES, readSpecFile } from "../../src/util/read-file.js";
import { MAX_FILE_BYTES as PARSE_LIMIT } from "../../src/syntax/parse.js";

const spec = "network N {\n  input 3x8x8\n  x = conv 3x3 8\n}\n";
const memory = (files: Record<string, string>): FileHost => ({ readFile: (p) => files[p] });
const codes = (r: { diagnostics: { code: string }[] }) => r.diagnostics.map((d) => d.code);

describe("readSpecFile", () => {
  test("reads a regular file exactly (a BOM and CRLF kept) and refuses what is not one", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-read-"));
    writeFileSync(join(dir, "a.net"), "\ufeffnetwork N {\r\n}\r\n");
    expect(readSpecFile(join(dir, "a.net"))).toBe("\ufeffnetwork N {\r\n}\r\n");
    mkdirSync(join(dir, "d"));
    expect(readSpecFile(join(dir, "d"))).toMatchObject({ problem: "directory" });
    expect(readSpecFile(join(dir, "none"))).toMatchObject({ problem: "missing", reason: "no such file" });
    expect(readSpecFile(join(dir, "a.net", "x"))).toMatchObject({ problem: "missing" });
    expect(readSpecFile(join(dir, "nul\u0000.net"))).toMatchObject({ problem: "missing" });
    writeFileSync(join(dir, "exact.net"), Buffer.alloc(MAX_FILE_BYTES, 0x20));
    expect(typeof readSpecFile(join(dir, "exact.net"))).toBe("string");
    writeFileSync(join(dir, "over.net"), Buffer.alloc(MAX_FILE_BYTES + 1, 0x20));
    expect(readSpecFile(join(dir, "over.net"))).toMatchObject({ problem: "too-large" });
  });
  test("one size limit for the reader and the parser", () => {
    expect(PARSE_LIMIT).toBe(MAX_FILE_BYTES);
  });
  test("firstInvalidUtf8 agrees with a fatal TextDecoder on random bytes", () => {
    const strict = new TextDecoder("utf-8", { fatal: true });
    const valid = (b: Uint8Array) => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    // Bytes biased towards UTF-8 lead and continuation bytes, so both outcomes are common.
    const byte = fc.oneof(fc.integer({ min: 0x20, max: 0x7f }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }));
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 12 }), (bytes) => {
        const b = Uint8Array.from(bytes);
        const at = firstInvalidUtf8(b);
        expect(at === b.length).toBe(valid(b));
        expect(valid(b.subarray(0, at))).toBe(true);
      }),
      { numRuns: 3000, seed: 9 },
    );
  });
});

describe("notSpecAt", () => {
  test("a spec starts with import, block or network after blanks and comments", () => {
    for (const ok of ["", "\n\n", "// c\nnetwork N {}", "\ufeff/// doc\n  block B() {}", "import \"x\"", "network{"]) expect(notSpecAt(ok)).toBeUndefined();
    expect(notSpecAt("# title")).toBe(0);
    expect(notSpecAt("// c\n  networks")).toBe(7);
    expect(notSpecAt("root:x:0:0")).toBe(0);
    expect(notSpecAt("/* c */ network N {}")).toBe(0);
  });
  test("a document being edited is parsed whatever it starts with", () => {
    const r = checkText("x\nnetwork N {\n  input 3x8x8\n  y = conv 3x3 8\n}\n", "/m/edit.net", memory({}));
    expect(codes(r)).toEqual(["NET1006"]);
  });
});

describe("imports", () => {
  test(`a chain far deeper than ${MAX_IMPORT_DEPTH} levels: one NET2021 on the entry's import, no stack overflow`, () => {
    const files: Record<string, string> = { "/c/main.net": `import "f0.net"\n${spec}` };
    for (let i = 0; i < 5000; i++) files[`/c/f${i}.net`] = `import "f${i + 1}.net"\nblock B${i}() { conv 1x1 4 }\n`;
    const r = checkText(undefined, "/c/main.net", memory(files));
    expect(codes(r)).toEqual(["NET2021"]);
    expect(r.diagnostics[0]!.file).toBe("/c/main.net");
    expect(r.diagnostics[0]!.related[0]!.file).toBe(`/c/f${MAX_IMPORT_DEPTH - 1}.net`);
    expect(r.program.files.size).toBe(MAX_IMPORT_DEPTH + 1);
  });
  test("a chain of exactly the limit loads", () => {
    const files: Record<string, string> = { "/c/main.net": `import "f0.net"\n${spec}` };
    for (let i = 0; i < MAX_IMPORT_DEPTH; i++) files[`/c/f${i}.net`] = `${i + 1 < MAX_IMPORT_DEPTH ? `import "f${i + 1}.net"\n` : ""}block B${i}() { conv 1x1 4 }\n`;
    const r = checkText(undefined, "/c/main.net", memory(files));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.program.files.size).toBe(MAX_IMPORT_DEPTH + 1);
  });
  test("cycles, diamonds and files that cannot be read, as before", () => {
    const files: Record<string, string> = {
      "/d/main.net": `import "a.net"\nimport "b.net"\nimport "gone.net"\nimport "gone.net"\n${spec}`,
      "/d/a.net": `import "c.net"\nblock A() { conv 1x1 4 }\n`,
      "/d/b.net": `import "c.net"\nblock B() { conv 1x1 4 }\n`,
      "/d/c.net": `import "main.net"\nblock C() { conv 1x1 4 }\n`,
    };
    const p = loadProgram("/d/main.net", memory(files));
    expect([...p.files.keys()]).toEqual(["/d/main.net", "/d/a.net", "/d/c.net", "/d/b.net"]);
    expect(p.imports.get("/d/main.net")).toEqual(["/d/a.net", "/d/b.net", "/d/gone.net", "/d/gone.net"]);
    expect(p.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "NET2006 Import cycle: main.net -> a.net -> c.net -> main.net.",
      "NET2007 Cannot read import 'gone.net': no such file (looked for /d/gone.net).",
      "NET2007 Cannot read import 'gone.net': no such file (looked for /d/gone.net).",
    ]);
  });
  test("a host's reason (the editor's) reaches the diagnostic", () => {
    const host: FileHost = { readFile: (p) => (p === "/e/main.net" ? `import "pipe.net"\n${spec}` : { problem: "not-regular", reason: "it is a FIFO (named pipe), not a regular file" }) };
    const r = checkText(undefined, "/e/main.net", host);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["Cannot read import 'pipe.net': it is a FIFO (named pipe), not a regular file."]);
  });
  test("an import bigger than the limit given as text (an open editor document) is refused", () => {
    const r = checkText(`import "big.net"\n${spec}`, "/e/main.net", memory({ "/e/big.net": `block B() { conv 1x1 4 }\n${" ".repeat(MAX_FILE_BYTES)}` }));
    expect(codes(r)).toEqual(["NET2007"]);
  });
});

describe("bounded work per program", () => {
  test(`endless distinct paths (symlinked folders) stop at ${MAX_PROGRAM_FILES} files with one NET2022`, () => {
    // Every file imports a/x.net and b/x.net below itself: 2^depth files, all "different".
    const host: FileHost = { readFile: () => 'import "a/x.net"\nimport "b/x.net"\n' };
    const p = loadProgram("/l/x.net", host);
    expect(p.files.size).toBe(MAX_PROGRAM_FILES);
    // Depth first: the a/a/a/... branch meets the depth limit before the tree fills up.
    expect(codes(p)).toEqual(["NET2021", "NET2022"]);
  });
  test("imports stop before the program holds more than MAX_PROGRAM_CHARS characters", () => {
    const big = (i: number) => `block B${i}() { conv 1x1 4 }\n${" ".repeat(MAX_FILE_BYTES - 64)}`;
    const n = Math.ceil(MAX_PROGRAM_CHARS / MAX_FILE_BYTES) + 1;
    const files: Record<string, string> = { "/b/main.net": Array.from({ length: n }, (_, i) => `import "f${i}.net"`).join("\n") };
    for (let i = 0; i < n; i++) files[`/b/f${i}.net`] = big(i);
    const p = loadProgram("/b/main.net", memory(files));
    expect(codes(p)).toEqual(["NET2022"]);
    // Eight files of just under 8 MiB fit; the ninth does not.
    expect(p.diagnostics[0]!.message).toContain(`'f${n - 1}.net' is not loaded`);
  });
});

describe("bounded work per file", () => {
  test(`a file keeps ${MAX_SYNTAX_DIAGNOSTICS_PER_FILE} syntax errors and counts the rest`, () => {
    const text = `network N {\n  input 3x8x8\n${"  x = conv 1x1 8 )\n".repeat(300)}}\n`;
    const r = checkText(text, "/s/many.net", memory({}));
    const syntax = r.diagnostics.filter((d) => d.code.startsWith("NET1"));
    expect(syntax).toHaveLength(MAX_SYNTAX_DIAGNOSTICS_PER_FILE + 1);
    expect(syntax.at(-1)!.message).toBe("Too many syntax errors: 200 more in this file are not shown.");
  });
  test("a chain of 5,000 blocks ending in a cycle is found without recursion", () => {
    const n = 5000;
    const blocks = Array.from({ length: n }, (_, i) => `block B${i}() { B${(i + 1) % n}() }`).join("\n");
    const r = checkText(`${blocks}\nnetwork N {\n  input 3x8x8\n  B0()\n}\n`, "/s/blocks.net", memory({}));
    expect(codes(r)).not.toContain("NET9001");
    expect(codes(r).filter((c) => c === "NET2005")).toHaveLength(1);
  });
});
