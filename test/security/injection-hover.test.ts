// Hover markdown shows names, `///` docs and import paths as text: no link,
// image, HTML, heading or `command:` URI from a spec reaches the editor as
// markup. Drives the real server (needs `npm run build`), plus the escaping
// functions against the CommonMark rules they rely on.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { code, doc, fenced, text } from "../../src/lsp/markdown.js";
import { Client, posOf } from "../lsp/client.js";
import { quote } from "./injection-spec.js";

const LINK = "[click](command:workbench.action.quit)";
const HTML = "<img src=x onerror=alert(1)>";
const NAME = `${LINK} ${HTML} \`tick\` **b** # h`;
const DOC = `# Heading ${LINK} ${HTML} ![i](https://evil.example/x.png) <script>alert(1)</script> www.evil.example &amp; | a |`;

/** Markup a renderer would act on, outside code spans and fences, unless backslash-escaped. */
function liveMarkup(md: string): string[] {
  const found: string[] = [];
  // Drop fenced blocks and code spans (what they hold is shown verbatim), then escaped characters.
  const outside = md
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "")
    .replace(/\\[!-/:-@[-`{-~]/g, "");
  for (const [what, re] of [
    ["link or image", /\]\(/],
    ["html", /<[A-Za-z/!?]/],
    ["command uri", /command:/],
    ["autolink", /https?:\/\/|www\./],
    ["entity", /&[#A-Za-z0-9]+;/],
    ["heading", /^\s{0,3}#/m],
  ] as const) {
    if (re.test(outside)) found.push(what);
  }
  return found;
}

describe("hover markdown", () => {
  let c: Client;
  let path: string;
  let spec: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "injection-hover-"));
    const lib = `evil ${LINK} \`x\`.net`;
    writeFileSync(join(dir, lib), `/// ${DOC}\nblock L(c) {\n  conv 1x1 c\n}\n`);
    spec = [
      `import ${quote(lib, false)}`,
      "",
      `/// ${DOC}`,
      "block B(c) {",
      `  /// ${DOC}`,
      `  ${quote(NAME + " inner", false)} = conv 1x1 c`,
      "}",
      "",
      `/// ${DOC}`,
      "network N(classes = 10) {",
      "  input 3x8x8",
      `  /// ${DOC}`,
      `  ${quote(NAME, false)} = conv 1x1 4`,
      "  b = B(4)",
      "  y = L(classes)",
      "}",
      "",
    ].join("\n");
    path = join(dir, "hover.net");
    writeFileSync(path, spec);
    c = new Client();
    await c.initialize();
    await c.open(path, spec);
  });
  afterAll(async () => {
    await c.close();
  });

  const hoverAt = async (line1: number, needle: string) => {
    const h = await c.request<{ contents: { value: string } } | null>("textDocument/hover", {
      textDocument: { uri: `file://${path}` },
      position: posOf(spec, line1, needle),
    });
    return h?.contents.value ?? "";
  };

  it("shows names, docs and paths as text", async () => {
    const hovers = {
      statement: await hoverAt(13, "[click]"),
      block: await hoverAt(4, "B"),
      call: await hoverAt(14, "B("),
      inner: await hoverAt(6, "[click]"),
      network: await hoverAt(10, "N("),
      import: await hoverAt(1, "import"),
      importedCall: await hoverAt(15, "L("),
    };
    for (const [where, md] of Object.entries(hovers)) {
      expect(md, where).not.toBe("");
      expect(liveMarkup(md), `${where}: ${md}`).toEqual([]);
    }
    // The text is all there, escaped: a reader sees the characters the spec has.
    expect(hovers.statement).toContain(text(NAME));
    expect(hovers.statement).toContain(doc(DOC));
    expect(hovers.block).toContain(doc(DOC));
    expect(hovers.network).toContain(doc(DOC));
    expect(hovers.importedCall).toContain(doc(DOC));
    expect(hovers.import).toContain("``evil [click](command:workbench.action.quit) `x`.net``");
  });

  it("the probe finds markup in unescaped text", () => {
    expect(liveMarkup(`**${NAME}**\n\n${DOC}`)).toEqual(["link or image", "html", "command uri", "autolink", "entity", "heading"]);
  });
});

describe("markdown escaping", () => {
  it("escapes every ASCII punctuation character and keeps text on one line", () => {
    expect(text("a*b_c [d](e) <f> #g\nh\r\ni\u2028j")).toBe("a\\*b\\_c \\[d\\]\\(e\\) \\<f\\> \\#g h i j");
    expect(text("x|y")).toBe("x\\|y"); // a table cell stays one cell
  });

  it("keeps a doc's lines, without indentation that would make a code block", () => {
    expect(doc("first\n    second\n\n- third")).toBe("first\nsecond\n\n\\- third");
  });

  it("code spans and fences are longer than any backtick run inside", () => {
    expect(code("a")).toBe("`a`");
    expect(code("a ` b")).toBe("``a ` b``");
    expect(code("`x``")).toBe("``` `x`` ```");
    expect(code("line\nbreak")).toBe("`line break`");
    expect(fenced("block B(c)", "net")).toBe("```net\nblock B(c)\n```");
    expect(fenced("x\n````\ny", "net")).toBe("`````net\nx\n````\ny\n`````");
  });

  it("drops control characters and lone surrogates", () => {
    expect(text("a\u0000b\ud800c\u0085")).toBe("a\ufffdb\ufffdc ");
    expect(code("\udfff")).toBe("`\ufffd`");
  });
});
