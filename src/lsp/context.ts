// Everything a request handler needs about one open document, gathered once:
// its latest AST, the facts of every open spec, the block table, all known files.

import type * as A from "../syntax/ast.js";
import type { BlockEntry } from "../check/program.js";
import type { Fact } from "./facts.js";
import { lookup } from "./facts.js";
import type { Entry, Workspace } from "./workspace.js";
import { lineIndex, type LineIndex } from "./convert.js";
import { parse } from "../syntax/parse.js";
import type { Declaration, ParamValue, Resolution } from "../check/index.js";
import { declKey } from "../check/resolutions.js";

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
  /** The checker's resolution of the name use under an offset of this document. */
  useAt(offset: number): Resolution | undefined;
  /** Every use the open programs' checks resolved to a declaration. */
  usesOf(decl: Pick<Declaration, "file" | "span">): Resolution[];
  /** A parameter's values at each call (or a network parameter's value). */
  valuesOf(decl: Pick<Declaration, "file" | "span">): ParamValue[];
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
  // Gathered on the first question that needs them (most requests ask only useAt).
  let gathered: { uses: Resolution[]; values: ParamValue[] } | undefined;
  const gather = () => (gathered ??= gatherUses(ws, entry, entries));
  return {
    path, text, file, lines: lineIndex(path, text), entry, ws, blocks, files,
    facts: (f, span) => lookup(factSources, f, span),
    stale: entry.staleFacts,
    useAt: (offset) => {
      let best: Resolution | undefined;
      for (const r of entry.result.resolutions.uses) {
        if (r.file !== path || offset < r.span.offset || offset > r.span.offset + r.span.length) continue;
        if (!best || r.span.length < best.span.length) best = r;
      }
      return best;
    },
    usesOf: (decl) => gather().uses.filter((r) => declKey(r.decl) === declKey(decl)),
    valuesOf: (decl) => {
      const k = declKey(decl);
      const seenValue = new Set<string>();
      return gather().values.filter((v) => {
        const id = `${v.call ? `${declKey(v.call)}\0${v.call.path}` : ""}\0${v.value}`;
        if (declKey(v.decl) !== k || seenValue.has(id)) return false;
        seenValue.add(id);
        return true;
      });
    },
  };
}

/** Uses and values from every open document's check, each once. */
function gatherUses(ws: Workspace, entry: Entry, entries: Entry[]): { uses: Resolution[]; values: ParamValue[] } {
  // Other documents' checks may predate an edit of a file (a slow check is reused):
  // their uses in a file count only when they read the text the server has now.
  const uses: Resolution[] = [];
  const values: ParamValue[] = [];
  const current = new Map<string, string | undefined>();
  const fresh = (e: Entry, file: string) => {
    if (e === entry) return true;
    if (!current.has(file)) current.set(file, ws.text(file));
    return e.result.program.files.get(file)?.text === current.get(file);
  };
  const seen = new Set<string>();
  for (const e of entries) {
    for (const r of e.result.resolutions.uses) {
      const k = `${declKey(r)}\0${declKey(r.decl)}`;
      if (seen.has(k) || !fresh(e, r.file) || !fresh(e, r.decl.file)) continue;
      seen.add(k);
      uses.push(r);
    }
    for (const v of e.result.resolutions.values) if (fresh(e, v.decl.file) && (!v.call || fresh(e, v.call.file))) values.push(v);
  }
  return { uses, values };
}
