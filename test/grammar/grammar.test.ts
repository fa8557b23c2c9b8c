// The TextMate grammar, tokenized the way VS Code does it (vscode-textmate +
// the oniguruma wasm), against every spec in specs/.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";
import { opNames } from "../../src/check/ops.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const grammarPath = join(root, "grammar/net.tmLanguage.json");
const grammarJson = JSON.parse(readFileSync(grammarPath, "utf8"));

interface Token {
  text: string;
  scopes: string[];
}

let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(join(root, "node_modules/vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) =>
      scope === "source.net" ? vsctm.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath) : null,
  });
  grammar = (await registry.loadGrammar("source.net"))!;
});

function tokenize(text: string): Token[][] {
  let stack = vsctm.INITIAL;
  return text.split("\n").map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The innermost scope of the first token whose text is exactly `text`. */
function scopeOf(lines: Token[][], text: string, line?: string): string {
  for (const l of lines) {
    if (line !== undefined && !l.map((t) => t.text).join("").includes(line)) continue;
    const t = l.find((x) => x.text === text);
    if (t) return t.scopes[t.scopes.length - 1]!;
  }
  throw new Error(`no token '${text}'${line ? ` on a line with '${line}'` : ""}`);
}

/** All scopes of the first token containing `text` (comments are split after their `//`). */
function scopesWith(lines: Token[][], text: string): string[] {
  for (const l of lines) for (const t of l) if (t.text.includes(text)) return t.scopes;
  throw new Error(`no token containing '${text}'`);
}

function specs(dir = join(root, "specs")): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? specs(join(dir, e.name)) : e.name.endsWith(".net") ? [join(dir, e.name)] : [],
  );
}

describe("grammar/net.tmLanguage.json", () => {
  it("lists exactly the op table's names", () => {
    const match: string = grammarJson.repository.ops.patterns[0].match;
    const names = /\\b\(\?:(.*)\)\\b/.exec(match)![1]!.split("|");
    expect([...names].sort()).toEqual([...opNames()].sort());
  });

  it("tokenizes every spec without leaving words unscoped", () => {
    const files = specs();
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const lines = tokenize(readFileSync(f, "utf8"));
      // Every digit is inside a numeric scope, a comment or a string; nothing tokenizes as plain source with a digit start.
      for (const l of lines)
        for (const t of l)
          if (/^\d/.test(t.text.trim())) expect(t.scopes.join(" "), `${f}: '${t.text}'`).toMatch(/constant\.numeric|comment|string/);
    }
  });

  it("scopes representative tokens of googlenet.net", () => {
    const g = tokenize(readFileSync(join(root, "specs/googlenet.net"), "utf8"));
    expect(scopeOf(g, "import")).toBe("keyword.control.import.net");
    expect(scopeOf(g, "lib/inception.net")).toBe("string.quoted.double.net");
    expect(scopesWith(g, "GoogLeNet (Inception v1), ILSVRC 2014 winner.")).toContain("comment.line.documentation.net");
    expect(scopesWith(g, "the reference Caffe model")).toContain("comment.line.double-slash.net");
    expect(scopesWith(g, "the reference Caffe model")).not.toContain("comment.line.documentation.net");
    expect(scopeOf(g, "///")).toBe("punctuation.definition.comment.net");
    expect(scopeOf(g, "network")).toBe("storage.type.network.net");
    expect(scopeOf(g, "GoogLeNet")).toBe("entity.name.type.network.net");
    expect(scopeOf(g, "3x224x224")).toBe("constant.numeric.shape.net");
    expect(scopeOf(g, "7x7", "conv1")).toBe("constant.numeric.kernel.net");
    expect(scopeOf(g, "/", "conv1")).toBe("punctuation.separator.stride.net");
    expect(scopeOf(g, "2", "conv1 =")).toBe("constant.numeric.stride.net");
    expect(scopeOf(g, "conv", "conv1 =")).toBe("support.function.op.net");
    expect(scopeOf(g, "maxpool")).toBe("support.function.op.net");
    expect(scopeOf(g, "conv1")).toBe("variable.other.definition.layer.net");
    expect(scopeOf(g, "->")).toBe("keyword.operator.annotation.shape.net");
    expect(scopeOf(g, "64x112x112")).toBe("constant.numeric.shape.net");
    expect(scopeOf(g, "macs")).toBe("keyword.other.annotation.cost.net");
    expect(scopeOf(g, "M", "conv1 =")).toBe("keyword.other.unit.suffix.net");
    expect(scopeOf(g, "1e-4")).toBe("constant.numeric.net");
    expect(scopeOf(g, "0.75")).toBe("constant.numeric.net");
    expect(scopeOf(g, "Inception")).toBe("entity.name.function.block.net");
    expect(scopeOf(g, "from")).toBe("keyword.control.from.net");
    expect(scopeOf(g, "inception4a", "aux1")).toBe("variable.other.layer.net");
    expect(scopeOf(g, "stem")).toBe("keyword.other.section.net");
    expect(scopeOf(g, "seq")).toBe("keyword.control.net");
    expect(scopeOf(g, "pad")).toBe("entity.other.attribute-name.net");
  });

  it("scopes blocks, <- annotations and dense/flatten in the library and the broken spec", () => {
    const lib = tokenize(readFileSync(join(root, "specs/lib/inception.net"), "utf8"));
    expect(scopeOf(lib, "block")).toBe("storage.type.block.net");
    expect(scopeOf(lib, "Inception")).toBe("entity.name.type.block.net");
    expect(scopeOf(lib, "concat")).toBe("keyword.control.net");
    expect(scopeOf(lib, "5x5", "avgpool")).toBe("constant.numeric.kernel.net");
    expect(scopeOf(lib, "dense")).toBe("support.function.op.net");
    const broken = tokenize(readFileSync(join(root, "specs/broken/beginner-googlenet.net"), "utf8"));
    expect(scopeOf(broken, "<-")).toBe("keyword.operator.annotation.shape.net");
    expect(scopeOf(broken, "1024", "fc =")).toBe("constant.numeric.net");
  });
});
