// grammar/net.ebnf and grammar/README.md must agree with the parser.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { getParser } from "../../src/syntax/parser.js";
import { parse } from "../../src/syntax/parse.js";

const ebnf = readFileSync(new URL("../../grammar/net.ebnf", import.meta.url), "utf8").replace(/\(\*[\s\S]*?\*\)/g, "");
const readme = readFileSync(new URL("../../grammar/README.md", import.meta.url), "utf8");

const rules = new Map<string, string>();
let current = "";
for (const line of ebnf.split("\n")) {
  const m = /^(\w+)\s*::=(.*)$/.exec(line);
  if (m) rules.set((current = m[1]!), m[2]!);
  else if (current && line.trim()) rules.set(current, rules.get(current)! + " " + line);
}

describe("grammar/net.ebnf", () => {
  test("its rules are exactly the parser's rules", () => {
    const parserRules = Object.keys(getParser().getGAstProductions()).sort();
    const ebnfRules = [...rules.keys()].filter((r) => /^[a-z]/.test(r)).sort();
    expect(ebnfRules).toEqual(parserRules);
  });

  test("every name it uses is defined", () => {
    for (const [rule, rhs] of rules) {
      const names = rhs.replace(/'[^']*'/g, " ").replace(/\[[^\]]*\]/g, " ").match(/\b[A-Za-z]\w*\b/g) ?? [];
      for (const n of names) expect(rules.has(n), `${rule} uses ${n}`).toBe(true);
    }
  });
});

describe("grammar/README.md", () => {
  const blocks = [...readme.matchAll(/```net\n([\s\S]*?)```/g)].map((m) => m[1]!);
  test("has examples", () => expect(blocks.length).toBeGreaterThan(5));
  test.each(blocks.map((b, i) => [i, b]))("example %i parses without diagnostics", (_i, code) => {
    expect(parse(code as string, "readme.net").diagnostics).toEqual([]);
  });
});

describe("grammar/README.md's op table", () => {
  test("lists every op of the op table with its aliases, attributes and flags", async () => {
    const { ops } = await import("../../src/check/ops.js");
    const section = readme.slice(readme.indexOf("## Ops"), readme.indexOf("## Semantics"));
    const rows = section.split("\n").filter((l) => l.startsWith("| `"));
    expect(rows.length).toBe(ops.length);
    ops.forEach((op, i) => {
      const row = rows[i]!;
      for (const name of [op.name, ...(op.aliases ?? [])]) expect(row, op.name).toContain(`\`${name}\``);
      for (const a of op.attrs) expect(row, `${op.name} ${a.key}`).toContain(`\`${a.key}\``);
      for (const f of Object.keys(op.flags)) expect(row, `${op.name} ${f}`).toContain(`\`${f}\``);
    });
  });
});
