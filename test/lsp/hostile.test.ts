// The real server over stdio under hostile traffic: malformed framing, a huge
// Content-Length, a burst of changes, a document too long to check live, an
// import changed on disk. Needs `npm run build` (bin/netc.js runs dist/).

import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, textOf, uriOf } from "./client.js";

const GOOGLENET = "specs/googlenet.net";
const HOVER = { textDocument: { uri: uriOf(GOOGLENET) }, position: { line: 40, character: 4 } };

interface Stats {
  checks: number;
  diskReads: number;
  cacheHits: number;
  publishes: number;
}

const frame = (message: unknown) => {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
};

describe("netc lsp under hostile traffic", () => {
  let c: Client;
  let dir: string;
  const raw = (bytes: string | Buffer) => new Promise<void>((r) => c.child.stdin!.write(bytes, () => r()));
  const hoverText = async () => (await c.request<{ contents: { value: string } } | null>("textDocument/hover", HOVER))?.contents.value ?? "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netc-lsp-hostile-"));
    c = new Client();
    await c.initialize();
    await c.open(GOOGLENET);
  });
  afterAll(async () => {
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers a hover after a header without Content-Length", async () => {
    await raw(`Content-Type: application/vscode-jsonrpc\r\n\r\n${JSON.stringify({ jsonrpc: "2.0", id: 9001, method: "shutdown" })}`);
    expect(await hoverText()).toContain("256x28x28");
    expect(c.stderr.join("")).toMatch(/no Content-Length header/);
  });

  it("answers after garbage bytes, a body that is not JSON and a body cut short", async () => {
    await raw(Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10]));
    await raw(`Content-Length: 10\r\n\r\n{not json}`);
    await raw(`Content-Length: 4000\r\n\r\n{"jsonrpc":"2.0","id":9002,"method":"te`);
    expect(await hoverText()).toContain("256x28x28");
    const log = c.stderr.join("");
    expect(log).toMatch(/is not JSON/);
    expect(log).toMatch(/cut short/);
    expect(c.alive()).toBe(true);
  });

  it("skips a 10 GB Content-Length without allocating it, then answers", async () => {
    await raw(`Content-Length: 10000000000\r\n\r\n${"x".repeat(100_000)}`);
    expect(await hoverText()).toContain("256x28x28");
    expect(c.stderr.join("")).toMatch(/10000000000 bytes \(more than \d+\) is skipped/);
    expect(c.alive()).toBe(true);
  });

  it("checks a burst of 500 changes far fewer than 500 times, ending on the last version", async () => {
    const rel = "specs/_burst_test.net";
    const uri = uriOf(rel);
    const text = textOf(GOOGLENET);
    await c.open(rel, text);
    const before = await c.request<Stats>("netc/stats", {});
    // Type 499 characters into the first comment, then break a layer on the last version.
    let burst = "";
    for (let v = 2; v <= 500; v++) {
      const at = { line: 0, character: 2 };
      burst += frame({ jsonrpc: "2.0", method: "textDocument/didChange", params: { textDocument: { uri, version: v }, contentChanges: [{ range: { start: at, end: at }, text: "x" }] } });
    }
    const broken = text.replace("inception3a = Inception(64, 96, 128, 16, 32, 32)", "inception3a = Inception(64, 96, 128, 16, 32)");
    expect(broken).not.toBe(text);
    burst += frame({ jsonrpc: "2.0", method: "textDocument/didChange", params: { textDocument: { uri, version: 501 }, contentChanges: [{ text: broken }] } });
    const last = c.diagnostics(uri, 501);
    await raw(burst);
    const diags = await last;
    expect(diags.some((d) => d.severity === 1)).toBe(true);
    const after = await c.request<Stats>("netc/stats", {});
    expect(after.checks - before.checks).toBeLessThan(50);
    await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  });

  it("stays responsive with a document too long to check live", async () => {
    const rel = "specs/_huge_test.net";
    const uri = uriOf(rel);
    const layer = "  conv 3x3 64\n";
    const huge = `network Huge {\n  input 3x32x32\n${layer.repeat(Math.ceil((1.2 * 1024 * 1024) / layer.length))}}\n`;
    const before = await c.request<Stats>("netc/stats", {});
    const diags = await c.open(rel, huge);
    expect(diags.map((d) => d.code)).toEqual(["NET5005"]);
    expect(diags[0]!.message).toMatch(/stops at 1048576 characters, but this document has \d+/);
    // Edits to it and requests on it cost no check; other documents are answered.
    const v = await c.change(rel, { range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: "  relu\n" });
    const [hover, own, again] = await Promise.all([
      hoverText(),
      c.request("textDocument/hover", { textDocument: { uri }, position: { line: 3, character: 3 } }),
      c.diagnostics(uri, v),
    ]);
    expect(hover).toContain("256x28x28");
    expect(own).toBeNull();
    expect(again.map((d) => d.code)).toEqual(["NET5005"]);
    const after = await c.request<Stats>("netc/stats", {});
    expect(after.checks - before.checks).toBeLessThanOrEqual(1); // googlenet's hover may re-check it; the huge one never
    await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  });

  it("re-reads an import only when its mtime or size changes", async () => {
    const lib = join(dir, "lib.net");
    const main = join(dir, "main.net");
    writeFileSync(lib, "block B(c) {\n  conv 3x3 c\n}\n");
    const mainText = 'import "lib.net"\n\nnetwork N {\n  input 3x32x32\n  B(16) -> 16x30x30\n}\n';
    writeFileSync(main, mainText);
    const uri = pathToFileURL(main).href;
    const first = c.diagnostics(uri, 1);
    await c.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "net", version: 1, text: mainText } });
    expect((await first).filter((d) => d.severity === 1)).toEqual([]);
    const s0 = await c.request<Stats>("netc/stats", {});

    // Keystrokes in the importer: the unchanged import is not read again.
    for (let v = 2; v <= 4; v++) {
      const got = c.diagnostics(uri, v);
      await c.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: v }, contentChanges: [{ text: mainText + "\n".repeat(v) }] });
      await got;
    }
    const s1 = await c.request<Stats>("netc/stats", {});
    expect(s1.diskReads).toBe(s0.diskReads);
    expect(s1.cacheHits).toBeGreaterThan(s0.cacheHits);

    // The import changes on disk (content and mtime): the next check reads it and the diagnostics follow.
    writeFileSync(lib, "block B(c) {\n  conv 3x3 c\n  conv 1x1 8\n}\n");
    utimesSync(lib, new Date(), new Date(Date.now() + 5000));
    const changed = c.diagnostics(uri, 5);
    await c.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version: 5 }, contentChanges: [{ text: mainText }] });
    const diags = await changed;
    expect(diags.some((d) => d.severity === 1)).toBe(true);
    const s2 = await c.request<Stats>("netc/stats", {});
    expect(s2.diskReads).toBe(s1.diskReads + 1);
    await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  });

  it("still answers shutdown", async () => {
    await expect(c.request("shutdown", null)).resolves.toBeNull();
  });
});
