// The workspace's disk reads: imports cached by path, mtime and size; FIFOs,
// directories and files over the cap refused without reading; documents too
// long to check live get NET5005 instead of a check.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_FILE_BYTES } from "../../src/util/read-file.js";
import { Workspace } from "../../src/lsp/workspace.js";

const LIB = "block B(c) {\n  conv 3x3 c\n}\n";
const MAIN = (imp: string) => `import "${imp}"\n\nnetwork N {\n  input 3x32x32\n  B(16) -> 16x30x30\n}\n`;

describe("Workspace disk reads", () => {
  let dir: string;
  const reads: string[] = [];
  const read = (p: string) => {
    reads.push(p);
    return readFileSync(p, "utf8");
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netc-ws-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an unchanged import once, and again after its mtime and size change", () => {
    const lib = join(dir, "lib.net");
    const main = join(dir, "main.net");
    writeFileSync(lib, LIB);
    const ws = new Workspace({ read });
    ws.open(main, "file://" + main, MAIN("lib.net"), 1);
    expect(ws.check(main)!.result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    for (let v = 2; v <= 5; v++) {
      ws.change(main, [{ text: MAIN("lib.net") + "\n".repeat(v) }], v);
      ws.check(main);
    }
    expect(reads.filter((p) => p === lib)).toHaveLength(1);
    expect(ws.stats.cacheHits).toBe(4);

    writeFileSync(lib, "block B(c) {\n  conv 3x3 c\n  conv 1x1 8\n}\n");
    utimesSync(lib, new Date(), new Date(statSync(lib).mtimeMs + 5000));
    ws.change(main, [{ text: MAIN("lib.net") }], 6);
    const codes = ws.check(main)!.result.diagnostics.map((d) => d.code);
    expect(codes).toContain("NET3008");
    expect(reads.filter((p) => p === lib)).toHaveLength(2);
  });

  it("refuses a FIFO and a directory at once, without reading them", () => {
    const fifo = join(dir, "pipe.net");
    execFileSync("mkfifo", [fifo]);
    mkdirSync(join(dir, "sub.net"));
    const main = join(dir, "fifo-main.net");
    const ws = new Workspace({ read });
    for (const [v, imp] of [[1, "pipe.net"], [2, "sub.net"]] as const) {
      if (v === 1) ws.open(main, "file://" + main, MAIN(imp), v);
      else ws.change(main, [{ text: MAIN(imp) }], v);
      const d = ws.check(main)!.result.diagnostics.find((x) => x.code === "NET2007");
      expect(d?.message).toContain(imp);
    }
    expect(reads.filter((p) => p.includes("pipe") || p.includes("sub.net"))).toEqual([]);
    expect(ws.stats.refusedReads).toBe(2);
  });

  it("refuses a file over the cap from its size alone", () => {
    const big = join(dir, "big.net");
    writeFileSync(big, LIB);
    const main = join(dir, "big-main.net");
    const ws = new Workspace({
      read,
      stat: (p) => {
        const st = statSync(p);
        return p === big ? { isFile: () => true, mtimeMs: st.mtimeMs, size: MAX_FILE_BYTES + 1 } : st;
      },
    });
    ws.open(main, "file://" + main, MAIN("big.net"), 1);
    expect(ws.check(main)!.result.diagnostics.map((d) => d.code)).toContain("NET2007");
    expect(reads).not.toContain(big);
  });

  it("answers a document over the live-check limit with one NET5005 and no check", () => {
    const ws = new Workspace({ read, liveCheckChars: 1000 });
    const path = join(dir, "long.net");
    ws.open(path, "file://" + path, `network N {\n  input 3x32x32\n${"  conv 3x3 8\n".repeat(100)}}\n`, 1);
    const e = ws.check(path)!;
    expect(e.result.diagnostics.map((d) => d.code)).toEqual(["NET5005"]);
    expect(e.result.diagnostics[0]!.message).toMatch(/stops at 1000 characters, but this document has 1\d\d\d/);
    expect(ws.stats.checks).toBe(0);
    expect(ws.tooLarge(path)).toBe(true);
  });

  it("lets requests use a slow document's last check instead of re-checking it", () => {
    const ws = new Workspace({ read });
    const slow = join(dir, "slow.net");
    const fast = join(dir, "fast.net");
    const text = "network N {\n  input 3x32x32\n  conv 3x3 8\n}\n";
    ws.open(slow, "file://" + slow, text, 1);
    ws.open(fast, "file://" + fast, text, 1);
    ws.allEntries();
    ws.entries.get(slow)!.cost = 10_000; // as if its check had taken 10 s
    ws.change(slow, [{ text: text + "\n" }], 2);
    ws.change(fast, [{ text: text + "\n" }], 2);
    const checks = ws.stats.checks;
    const entries = ws.allEntries();
    expect(ws.stats.checks).toBe(checks + 1); // the fast one only
    expect(entries.map((e) => e.version)).toEqual([1, 2]);
    expect(ws.check(slow)!.version).toBe(2); // asked for itself, it is checked
  });
});
