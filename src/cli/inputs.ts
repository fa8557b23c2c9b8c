// What a command's spec arguments name: files, directories (every *.net below,
// recursively) and globs (`specs/**/*.net`, for shells that did not expand them
// or that were quoted on purpose). Node 20 has no fs.glob, so the matcher is
// here: `*` and `?` within one path segment (not matching a leading dot, as
// shells do), `[abc]`/`[a-z]`/`[!x]`, `{a,b}` alternatives and `**` for zero or
// more directories. Results are sorted by code point and de-duplicated, so the
// order of diagnostics does not depend on the file system.

import { existsSync, readdirSync, statSync, type Dirent } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";

export interface Inputs {
  /** Paths in order, as the user would write them (relative where the argument was). */
  files: string[];
  /** One line per argument that named nothing: "no .net files in 'lib/'". */
  problems: string[];
  /** Some argument was a folder or a glob: the user asked for a set of specs, however many it held. */
  expanded: boolean;
  /**
   * For each file, the folder its argument started from: the folder argument,
   * a glob's fixed leading folders, or a file's own folder. `compile --out`
   * mirrors the layout below it.
   */
  bases: string[];
}

const MAGIC = /[*?[{]/;

/** Folders never searched: dependencies and hidden folders (.git). */
function skipped(name: string): boolean {
  return name === "node_modules" || name.startsWith(".");
}

export function expandInputs(args: string[]): Inputs {
  const files: string[] = [];
  const bases: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  let expanded = false;
  let base = ".";
  const add = (f: string) => {
    const key = resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
      bases.push(base);
    }
  };
  for (const arg of args) {
    if (isDirectory(arg)) {
      expanded = true;
      base = arg;
      const found = netFilesUnder(arg);
      if (found.length === 0) problems.push(`no .net files in '${arg}'`);
      found.forEach(add);
    } else if (MAGIC.test(arg) && !existsSync(arg)) {
      expanded = true;
      base = globBase(arg);
      const found = glob(arg);
      if (found.length === 0) problems.push(`no files match '${arg}'`);
      found.forEach(add);
    } else {
      // A missing file stays: the checker reports it as unreadable (NET2016), like any other.
      base = dirname(arg);
      add(arg);
    }
  }
  return { files, problems, expanded, bases };
}

/** A glob's leading folders before the first segment with magic ("specs/zoo" for "specs/zoo/{a,b}.net"). */
export function globBase(pattern: string): string {
  const parts = pattern.split(/[\\/]+/);
  const fixed: string[] = [];
  for (const p of parts.slice(0, -1)) {
    if (MAGIC.test(p)) break;
    fixed.push(p);
  }
  if (fixed.length === 0) return ".";
  if (fixed.length === 1 && fixed[0] === "") return sep;
  return fixed.join("/");
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => byCodePoint(a.name, b.name));
  } catch {
    return [];
  }
}

/** Symbolic links to files count; links to folders are not followed (no cycles). */
function kind(dir: string, d: Dirent): "file" | "dir" | "other" {
  if (d.isDirectory()) return "dir";
  if (d.isFile()) return "file";
  if (d.isSymbolicLink()) {
    try {
      return statSync(join(dir, d.name)).isFile() ? "file" : "other";
    } catch {
      return "other";
    }
  }
  return "other";
}

/** Every *.net file below `dir`, depth first, names sorted in each folder; hidden files and folders are left out, as globs leave them. */
export function netFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of entries(d)) {
      const k = kind(d, e);
      if (k === "dir" && !skipped(e.name)) walk(join(d, e.name));
      else if (k === "file" && !e.name.startsWith(".") && e.name.endsWith(".net")) out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

/** `{a,b}` alternatives, expanded first (nested ones too). */
export function expandBraces(pattern: string): string[] {
  let depth = 0;
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "{" && depth++ === 0) open = i;
    else if (ch === "}" && depth > 0 && --depth === 0) {
      const parts: string[] = [];
      let level = 0;
      let from = open + 1;
      for (let j = open + 1; j < i; j++) {
        if (pattern[j] === "{") level++;
        else if (pattern[j] === "}") level--;
        else if (pattern[j] === "," && level === 0) {
          parts.push(pattern.slice(from, j));
          from = j + 1;
        }
      }
      parts.push(pattern.slice(from, i));
      const head = pattern.slice(0, open);
      const tails = expandBraces(pattern.slice(i + 1));
      return parts.flatMap((p) => expandBraces(head + p).flatMap((h) => tails.map((t) => h + t)));
    }
  }
  return [pattern];
}

/** One path segment's pattern as a regular expression. */
export function segmentRegExp(segment: string): RegExp {
  let re = "";
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = segment.indexOf("]", i + 2);
      if (end < 0) re += "\\[";
      else {
        let body = segment.slice(i + 1, end);
        const negate = body.startsWith("!") || body.startsWith("^");
        if (negate) body = body.slice(1);
        re += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^$()|\\{}\]]/g, (c) => `\\${c}`);
  }
  // A leading `*` or `?` does not match a hidden file, as in shells.
  return new RegExp(`^${/^[*?[]/.test(segment) ? "(?!\\.)" : ""}${re}$`);
}

/** Files matching `pattern` (relative to the working directory, or absolute), sorted. */
export function glob(pattern: string): string[] {
  const out = new Set<string>();
  for (const p of expandBraces(pattern)) for (const f of globOne(p)) out.add(f);
  return [...out].sort(byCodePoint);
}

function globOne(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/).filter((s, i) => s !== "" || i === 0);
  // The part before the first segment with magic is a plain folder to start from.
  let base = parts[0] === "" ? sep : "";
  let i = parts[0] === "" ? 1 : 0;
  while (i < parts.length - 1 && !MAGIC.test(parts[i]!)) {
    base = base ? join(base, parts[i]!) : parts[i]!;
    i++;
  }
  const rest = parts.slice(i);
  const out: string[] = [];
  const visit = (dir: string, k: number): void => {
    const seg = rest[k]!;
    const last = k === rest.length - 1;
    if (seg === "**") {
      if (last) {
        // `dir/**` alone: every spec below, like a directory argument.
        out.push(...netFilesUnder(dir || "."));
        return;
      }
      visit(dir, k + 1);
      for (const e of entries(dir || ".")) if (kind(dir || ".", e) === "dir" && !skipped(e.name)) visit(join(dir, e.name), k);
      return;
    }
    if (!MAGIC.test(seg)) {
      const p = dir ? join(dir, seg) : seg;
      if (last) {
        if (isFile(p)) out.push(p);
      } else if (isDirectory(p)) visit(p, k + 1);
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of entries(dir || ".")) {
      if (!re.test(e.name)) continue;
      const k2 = kind(dir || ".", e);
      const p = dir ? join(dir, e.name) : e.name;
      if (last && k2 === "file") out.push(p);
      else if (!last && k2 === "dir") visit(p, k + 1);
    }
  };
  if (rest.length > 0) visit(base, 0);
  return out;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
