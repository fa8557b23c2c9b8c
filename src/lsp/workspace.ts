// The server's state: open documents (an overlay over the disk), the last check
// of each open document, and which files every check read (to re-check
// importers when an imported file changes). Checking is synchronous and cheap;
// results are computed lazily (on a request) or by flush() after changes.

import { TextDocument, type TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import { checkText, type CheckResult, type FileHost } from "../check/index.js";
import { diskHost } from "../check/program.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { dropFile, factsOf, shift, type Fact } from "./facts.js";

export interface Entry {
  /** Document version the result belongs to; dependencies may have changed since (dirty). */
  version: number;
  dirty: boolean;
  result: CheckResult;
  /** From the last check without errors (shifted through later edits). */
  facts: Map<string, Fact>;
  /** True when `facts` are older than `result` (the latest check had errors). */
  staleFacts: boolean;
}

export class Workspace {
  readonly docs = new Map<string, TextDocument>();
  readonly entries = new Map<string, Entry>();
  readonly host: FileHost = {
    readFile: (path) => this.docs.get(path)?.getText() ?? diskHost.readFile(path),
  };

  open(path: string, uri: string, text: string, version: number): void {
    this.docs.set(path, TextDocument.create(uri, "net", version, text));
    this.invalidate(path);
  }

  change(path: string, changes: TextDocumentContentChangeEvent[], version: number): void {
    const doc = this.docs.get(path);
    if (!doc) return;
    // Apply one change at a time so the facts can follow each edit's offsets.
    let current = doc;
    for (const c of changes) {
      if ("range" in c && c.range) {
        const start = current.offsetAt(c.range.start);
        const end = current.offsetAt(c.range.end);
        for (const e of this.entries.values()) e.facts = shift(e.facts, path, start, end, c.text.length);
      } else {
        for (const e of this.entries.values()) e.facts = dropFile(e.facts, path);
      }
      current = TextDocument.update(current, [c], version);
    }
    this.docs.set(path, current);
    this.invalidate(path);
  }

  close(path: string): void {
    this.docs.delete(path);
    this.entries.delete(path);
    this.invalidate(path);
  }

  /** A file changed (open document or disk): every check that read it is dirty. */
  invalidate(path: string): void {
    for (const [entryPath, e] of this.entries) {
      if (entryPath === path || e.result.program.files.has(path)) e.dirty = true;
    }
  }

  /** Open documents whose checks are out of date. */
  dirtyEntries(): string[] {
    return [...this.docs.keys()].filter((p) => {
      const e = this.entries.get(p);
      return !e || e.dirty || e.version !== this.docs.get(p)!.version;
    });
  }

  /** The up-to-date check of an open document (undefined when it is not open). */
  check(path: string): Entry | undefined {
    const doc = this.docs.get(path);
    if (!doc) return undefined;
    const prior = this.entries.get(path);
    if (prior && !prior.dirty && prior.version === doc.version) return prior;
    const result = checkText(doc.getText(), path, this.host);
    const graphs = result.graphs.filter((g) => g !== undefined);
    const ok = !result.diagnostics.some((d) => d.severity === "error") && graphs.length > 0;
    // What elaborated this time (the checker's partial graph, exact even with errors
    // elsewhere) wins; facts of the last good check fill in what the error cut off.
    const fresh = new Map<string, Fact>();
    for (const g of result.partial) if (g) for (const [k, f] of factsOf(g)) fresh.set(k, f);
    const facts = ok ? fresh : new Map([...(prior?.facts ?? new Map<string, Fact>()), ...fresh]);
    const entry: Entry = { version: doc.version, dirty: false, result, facts, staleFacts: !ok && facts.size > fresh.size };
    this.entries.set(path, entry);
    return entry;
  }

  /** Checks of every open document, brought up to date. */
  allEntries(): Entry[] {
    return [...this.docs.keys()].map((p) => this.check(p)!);
  }

  /** Text of a file as the server sees it: the open document, a checked program's copy, or the disk. */
  text(path: string): string | undefined {
    const doc = this.docs.get(path);
    if (doc) return doc.getText();
    for (const e of this.entries.values()) {
      const f = e.result.program.files.get(path);
      if (f) return f.text;
    }
    const read = diskHost.readFile(path);
    return typeof read === "string" ? read : undefined;
  }

  /** Diagnostics for one file, gathered from every open document's check (a block's errors show up via its importers). */
  diagnosticsFor(path: string): Diagnostic[] {
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const e of this.entries.values()) {
      for (const d of e.result.diagnostics) {
        if (d.file !== path) continue;
        const k = `${d.code}\0${d.span.offset}\0${d.span.length}\0${d.message}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(d);
      }
    }
    return out;
  }
}
