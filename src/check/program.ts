// Loads a spec and everything it imports, and builds the block table.
// Detects import cycles and blocks that use themselves. Loading is iterative
// and import depth is bounded, so no import graph can overflow the stack.

import { dirname, resolve } from "node:path";
import type { BlockDecl, LayerExpr, NetworkDecl, SourceFile, Statement, TopLevel } from "../syntax/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import { childStatements } from "../syntax/children.js";
import { parse } from "../syntax/parse.js";
import { MAX_FILE_BYTES, readSpecFile, type ReadProblem } from "../util/read-file.js";

export type { ReadProblem } from "../util/read-file.js";

/** Where file text comes from: the disk for the CLI, open documents for the editor. */
export interface FileHost {
  /** The file's text, or why it cannot be read (undefined: no such file). */
  readFile(path: string): string | ReadProblem | undefined;
}

/** Regular files only, size-capped, UTF-8 checked (see readSpecFile). */
export const diskHost: FileHost = { readFile: readSpecFile };

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

/** Imports nested deeper than this are reported (a real project needs a handful). */
export const MAX_IMPORT_DEPTH = 64;
/**
 * Files and characters one program may load. Symlinked folders make endless
 * distinct paths (`a/x.net`, `a/a/x.net`, ...) and with two imports per file the
 * tree doubles at every level: these keep such a program finite.
 */
export const MAX_PROGRAM_FILES = 1000;
export const MAX_PROGRAM_CHARS = 8 * MAX_FILE_BYTES;
/** Syntax diagnostics kept per file; the rest are counted in one NET1017. */
export const MAX_SYNTAX_DIAGNOSTICS_PER_FILE = 100;

/**
 * Parses by path and exact text: the editor re-checks on every keystroke, and
 * the imported libraries rarely change. ASTs are never mutated after parsing;
 * diagnostics are copied because the checker appends related locations. Only
 * the first diagnostics of a file are kept, so a file of garbage holds little.
 */
const parseCache = new Map<string, { text: string; result: ReturnType<typeof parse> }>();
const PARSE_CACHE_SIZE = 64;

function parseCached(text: string, path: string): ReturnType<typeof parse> {
  let hit = parseCache.get(path);
  if (!hit || hit.text !== text) {
    hit = { text, result: capSyntax(parse(text, path), path) };
    parseCache.delete(path);
    parseCache.set(path, hit);
    if (parseCache.size > PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value!);
  }
  return { file: hit.result.file, diagnostics: hit.result.diagnostics.map((d) => ({ ...d, related: [...d.related], fixes: [...d.fixes] })) };
}

function capSyntax(r: ReturnType<typeof parse>, path: string): ReturnType<typeof parse> {
  const list = r.diagnostics;
  if (list.length <= MAX_SYNTAX_DIAGNOSTICS_PER_FILE) return r;
  const first = list[MAX_SYNTAX_DIAGNOSTICS_PER_FILE]!;
  const more = diag("NET1017", path, { offset: first.span.offset, length: 0 }, { count: list.length - MAX_SYNTAX_DIAGNOSTICS_PER_FILE });
  return { file: r.file, diagnostics: [...list.slice(0, MAX_SYNTAX_DIAGNOSTICS_PER_FILE), more] };
}

/**
 * Where a file read from disk stops looking like a spec: the offset of its first
 * word when that is not 'import', 'block' or 'network' (after blank lines and
 * comments), else undefined. Such a file (a README, a binary, /etc/shadow) is
 * reported once instead of parsed into hundreds of cascading errors.
 */
export function notSpecAt(text: string): number | undefined {
  let at = 0;
  while (at < text.length) {
    const c = text[at]!;
    if (c === "/" && text[at + 1] === "/") {
      const nl = text.indexOf("\n", at);
      at = nl < 0 ? text.length : nl + 1;
    } else if (" \t\r\n\f\v\u00a0\ufeff".includes(c)) at++;
    else break;
  }
  if (at === text.length || /^(?:import|block|network)(?![\p{L}\p{N}_])/u.test(text.slice(at, at + 9))) return undefined;
  return at;
}

function firstWord(text: string, at: number): string {
  const word = /^[\p{L}\p{N}_]{1,40}/u.exec(text.slice(at, at + 40))?.[0] ?? String.fromCodePoint(text.codePointAt(at)!);
  return JSON.stringify(word).slice(1, -1);
}

const problemOf = (read: string | ReadProblem | undefined): ReadProblem | undefined =>
  read === undefined ? { problem: "missing", reason: "no such file" } : typeof read === "string" ? undefined : read;

function tooLarge(text: string): ReadProblem | undefined {
  if (text.length <= MAX_FILE_BYTES && Buffer.byteLength(text, "utf8") <= MAX_FILE_BYTES) return undefined;
  return { problem: "too-large", reason: `it is larger than ${MAX_FILE_BYTES} bytes` };
}

interface Frame {
  path: string;
  items: TopLevel[];
  next: number;
  deps: string[];
}

/**
 * `entryText` is a document being edited (the editor's): it is parsed whatever
 * it contains. Files read through `host` (the CLI's entry, every import) must
 * first look like specs.
 */
export function loadProgram(entry: string, host: FileHost, entryText?: string): Program {
  const program: Program = { entry, files: new Map(), imports: new Map(), blocks: new Map(), networks: [], diagnostics: [] };
  const push = (list: Diagnostic[]) => {
    for (const d of list) program.diagnostics.push(d);
  };
  // Imports that could not be loaded, so that a second importer is told without another read.
  const refused = new Map<string, { code: "NET2007" | "NET2020"; reason: string }>();
  const reportedDepth = new Set<TopLevel>();
  const stack: Frame[] = [];
  let chars = 0;
  let reportedSize = false;

  const enter = (path: string, text: string) => {
    chars += text.length;
    const parsed = parseCached(text, path);
    program.files.set(path, parsed.file);
    push(parsed.diagnostics);
    stack.push({ path, items: parsed.file.items, next: 0, deps: [] });
  };

  if (entryText !== undefined) enter(entry, entryText);
  else {
    const read = host.readFile(entry);
    const problem = problemOf(read) ?? tooLarge(read as string);
    if (problem) {
      // No text to point into: the CLI prints the path and the reason without a line.
      push([diag(problem.problem === "not-text" ? "NET1015" : "NET2016", entry, { offset: 0, length: 0 }, { path: entry, reason: problem.reason })]);
      return program;
    }
    const text = read as string;
    const bad = notSpecAt(text);
    if (bad !== undefined) {
      program.files.set(entry, { kind: "file", path: entry, text, items: [], comments: [] });
      push([diag("NET1016", entry, { offset: bad, length: 0 }, { found: `'${firstWord(text, bad)}'` })]);
      return program;
    }
    enter(entry, text);
  }

  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next >= top.items.length) {
      program.imports.set(top.path, top.deps);
      stack.pop();
      continue;
    }
    const item = top.items[top.next++]!;
    if (item.kind !== "import" || !item.path) continue;
    const target = resolve(dirname(top.path), item.path.value);
    top.deps.push(target);
    const cycleAt = stack.findIndex((f) => f.path === target);
    if (cycleAt >= 0) {
      const cycle = [...stack.slice(cycleAt).map((f) => f.path), target].map((p) => p.split(/[\\/]/).pop()).join(" -> ");
      push([diag("NET2006", top.path, item.span, { cycle })]);
      continue;
    }
    if (program.files.has(target)) continue;
    const known = refused.get(target);
    if (known) {
      push([diag(known.code, top.path, item.path.span, { path: item.path.value, reason: known.reason })]);
      continue;
    }
    if (stack.length > MAX_IMPORT_DEPTH) {
      push(depthDiagnostic(stack, item, target, reportedDepth));
      continue;
    }
    if (program.files.size >= MAX_PROGRAM_FILES) {
      if (!reportedSize) push([diag("NET2022", top.path, item.path.span, { path: item.path.value, reason: `the program already loads ${MAX_PROGRAM_FILES} files, the most netc reads for one program` })]);
      reportedSize = true;
      continue;
    }
    const read = host.readFile(target);
    const problem = problemOf(read) ?? tooLarge(read as string);
    let refusal: { code: "NET2007" | "NET2020"; reason: string } | undefined;
    if (problem) {
      const reason = problem.problem === "missing" ? `${problem.reason} (looked for ${target})` : problem.reason;
      refusal = { code: problem.problem === "not-text" ? "NET2020" : "NET2007", reason };
    } else if (notSpecAt(read as string) !== undefined) {
      // Its content is not shown: an import of /etc/shadow must not print its lines.
      refusal = { code: "NET2020", reason: "it does not start with 'import', 'block' or 'network'" };
    }
    if (refusal) {
      refused.set(target, refusal);
      push([diag(refusal.code, top.path, item.path.span, { path: item.path.value, reason: refusal.reason })]);
      continue;
    }
    if (chars + (read as string).length > MAX_PROGRAM_CHARS) {
      if (!reportedSize) push([diag("NET2022", top.path, item.path.span, { path: item.path.value, reason: `with it the program would hold more than ${MAX_PROGRAM_CHARS} characters of text, the most netc reads for one program` })]);
      reportedSize = true;
      continue;
    }
    enter(target, read as string);
  }

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
  push(blockCycles(program));
  return program;
}

/**
 * One diagnostic per chain, on the entry's import that starts it (the file the
 * user is looking at), with the import that goes past the limit as related.
 */
function depthDiagnostic(stack: Frame[], item: TopLevel & { kind: "import" }, target: string, reported: Set<TopLevel>): Diagnostic[] {
  const root = stack[0]!;
  const start = root.items[root.next - 1]!;
  if (reported.has(start)) return [];
  reported.add(start);
  const names = [...stack.map((f) => f.path), target].map((p) => p.split(/[\\/]/).pop()!);
  const chain = names.length > 6 ? `${names.slice(0, 3).join(" -> ")} -> ... -> ${names.slice(-2).join(" -> ")} (${names.length} files)` : names.join(" -> ");
  const at = start.kind === "import" && start.path ? start.path.span : start.span;
  return [
    diag("NET2021", root.path, at, { limit: MAX_IMPORT_DEPTH, chain }, {
      related: [{ file: stack[stack.length - 1]!.path, span: item.path?.span ?? item.span, message: `import number ${stack.length} in the chain` }],
    }),
  ];
}

/** Block names called anywhere inside a list of statements. */
function calledBlocks(body: Statement[], out: { name: string; stmt: LayerExpr }[] = []): { name: string; stmt: LayerExpr }[] {
  const visitLayer = (l: LayerExpr | undefined) => {
    if (!l) return;
    if (l.kind === "blockCall") out.push({ name: l.callee.name, stmt: l });
    else calledBlocks(childStatements(l), out);
  };
  for (const s of body) visitLayer(s.layer);
  return out;
}

/** Block cycles, by an explicit-stack walk: a chain of thousands of blocks is fine. */
function blockCycles(program: Program): Diagnostic[] {
  const out: Diagnostic[] = [];
  const state = new Map<string, "active" | "done">();
  const stack: { name: string; file: string; calls: { name: string; stmt: LayerExpr }[]; next: number }[] = [];
  const open = (name: string) => {
    const entry = program.blocks.get(name);
    if (!entry) return;
    state.set(name, "active");
    stack.push({ name, file: entry.file, calls: calledBlocks(entry.decl.body), next: 0 });
  };
  for (const start of program.blocks.keys()) {
    if (state.has(start)) continue;
    open(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const call = top.calls[top.next++];
      if (!call) {
        state.set(top.name, "done");
        stack.pop();
        continue;
      }
      const s = state.get(call.name);
      if (s === "active") {
        const names = stack.map((f) => f.name);
        const cycle = [...names.slice(names.indexOf(call.name)), call.name].join(" -> ");
        out.push(diag("NET2005", top.file, call.stmt.span, { name: call.name, cycle }));
      } else if (s === undefined) open(call.name);
    }
  }
  return out;
}
