// Everything a request handler needs about one open document, gathered once:
// its latest AST, the facts of every open spec, the block table, all known files.

import type * as A from "../syntax/ast.js";
import type { BlockEntry } from "../check/program.js";
import type { Fact } from "./facts.js";
import { lookup } from "./facts.js";
import type { Entry, Workspace } from "./workspace.js";
import { lineIndex, type LineIndex } from "./convert.js";
import { parse } from "../syntax/parse.js";

export interface DocContext {
  path: string;
  text: string;
  file: A.SourceFile;
  lines: LineIndex;
  entry: Entry;
  ws: Workspace;
  /** Blocks visible from this document (its own program first, then other open programs). */
  blocks: Map<string, BlockEntry>;
  /** Every parsed file known to the open programs, by path. */
  files: Map<string, A.SourceFile>;
  facts(file: string, span: A.Span): Fact | undefined;
  /** True when the shown facts come from an earlier check (the current one has errors). */
  stale: boolean;
}

export function docContext(ws: Workspace, path: string): DocContext | undefined {
  const entry = ws.check(path);
  if (!entry) return undefined;
  const text = ws.docs.get(path)!.getText();
  const file = entry.result.program.files.get(entry.result.program.entry) ?? parse(text, path).file;
  const blocks = new Map<string, BlockEntry>();
  const files = new Map<string, A.SourceFile>();
  const entries = [entry, ...ws.allEntries().filter((e) => e !== entry)];
  for (const e of entries) {
    for (const [name, b] of e.result.program.blocks) if (!blocks.has(name)) blocks.set(name, b);
    for (const [p, f] of e.result.program.files) if (!files.has(p)) files.set(p, f);
  }
  const factSources = entries.map((e) => e.facts);
  return {
    path, text, file, lines: lineIndex(path, text), entry, ws, blocks, files,
    facts: (f, span) => lookup(factSources, f, span),
    stale: entry.staleFacts,
  };
}
