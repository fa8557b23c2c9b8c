// Definition, references and hover follow the checker's scopes: a name declared
// in two sibling seqs resolves to the one the checker wired (issue 12's bug).
// Drives the real server over stdio; needs `npm run build`.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, posOf, uriOf } from "./client.js";

const REL = "specs/_lsp_resolution_test.net";
const TEXT = [
  "block Twice(c) <- cin {", // 1
  "  conv 3x3 c pad=same", // 2
  "  conv 1x1 cin relu", // 3
  "}", // 4
  "network Shadow {", // 5
  "  input image 3x8x8 { scale 1 / 255; std (0.5, 0.5, 0.5) }", // 6
  "  a = seq {", // 7
  "    x = conv 3x3 4 pad=same", // 8
  "  }", // 9
  "  b = seq {", // 10
  "    x = conv 3x3 8 pad=same", // 11
  "    y = conv 1x1 8 from x", // 12
  "  }", // 13
  "  t1 = Twice(c=6)", // 14
  "  t2 = Twice(2)", // 15
  "  conv 1x1 2 from image", // 16
  "}", // 17
  "",
].join("\n");

type Loc = { uri: string; range: { start: { line: number; character: number } } };
type Hover = { contents: { value: string } } | null;

describe("resolution through the checker", () => {
  let c: Client;
  const at = (line1: number, needle: string, skip = 0) => {
    const p = posOf(TEXT, line1, needle);
    return { textDocument: { uri: uriOf(REL) }, position: { line: p.line, character: p.character + skip } };
  };
  beforeAll(async () => {
    c = new Client();
    await c.initialize();
    const diags = await c.open(REL, TEXT);
    expect(diags.filter((d) => d.severity === 1)).toEqual([]);
  });
  afterAll(async () => {
    await c.close();
  });

  it("go to definition on `from x` lands on b's x, not a's", async () => {
    const def = await c.request<Loc[]>("textDocument/definition", at(12, "from x", 5));
    expect(def).toHaveLength(1);
    expect(def[0]!.range.start).toEqual({ line: 10, character: 4 });
  });

  it("hover on `from x` shows b's x: 8 channels", async () => {
    const h = await c.request<Hover>("textDocument/hover", at(12, "from x", 5));
    expect(h!.contents.value).toContain("8x8x8");
    expect(h!.contents.value).not.toContain("4x8x8");
  });

  it("hover on the input shows its preprocessing", async () => {
    const h = await c.request<Hover>("textDocument/hover", at(16, "from image", 5));
    expect(h!.contents.value).toContain("3x8x8");
    // Markdown escapes aside (the spec's text is shown as text).
    expect(h!.contents.value.replace(/\\/g, "")).toContain("preprocessing: scale 0.00392157; std (0.5, 0.5, 0.5); order rgb");
  });

  it("references of b's x are its tap only; a's x has none", async () => {
    const refs = await c.request<Loc[]>("textDocument/references", { ...at(11, "x"), context: { includeDeclaration: false } });
    expect(refs.map((r) => r.range.start)).toEqual([{ line: 11, character: 24 }]);
    const none = await c.request<Loc[]>("textDocument/references", { ...at(8, "x"), context: { includeDeclaration: false } });
    expect(none).toEqual([]);
  });

  it("a parameter use shows the values the checker bound at each call, defaults and `<- cin` included", async () => {
    const h = await c.request<Hover>("textDocument/hover", at(2, " c ", 1));
    expect(h!.contents.value).toMatch(/t1 \| 6 \|/);
    expect(h!.contents.value).toMatch(/t2 \| 2 \|/);
    const def = await c.request<Loc[]>("textDocument/definition", at(2, " c ", 1));
    expect(def[0]!.range.start).toEqual({ line: 0, character: 12 });
    // `cin` is bound by the input annotation: a bare name after an op, resolved by the checker.
    const cin = await c.request<Loc[]>("textDocument/definition", at(3, "cin"));
    expect(cin[0]!.range.start).toEqual({ line: 0, character: 18 });
    const arg = await c.request<Loc[]>("textDocument/definition", at(14, "c=6"));
    expect(arg[0]!.range.start).toEqual({ line: 0, character: 12 });
  });

  it("references of a block are its calls", async () => {
    const refs = await c.request<Loc[]>("textDocument/references", { ...at(1, "Twice"), context: { includeDeclaration: true } });
    expect(refs.map((r) => r.range.start.line).sort()).toEqual([0, 13, 14]);
  });
});

// A library file: no network calls its blocks, yet definition still follows the checker.
const LIB_REL = "specs/_lsp_resolution_lib_test.net";
const LIB = [
  "block Stem(c, k = 3) <- cin {", // 1
  "  x = conv 3x3 c pad=same", // 2
  "  y = conv 1x1 cin from x", // 3
  "  Head(c)", // 4
  "}", // 5
  "block Head(w) {", // 6
  "  conv 1x1 w", // 7
  "}", // 8
  "",
].join("\n");

describe("resolution in blocks no network calls", () => {
  let c: Client;
  const at = (line1: number, needle: string, skip = 0) => {
    const p = posOf(LIB, line1, needle);
    return { textDocument: { uri: uriOf(LIB_REL) }, position: { line: p.line, character: p.character + skip } };
  };
  beforeAll(async () => {
    c = new Client();
    await c.initialize();
    await c.open(LIB_REL, LIB);
  });
  afterAll(async () => {
    await c.close();
  });

  it("a tap, a parameter, an input name and a block call go to their declarations", async () => {
    const cases: [ReturnType<typeof at>, { line: number; character: number }][] = [
      [at(3, "from x", 5), { line: 1, character: 2 }],
      [at(2, "c pad"), { line: 0, character: 11 }],
      [at(3, "cin"), { line: 0, character: 24 }],
      [at(4, "Head"), { line: 5, character: 6 }],
      [at(7, "w"), { line: 5, character: 11 }],
    ];
    for (const [where, want] of cases) {
      const def = await c.request<Loc[]>("textDocument/definition", where);
      expect(def, JSON.stringify(where.position)).toHaveLength(1);
      expect(def[0]!.range.start).toEqual(want);
    }
  });
});
