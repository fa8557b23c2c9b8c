// Half-typed specs: replay every prefix of googlenet.net, one character at a
// time, and ask something of the server at each one. Every request must be
// answered (a result, not an error) and the server must stay up.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { Client, root, textOf, uriOf } from "./client.js";

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? specFiles(join(dir, e.name)) : e.name.endsWith(".net") ? [join(dir, e.name)] : [],
  );
}

const SCRATCH = "specs/_lsp_prefix_test.net"; // never written to disk: an open document next to lib/
const methods = ["textDocument/hover", "textDocument/documentSymbol", "textDocument/completion", "textDocument/inlayHint", "textDocument/definition"];

describe("netc lsp while typing", () => {
  let c: Client;
  beforeAll(async () => {
    c = new Client();
    await c.initialize();
  });
  afterAll(async () => {
    await c.close();
  });

  it("answers hover, definition, references and completion everywhere in every spec", async () => {
    const files = specFiles(join(root, "specs"));
    for (const path of files) {
      const rel = relative(root, path);
      const text = textOf(rel);
      await c.open(rel, text);
      const uri = uriOf(rel);
      const pending: Promise<unknown>[] = [];
      text.split("\n").forEach((line, i) => {
        for (let ch = 0; ch <= line.length; ch += 3) {
          const position = { line: i, character: ch };
          pending.push(c.request("textDocument/hover", { textDocument: { uri }, position }));
          if (ch % 9 === 0) pending.push(c.request("textDocument/definition", { textDocument: { uri }, position }));
          if (ch % 9 === 3) pending.push(c.request("textDocument/references", { textDocument: { uri }, position, context: { includeDeclaration: true } }));
          if (ch % 9 === 6) pending.push(c.request("textDocument/completion", { textDocument: { uri }, position }));
        }
      });
      pending.push(c.request("textDocument/documentSymbol", { textDocument: { uri } }));
      pending.push(c.request("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }));
      await Promise.all(pending);
      await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
    }
    expect(c.alive()).toBe(true);
    expect(c.stderr.join("")).not.toMatch(/failed|uncaught/);
  }, 120_000);

  it("answers a request at every prefix of googlenet.net", async () => {
    const text = textOf("specs/googlenet.net");
    const uri = uriOf(SCRATCH);
    await c.open(SCRATCH, "");
    let line = 0;
    let character = 0;
    let pending: Promise<unknown>[] = [];
    let answered = 0;
    for (let i = 0; i < text.length; i++) {
      // Insert one character at the end (an incremental edit, as an editor sends it).
      const pos = { line, character };
      await c.change(SCRATCH, { range: { start: pos, end: pos }, text: text[i]! });
      if (text[i] === "\n") (line++, (character = 0));
      else character++;
      const method = methods[i % methods.length]!;
      const position = { line, character };
      const params =
        method === "textDocument/documentSymbol" ? { textDocument: { uri } }
        : method === "textDocument/inlayHint" ? { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: position } }
        : { textDocument: { uri }, position };
      pending.push(c.request(method, params).then(() => answered++));
      // Batches keep the pipe busy without queueing thousands of requests.
      if (pending.length === 50) {
        await Promise.all(pending);
        pending = [];
        expect(c.alive()).toBe(true);
      }
    }
    await Promise.all(pending);
    expect(answered).toBe(text.length);
    // The fully typed spec checks cleanly and hover works on it.
    const hover = await c.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri }, position: { line: 40, character: 4 } });
    expect(hover.contents.value).toContain("256x28x28");
    expect(c.alive()).toBe(true);
    expect(c.stderr.join("")).not.toMatch(/failed|uncaught/);
  }, 120_000);
});
