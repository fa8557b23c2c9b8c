// The stages depend on each other in one direction (docs/ARCHITECTURE.md,
// "Layering"): every import in src/, static, re-export or dynamic `import()`,
// is checked against the table below. A new edge is a decision: add it to the
// table (and the document) rather than around it.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

/** Layer -> the layers it may import (besides itself). */
const ALLOWED: Record<string, string[]> = {
  util: [],
  diagnostics: ["util"],
  syntax: ["util", "diagnostics"],
  ir: ["util", "diagnostics"],
  format: ["util", "diagnostics", "syntax"],
  check: ["util", "diagnostics", "syntax", "ir"],
  summary: ["util", "ir"],
  // netc graph's picture: the IR drawn (elkjs lays it out).
  graph: ["util", "ir"],
  // What generated code imports: it must not depend on the code generator.
  runtime: ["util", "ir"],
  // src/emit/*.ts: what every backend shares (the backend interface and registry).
  emit: ["util", "diagnostics", "ir", "emit/onnx", "emit/tfjs", "emit/triton", "emit/pytorch"],
  "emit/onnx": ["util", "diagnostics", "ir", "emit"],
  // A Triton model repository holds the ONNX backend's model.
  "emit/triton": ["util", "diagnostics", "ir", "emit", "emit/onnx"],
  "emit/pytorch": ["util", "diagnostics", "ir", "emit"],
  // The tfjs backend targets the runtime: it follows the runtime's naming (checkpoints).
  "emit/tfjs": ["util", "diagnostics", "ir", "emit", "runtime"],
  infer: ["util", "ir", "runtime"],
  // Weight files in and out; netc's own tfjs checkpoints are the runtime's to read.
  weights: ["util", "diagnostics", "ir", "runtime"],
  // netc verify: both backends and the runtime side by side.
  verify: ["util", "diagnostics", "ir", "runtime", "weights", "emit", "emit/onnx", "emit/tfjs", "emit/pytorch"],
  lsp: ["util", "diagnostics", "syntax", "format", "ir", "check", "summary", "graph"],
  // The library entry (src/index.ts).
  api: ["util", "diagnostics", "syntax", "format", "ir", "check", "summary", "runtime", "emit", "emit/onnx", "emit/tfjs", "verify"],
  cli: ["util", "diagnostics", "syntax", "format", "ir", "check", "summary", "graph", "runtime", "emit", "emit/onnx", "emit/tfjs", "emit/triton", "emit/pytorch", "infer", "verify", "lsp", "weights"],
};

/** Node built-ins a layer must not import at all. */
const FORBIDDEN_MODULES: Record<string, RegExp> = {
  // Emitters get source text and locations from the IR and write through src/util.
  emit: /^(node:)?fs(\/promises)?$/,
  "emit/onnx": /^(node:)?fs(\/promises)?$/,
  "emit/tfjs": /^(node:)?fs(\/promises)?$/,
  "emit/triton": /^(node:)?fs(\/promises)?$/,
  "emit/pytorch": /^(node:)?fs(\/promises)?$/,
};

function layerOf(file: string): string | undefined {
  const rel = relative(SRC, file).split("\\").join("/");
  if (rel === "index.ts") return "api";
  const parts = rel.split("/");
  if (parts[0] === "emit") return parts.length > 2 ? `emit/${parts[1]}` : "emit";
  return parts.length > 1 ? parts[0] : undefined;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

interface Edge {
  file: string;
  line: number;
  spec: string;
}

/** Every module specifier in the text: imports, `export ... from`, dynamic `import()` (not comments or strings). */
function edges(file: string, text: string): Edge[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const lineOf = (pos: number) => starts.filter((s) => s <= pos).length;
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => ({ file, line: lineOf(f.pos), spec: f.fileName }));
}

/** 'src/x/y.ts:3 imports "../z.js" (x -> z runs against the layering)' for each edge the table does not allow. */
function violations(file: string, text: string): string[] {
  const out: string[] = [];
  const from = layerOf(file);
  for (const e of edges(file, text)) {
    const where = `src/${relative(SRC, e.file).split("\\").join("/")}:${e.line}`;
    if (!e.spec.startsWith(".")) {
      if (from && FORBIDDEN_MODULES[from]?.test(e.spec)) out.push(`${where} imports "${e.spec}" (${from} must not read files)`);
      continue;
    }
    const target = resolve(dirname(file), e.spec.replace(/\.js$/, ".ts"));
    if (!target.startsWith(SRC + "/")) continue;
    const to = layerOf(target);
    if (!from || !to) {
      out.push(`${where} imports "${e.spec}": ${!from ? "the file" : "the target"} is in no layer of the table`);
    } else if (from !== to && !(ALLOWED[from] ?? []).includes(to)) {
      out.push(`${where} imports "${e.spec}" (${from} -> ${to} runs against the layering)`);
    }
  }
  return out;
}

describe("layering", () => {
  const files = sources(SRC);

  it("every source file belongs to a layer in the table", () => {
    const unknown = files.filter((f) => !(layerOf(f)! in ALLOWED)).map((f) => relative(SRC, f));
    expect(unknown).toEqual([]);
  });

  it("no import runs against the allowed direction", () => {
    expect(files.flatMap((f) => violations(f, readFileSync(f, "utf8")))).toEqual([]);
  });

  it("names the offending file, line and import", () => {
    const dir = join(SRC, "runtime");
    const fake = join(dir, "fake.ts");
    // A runtime module importing the code generator, as checkpoint-layout.ts once did.
    const text = 'import type { IrGraph } from "../ir/graph.js";\nimport { planModel } from "../emit/tfjs/plan.js";\nconst x = await import("../cli/main.js");\n';
    expect(violations(fake, text)).toEqual([
      'src/runtime/fake.ts:2 imports "../emit/tfjs/plan.js" (runtime -> emit/tfjs runs against the layering)',
      'src/runtime/fake.ts:3 imports "../cli/main.js" (runtime -> cli runs against the layering)',
    ]);
    expect(violations(join(SRC, "emit/onnx/fake.ts"), 'import { readFileSync } from "node:fs";\n')).toEqual([
      'src/emit/onnx/fake.ts:1 imports "node:fs" (emit/onnx must not read files)',
    ]);
  });
});

