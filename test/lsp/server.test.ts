// Drives the real server over stdio. Needs `npm run build` (bin/netc.js runs dist/).

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, posOf, textOf, uriOf } from "./client.js";

const GOOGLENET = "specs/googlenet.net";
const BROKEN = "specs/broken/beginner-googlenet.net";
const LIB = "specs/lib/inception.net";

describe("netc lsp", () => {
  let c: Client;
  beforeAll(async () => {
    c = new Client();
    const init = await c.initialize();
    expect(init.capabilities.hoverProvider).toBe(true);
  });
  afterAll(async () => {
    await c.close();
  });

  it("publishes no errors for googlenet.net", async () => {
    const diags = await c.open(GOOGLENET);
    expect(diags.filter((d) => d.severity === 1)).toEqual([]);
  });

  it("reports NET3001 on line 31 and NET3002 on line 34 of the beginner spec, with related locations", async () => {
    const diags = await c.open(BROKEN);
    const at = diags.map((d) => `${d.code}@${d.range.start.line + 1}`);
    expect(at).toContain("NET3001@31");
    expect(at).toContain("NET3002@34");
    const d3001 = diags.find((d) => d.code === "NET3001")!;
    expect(d3001.severity).toBe(1);
    expect(d3001.relatedInformation!.length).toBeGreaterThan(0);
  });

  it("offers code actions for NET3001 and NET3002", async () => {
    const text = textOf(BROKEN);
    const all = { start: { line: 0, character: 0 }, end: { line: text.split("\n").length, character: 0 } };
    const actions = await c.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> }; diagnostics: { code: string }[] }[]>(
      "textDocument/codeAction", { textDocument: { uri: uriOf(BROKEN) }, range: all, context: { diagnostics: [] } });
    const codes = actions.flatMap((a) => a.diagnostics.map((d) => d.code));
    expect(codes).toContain("NET3001");
    expect(codes).toContain("NET3002");
    const pass = actions.find((a) => a.diagnostics[0]!.code === "NET3001")!;
    expect(Object.values(pass.edit.changes)[0]![0]!.newText).toBe("256");
    const ann = actions.find((a) => a.diagnostics[0]!.code === "NET3002")!;
    expect(Object.values(ann.edit.changes)[0]![0]!.newText).toBe("480");
  });

  it("updates diagnostics as the user types", async () => {
    const text = textOf(BROKEN);
    const pos = posOf(text, 34, "1024");
    const range = { start: pos, end: { line: pos.line, character: pos.character + 4 } };
    let v = await c.change(BROKEN, { range, text: "480" });
    let diags = await c.diagnostics(uriOf(BROKEN), v);
    expect(diags.map((d) => d.code)).not.toContain("NET3002");
    expect(diags.map((d) => d.code)).toContain("NET3001");
    // Break the syntax: a syntax error appears, and the server keeps answering.
    v = await c.change(BROKEN, { range: { start: { line: pos.line, character: 0 }, end: { line: pos.line, character: 0 } }, text: "  = = (" });
    diags = await c.diagnostics(uriOf(BROKEN), v);
    expect(diags.some((d) => d.code.startsWith("NET1"))).toBe(true);
    v = await c.change(BROKEN, { text });
    diags = await c.diagnostics(uriOf(BROKEN), v);
    expect(diags.map((d) => d.code)).toEqual(expect.arrayContaining(["NET3001", "NET3002"]));
  });

  it("publishes diagnostics for a version that a request checked first", async () => {
    const text = textOf(GOOGLENET);
    const at = { line: 0, character: 2 };
    const v = await c.change(GOOGLENET, { range: { start: at, end: at }, text: "x" });
    const published = c.diagnostics(uriOf(GOOGLENET), v);
    const hover = c.request("textDocument/hover", c.pos(GOOGLENET, 41, "inception3a"));
    await hover;
    expect((await published).filter((d) => d.severity === 1)).toEqual([]);
    const v2 = await c.change(GOOGLENET, { text });
    await c.diagnostics(uriOf(GOOGLENET), v2);
  });

  it("hover on inception3a shows its output shape, parameters and the block doc", async () => {
    const h = await c.request<{ contents: { value: string } }>("textDocument/hover", c.pos(GOOGLENET, 41, "inception3a"));
    expect(h.contents.value).toContain("256x28x28");
    expect(h.contents.value).toMatch(/params [\d,]+/);
    expect(h.contents.value).toContain("Inception module");
    const call = await c.request<{ contents: { value: string } }>("textDocument/hover", c.pos(GOOGLENET, 41, "Inception("));
    expect(call.contents.value).toContain("256x28x28");
  });

  it("hovers show shapes in a spec that has never checked cleanly (the checker's partial graph)", async () => {
    const h = await c.request<{ contents: { value: string } }>("textDocument/hover", c.pos(BROKEN, 30, "inception1"));
    expect(h.contents.value).toContain("256x56x56");
  });

  it("hover on a block parameter shows its value at each call", async () => {
    await c.open(LIB);
    const h = await c.request<{ contents: { value: string } }>("textDocument/hover", c.pos(LIB, 6, "c1,"));
    expect(h.contents.value).toMatch(/inception3a \| 64 \|/);
    expect(h.contents.value).toMatch(/inception5b \| 384 \|/);
    // Inside the block body, a layer shows its shape per call.
    const conv = await c.request<{ contents: { value: string } }>("textDocument/hover", c.pos(LIB, 8, "conv"));
    expect(conv.contents.value).toContain("inception3a");
    expect(conv.contents.value).toContain("64x28x28");
  });

  it("shows inlay hints for layers without a -> annotation", async () => {
    const text = textOf(GOOGLENET);
    const hints = await c.request<{ label: string; position: { line: number } }[]>("textDocument/inlayHint", {
      textDocument: { uri: uriOf(GOOGLENET) }, range: { start: { line: 0, character: 0 }, end: { line: text.split("\n").length, character: 0 } },
    });
    const byLine = new Map(hints.map((h) => [h.position.line + 1, h.label]));
    expect(byLine.get(posLine(text, "norm1 = lrn"))).toBe("-> 64x56x56");
    expect(byLine.get(posLine(text, "flatten"))).toBe("-> 1024");
    expect(byLine.has(posLine(text, "inception3a ="))).toBe(false); // already annotated
  });

  it("completes op names, block names, attributes and layer names", async () => {
    type Item = { label: string };
    const text = textOf(GOOGLENET);
    const line = posLine(text, "pool3 = maxpool");
    const at = (character: number) => ({ textDocument: { uri: uriOf(GOOGLENET) }, position: { line: line - 1, character } });
    const start = await c.request<Item[]>("textDocument/completion", at(10));
    const labels = start.map((i) => i.label);
    expect(labels).toContain("conv");
    expect(labels).toContain("Inception");
    expect(labels).toContain("Aux");
    for (const word of ["mul", "scale", "droppath"]) expect(labels).toContain(word);
    // After `maxpool `: attributes and flags of maxpool.
    const col = text.split("\n")[line - 1]!.indexOf("maxpool") + "maxpool ".length;
    const attrs = (await c.request<Item[]>("textDocument/completion", at(col))).map((i) => i.label);
    expect(attrs).toContain("ceil");
    expect(attrs).toContain("pad=");
    // After `from `: named layers.
    const aux = posLine(text, "aux1 =");
    const fromCol = text.split("\n")[aux - 1]!.indexOf("inception4a");
    const names = (await c.request<Item[]>("textDocument/completion", { textDocument: { uri: uriOf(GOOGLENET) }, position: { line: aux - 1, character: fromCol } })).map((i) => i.label);
    expect(names).toContain("inception3b");
  });

  it("goes to the definition of a block call, an import and a tapped layer", async () => {
    type Loc = { uri: string; range: { start: { line: number } } };
    const def = await c.request<Loc[]>("textDocument/definition", c.pos(GOOGLENET, 41, "Inception("));
    expect(def[0]!.uri).toBe(uriOf(LIB));
    expect(def[0]!.range.start.line).toBe(5);
    const imp = await c.request<Loc[]>("textDocument/definition", c.pos(GOOGLENET, 17, "lib/"));
    expect(imp[0]!.uri).toBe(uriOf(LIB));
    const text = textOf(GOOGLENET);
    const aux = posLine(text, "aux1 =");
    const tap = await c.request<Loc[]>("textDocument/definition", c.pos(GOOGLENET, aux, "inception4a"));
    expect(tap[0]!.range.start.line + 1).toBe(posLine(text, "inception4a = "));
    const refs = await c.request<Loc[]>("textDocument/references", { ...c.pos(GOOGLENET, 41, "Inception("), context: { includeDeclaration: true } });
    expect(refs.length).toBeGreaterThanOrEqual(10);
  });

  it("lists document and workspace symbols", async () => {
    const syms = await c.request<{ name: string; children: { name: string }[] }[]>("textDocument/documentSymbol", { textDocument: { uri: uriOf(GOOGLENET) } });
    const net = syms.find((s) => s.name === "GoogLeNet")!;
    expect(net.children.map((s) => s.name)).toEqual(expect.arrayContaining(["stem", "inception3a", "head", "aux1"]));
    const ws = await c.request<{ name: string }[]>("workspace/symbol", { query: "incep" });
    expect(ws.map((s) => s.name)).toContain("Inception");
  });

  it("formats through formatSource", async () => {
    const messy = "network N {\n input image 3x32x32\n   conv 3x3 8   pad=same\n}\n";
    await c.open("specs/_lsp_format_test.net", messy);
    const edits = await c.request<{ newText: string }[]>("textDocument/formatting", { textDocument: { uri: uriOf("specs/_lsp_format_test.net") }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits.length).toBe(1);
    expect(edits[0]!.newText).toContain("  conv 3x3 8 pad=same");
    await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri: uriOf("specs/_lsp_format_test.net") } });
  });

  it("re-checks an importer when an open imported file changes", async () => {
    await c.open(LIB);
    const lib = textOf(LIB);
    const pos = posOf(lib, 8, "c1");
    const end = { line: pos.line, character: pos.character + 2 };
    const broken = (d: { code: string; message: string }[]) => d.some((x) => x.code === "NET3008" && x.message.includes("257x28x28"));
    const got = c.diagnosticsWhere(uriOf(GOOGLENET), broken);
    await c.change(LIB, { range: { start: pos, end }, text: "c1 + 1" });
    await got; // resolves only when googlenet.net's check sees the edited block
    const fixed = c.diagnosticsWhere(uriOf(GOOGLENET), (d) => !broken(d));
    await c.change(LIB, { text: lib });
    expect((await fixed).filter((d) => d.severity === 1)).toEqual([]);
  });

  it("re-checks an importer when an imported file changes on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-lsp-"));
    try {
      writeFileSync(join(dir, "lib.net"), "block B(c) {\n  conv 1x1 c\n}\n");
      const main = "import \"lib.net\"\nnetwork N {\n  input image 3x8x8\n  b = B(4) -> 4x8x8\n}\n";
      const uri = pathToFileURL(join(dir, "main.net")).href;
      const first = c.diagnostics(uri, 1);
      await c.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "net", version: 1, text: main } });
      expect(await first).toEqual([]);
      writeFileSync(join(dir, "lib.net"), "block B(c) {\n  conv 1x1 c * 2\n}\n");
      const next = c.diagnosticsWhere(uri, (d) => d.length > 0);
      await c.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: pathToFileURL(join(dir, "lib.net")).href, type: 2 }] });
      expect((await next).map((d) => d.code)).toContain("NET3008");
      await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("offers ceil rounding for a one-pixel concat mismatch and removing an unused block", async () => {
    const rel = "specs/_lsp_actions_test.net";
    const text = "block Unused(c) {\n  conv 1x1 c\n}\n\nnetwork N {\n  input image 3x16x16\n  concat {\n    conv 3x3/2 8 pad=1\n    maxpool 3x3/2\n  }\n}\n";
    const diags = await c.open(rel, text);
    expect(diags.map((d) => d.code)).toEqual(expect.arrayContaining(["NET3003", "NET5001"]));
    const actions = await c.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>("textDocument/codeAction", {
      textDocument: { uri: uriOf(rel) }, range: { start: { line: 0, character: 0 }, end: { line: 12, character: 0 } }, context: { diagnostics: [] },
    });
    const titles = actions.map((a) => a.title);
    expect(titles.some((t) => /ceil/.test(t))).toBe(true);
    expect(titles.some((t) => /Remove the unused block 'Unused'/.test(t))).toBe(true);
    const ceil = actions.find((a) => /ceil/.test(a.title))!;
    expect(Object.values(ceil.edit.changes)[0]![0]!.newText).toContain("ceil");
    await c.conn.sendNotification("textDocument/didClose", { textDocument: { uri: uriOf(rel) } });
  });

  it("turns the shape hints off and on with netc.inlayHints.shapes", async () => {
    const params = { textDocument: { uri: uriOf(GOOGLENET) }, range: { start: { line: 0, character: 0 }, end: { line: 80, character: 0 } } };
    await c.conn.sendNotification("workspace/didChangeConfiguration", { settings: { netc: { inlayHints: { shapes: false } } } });
    expect(await c.request<unknown[]>("textDocument/inlayHint", params)).toEqual([]);
    await c.conn.sendNotification("workspace/didChangeConfiguration", { settings: { netc: { inlayHints: { shapes: true } } } });
    expect((await c.request<unknown[]>("textDocument/inlayHint", params)).length).toBeGreaterThan(0);
  });

  it("answers a malformed request with an error and keeps running", async () => {
    await expect(c.request("textDocument/hover", { textDocument: {}, position: "nowhere" })).rejects.toMatchObject({ code: -32602 });
    await expect(c.request("textDocument/hover", { textDocument: { uri: uriOf(GOOGLENET) }, position: { line: -1 } })).rejects.toMatchObject({ code: -32602 });
    await expect(c.request("textDocument/codeAction", { textDocument: { uri: uriOf(GOOGLENET) } })).rejects.toBeTruthy();
    const h = await c.request<{ contents: { value: string } }>("textDocument/hover", c.pos(GOOGLENET, 41, "inception3a"));
    expect(h.contents.value).toContain("256x28x28");
    expect(c.alive()).toBe(true);
  });
});

function posLine(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`no line with ${needle}`);
  return i + 1;
}
