// Loads a spec and everything it imports, and builds the block table.
// Detects import cycles and blocks that use themselves.

import { dirname, resolve } from "node:path";
import { readFileSync } from "node:fs";
import type { BlockDecl, LayerExpr, NetworkDecl, SourceFile, Statement } from "../syntax/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import { parse } from "../syntax/parse.js";

/** Where file text comes from: the disk for the CLI, open documents for the editor. */
export interface FileHost {
  readFile(path: string): string | undefined;
}

export const diskHost: FileHost = {
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

export interface BlockEntry {
  decl: BlockDecl;
  file: string;
}

export interface Program {
  entry: string;
  files: Map<string, SourceFile>;
  /** Files each file imports (resolved paths), for the editor's re-checking. */
  imports: Map<string, string[]>;
  blocks: Map<string, BlockEntry>;
  networks: { decl: NetworkDecl; file: string }[];
  diagnostics: Diagnostic[];
}

const MAX_FILE_BYTES = 8 * 1024 * 1024;

/**
 * Parses by path and exact text: the editor re-checks on every keystroke, and
 * the imported libraries rarely change. ASTs are never mutated after parsing;
 * diagnostics are copied because the checker appends related locations.
 */
const parseCache = new Map<string, { text: string; result: ReturnType<typeof parse> }>();
const PARSE_CACHE_SIZE = 64;

function parseCached(text: string, path: string): ReturnType<typeof parse> {
  let hit = parseCache.get(path);
  if (!hit || hit.text !== text) {
    hit = { text, result: parse(text, path) };
    parseCache.delete(path);
    parseCache.set(path, hit);
    if (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value!);
  }
  return { file: hit.result.file, diagnostics: hit.result.diagnostics.map((d) => ({ ...d, related: [...d.related], fixes: [...d.fixes] })) };
}

export function loadProgram(entry: string, host: FileHost, entryText?: string): Program {
  const program: Program = { entry, files: new Map(), imports: new Map(), blocks: new Map(), networks: [], diagnostics: [] };
  const visiting: string[] = [];

  const load = (path: string, text: string) => {
    if (text.length > MAX_FILE_BYTES) {
      program.diagnostics.push(diag("NET1007", path, { offset: 0, length: 0 }, { limit: MAX_FILE_BYTES }));
      text = "";
    }
    const parsed = parseCached(text, path);
    program.files.set(path, parsed.file);
    for (const d of parsed.diagnostics) program.diagnostics.push(d); // a spread of 130,000 overflows the stack
    visiting.push(path);
    const deps: string[] = [];
    for (const item of parsed.file.items) {
      if (item.kind !== "import" || !item.path) continue;
      const target = resolve(dirname(path), item.path.value);
      deps.push(target);
      const cycleAt = visiting.indexOf(target);
      if (cycleAt >= 0) {
        const cycle = [...visiting.slice(cycleAt), target].map((p) => p.split(/[\\/]/).pop()).join(" -> ");
        program.diagnostics.push(diag("NET2006", path, item.span, { cycle }));
        continue;
      }
      if (program.files.has(target)) continue;
      const imported = host.readFile(target);
      if (imported === undefined) {
        program.diagnostics.push(diag("NET2007", path, item.path.span, { path: item.path.value, reason: `no file at ${target}` }));
        continue;
      }
      load(target, imported);
    }
    program.imports.set(path, deps);
    visiting.pop();
  };

  const text = entryText ?? host.readFile(entry);
  if (text === undefined) {
    program.diagnostics.push(diag("NET2016", entry, { offset: 0, length: 0 }, { path: entry, reason: "no such file, or not a readable file" }));
    return program;
  }
  load(entry, text);

  for (const [path, file] of program.files) {
    for (const item of file.items) {
      if (item.kind === "block" && item.name) {
        const prior = program.blocks.get(item.name.name);
        if (prior) {
          program.diagnostics.push(
            diag("NET2004", path, item.name.span, { what: "block", name: item.name.name, scope: "program" }, {
              related: [{ file: prior.file, span: prior.decl.name!.span, message: "first declared here" }],
            }),
          );
          continue;
        }
        program.blocks.set(item.name.name, { decl: item, file: path });
      } else if (item.kind === "network" && path === entry) {
        program.networks.push({ decl: item, file: path });
      }
    }
  }
  for (const d of blockCycles(program)) program.diagnostics.push(d);
  return program;
}

/** Block names called anywhere inside a list of statements. */
export function calledBlocks(body: Statement[], out: { name: string; stmt: LayerExpr }[] = []): { name: string; stmt: LayerExpr }[] {
  const visitLayer = (l: LayerExpr | undefined) => {
    if (!l) return;
    if (l.kind === "blockCall") out.push({ name: l.callee.name, stmt: l });
    else if (l.kind === "seq" || l.kind === "repeat") calledBlocks(l.body, out);
    else if (l.kind === "merge") calledBlocks(l.branches, out);
    else if (l.kind === "if") for (const b of [l.then, l.else]) if (b) calledBlocks(b.body, out);
  };
  for (const s of body) visitLayer(s.layer);
  return out;
}

function blockCycles(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (name: string) => {
    const entry = program.blocks.get(name);
    if (!entry) return;
    state.set(name, "active");
    stack.push(name);
    for (const call of calledBlocks(entry.decl.body)) {
      const s = state.get(call.name);
      if (s === "active") {
        const cycle = [...stack.slice(stack.indexOf(call.name)), call.name].join(" -> ");
        out.push(diag("NET2005", entry.file, call.stmt.span, { name: call.name, cycle }));
      } else if (s === undefined) visit(call.name);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of program.blocks.keys()) if (!state.has(name)) visit(name);
  return out;
}
