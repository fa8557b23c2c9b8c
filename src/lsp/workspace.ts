// The server's state: open documents (an overlay over the disk), the last check
// of each open document, and which files every check read (to re-check
// importers when an imported file changes). Checking is synchronous; results
// are computed lazily (on a request) or by the server's check queue after changes.
//
// Work per keystroke is bounded: a document longer than `liveCheckChars` is not
// checked (one NET5005 warning instead), and files read from disk (imports) are
// cached by path, mtime and size, so an unchanged import costs one stat.

import { statSync, type Stats } from "node:fs";
import { TextDocument, type TextDocumentContentChangeEvent } from "vscode-languageserver-textdocument";
import { checkText, type CheckResult, type FileHost } from "../check/index.js";
import { diskHost } from "../check/program.js";
import { refuse, type ReadProblem } from "../util/read-file.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { parse } from "../syntax/parse.js";
import { dropFile, factsOf, shift, type Fact } from "./facts.js";

/**
 * Longest document checked as you type. The checker costs roughly 12-40 µs per
 * statement; 1 MiB of spec (~40,000 statements) keeps a check around a second.
 */
const LIVE_CHECK_CHARS = 1024 * 1024;
/** Other open documents whose checks take this long are used as last checked by requests. */
const STALE_OK_MS = 250;
/** Largest file read from disk, as the checker's own limit (NET1007). */

export interface WorkspaceOptions {
  liveCheckChars?: number;
  /** Reads a file that stat says is a regular file within the size cap. */
  read?: (path: string) => string | ReadProblem | undefined;
  stat?: (path: string) => Pick<Stats, "isFile" | "mtimeMs" | "size"> | undefined;
}

/** Counters for `netc/stats` (tests and measurements). */
export interface WorkspaceStats {
  checks: number;
  diskReads: number;
  cacheHits: number;
  refusedReads: number;
}

/** One text edit: old offsets [start, end) of `file` replaced by `inserted` characters; `all` replaces the whole text. */
interface Edit {
  file: string;
  start: number;
  end: number;
  inserted: number;
  all: boolean;
}

export class Entry {
  dirty = false;
  /** Milliseconds the check took (0 for a document not checked). */
  cost = 0;
  private current: Map<string, Fact>;
  private edits: Edit[] = [];

  constructor(
    /** Document version the result belongs to; dependencies may have changed since (dirty). */
    public version: number,
    public result: CheckResult,
    facts: Map<string, Fact>,
    /** True when `facts` are older than `result` (the latest check had errors). */
    public staleFacts: boolean,
  ) {
    this.current = facts;
  }

  /** From the last check without errors, moved through the edits since. */
  get facts(): Map<string, Fact> {
    for (const e of this.edits) this.current = e.all ? dropFile(this.current, e.file) : shift(this.current, e.file, e.start, e.end, e.inserted);
    this.edits = [];
    return this.current;
  }

  /**
   * The facts follow an edit when next read: in a burst of keystrokes a fresh
   * check usually replaces them first, so most edits never cost a pass.
   */
  edit(e: Edit): void {
    this.edits.push(e);
    if (this.edits.length >= 4096) void this.facts;
  }
}

/**
 * Disk reads keyed by path, mtime and size: an unchanged import costs a stat.
 * Anything but a regular file, or a file over the cap, is refused unread (a
 * FIFO or /dev/zero would block or grow without bound).
 */
class FileCache {
  private readonly files = new Map<string, { mtimeMs: number; size: number; text: string | ReadProblem | undefined }>();

  constructor(
    private readonly stats: WorkspaceStats,
    private readonly read: (path: string) => string | ReadProblem | undefined = (p) => diskHost.readFile(p),
    private readonly stat: NonNullable<WorkspaceOptions["stat"]> = (p) => statSync(p, { throwIfNoEntry: false }),
  ) {}

  readFile(path: string): string | ReadProblem | undefined {
    let st: ReturnType<typeof this.stat>;
    try {
      st = this.stat(path);
    } catch {
      st = undefined;
    }
    const refused = st ? refuse(st) : { problem: "missing" as const, reason: "no such file" };
    if (!st || refused) {
      this.files.delete(path);
      if (st) this.stats.refusedReads++;
      return refused;
    }
    const hit = this.files.get(path);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
      this.stats.cacheHits++;
      return hit.text;
    }
    this.stats.diskReads++;
    const text = this.read(path);
    this.files.set(path, { mtimeMs: st.mtimeMs, size: st.size, text });
    return text;
  }

  forget(path: string): void {
    this.files.delete(path);
  }
}

export class Workspace {
  readonly docs = new Map<string, TextDocument>();
  readonly entries = new Map<string, Entry>();
  readonly stats: WorkspaceStats = { checks: 0, diskReads: 0, cacheHits: 0, refusedReads: 0 };
  readonly liveCheckChars: number;
  private readonly disk: FileCache;
  readonly host: FileHost = {
    readFile: (path) => this.docs.get(path)?.getText() ?? this.disk.readFile(path),
  };

  constructor(options: WorkspaceOptions = {}) {
    this.liveCheckChars = options.liveCheckChars ?? LIVE_CHECK_CHARS;
    this.disk = new FileCache(this.stats, options.read, options.stat);
  }

  /** True when an open document is too long to check as you type. */
  tooLarge(path: string): boolean {
    const doc = this.docs.get(path);
    return !!doc && doc.getText().length > this.liveCheckChars;
  }

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
        for (const e of this.entries.values()) e.edit({ file: path, start, end, inserted: c.text.length, all: false });
      } else {
        for (const e of this.entries.values()) e.edit({ file: path, start: 0, end: 0, inserted: 0, all: true });
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
    this.disk.forget(path);
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
    const text = doc.getText();
    if (text.length > this.liveCheckChars) {
      const entry = new Entry(doc.version, unchecked(path, text.length, this.liveCheckChars), new Map(), false);
      this.entries.set(path, entry);
      return entry;
    }
    this.stats.checks++;
    const t0 = performance.now();
    const result = checkText(text, path, this.host);
    const cost = performance.now() - t0;
    const graphs = result.graphs.filter((g) => g !== undefined);
    const ok = !result.diagnostics.some((d) => d.severity === "error") && graphs.length > 0;
    // What elaborated this time (the checker's partial graph, exact even with errors
    // elsewhere) wins; facts of the last good check fill in what the error cut off.
    const fresh = new Map<string, Fact>();
    for (const g of result.partial) if (g) for (const [k, f] of factsOf(g)) fresh.set(k, f);
    const facts = ok ? fresh : new Map([...(prior?.facts ?? new Map<string, Fact>()), ...fresh]);
    const entry = new Entry(doc.version, result, facts, !ok && facts.size > fresh.size);
    entry.cost = cost;
    this.entries.set(path, entry);
    return entry;
  }

  /**
   * Checks of every open document, brought up to date, except that a document
   * whose last check was slow keeps it: a request on one document must not
   * wait for another's check (the server's queue brings it up to date soon).
   */
  allEntries(): Entry[] {
    return [...this.docs.keys()].map((p) => {
      const prior = this.entries.get(p);
      return prior && prior.cost >= STALE_OK_MS ? prior : this.check(p)!;
    });
  }

  /** Text of a file as the server sees it: the open document, a checked program's copy, or the disk. */
  text(path: string): string | undefined {
    const doc = this.docs.get(path);
    if (doc) return doc.getText();
    for (const e of this.entries.values()) {
      const f = e.result.program.files.get(path);
      if (f) return f.text;
    }
    const read = this.disk.readFile(path);
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

/** The result standing in for a check of a document too long to check live. */
function unchecked(path: string, size: number, limit: number): CheckResult {
  const d = diag("NET5005", path, { offset: 0, length: 0 }, { limit, size });
  const file = parse("", path).file;
  return {
    program: { entry: path, files: new Map([[path, file]]), imports: new Map(), blocks: new Map(), networks: [], diagnostics: [d] },
    graphs: [],
    graph: undefined,
    partial: [],
    diagnostics: [d],
    resolutions: { uses: [], values: [] },
  };
}
