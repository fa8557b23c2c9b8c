// Go to definition, find references, the outline and workspace symbols.

import { readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SymbolKind, type DocumentSymbol, type Location, type SymbolInformation } from "vscode-languageserver/node";
import type * as A from "../syntax/ast.js";
import { parse } from "../syntax/parse.js";
import { readSpecFile } from "../util/read-file.js";
import { childStatements, hitAt, layerText } from "./ast.js";
import type { DocContext } from "./context.js";
import { lineIndex, pathToUri } from "./convert.js";

function loc(ctx: DocContext, file: string, span: A.Span): Location {
  const text = file === ctx.path ? ctx.text : ctx.files.get(file)?.text ?? ctx.ws.text(file) ?? "";
  return { uri: pathToUri(file), range: lineIndex(file, text).range(span) };
}

// Definition and references read the checker's resolution table: a use under
// the cursor goes to what the checker resolved it to; a declaration lists its uses.
export function definition(ctx: DocContext, offset: number): Location[] {
  const use = ctx.useAt(offset);
  if (use) return [loc(ctx, use.decl.file, use.decl.span)];
  const hit = hitAt(ctx.file, offset);
  if (!hit) return [];
  switch (hit.kind) {
    case "import": {
      if (!hit.decl.path) return [];
      const target = resolve(dirname(ctx.path), hit.decl.path.value);
      return [{ uri: pathToUri(target), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }];
    }
    case "blockName":
    case "networkName":
      return [loc(ctx, ctx.path, hit.ident.span)];
    case "param":
      return [loc(ctx, ctx.path, hit.param.name.span)];
    case "stmtName":
      return [loc(ctx, ctx.path, hit.info.stmt.name!.span)];
    default:
      return [];
  }
}

export function references(ctx: DocContext, offset: number, includeDeclaration: boolean): Location[] {
  const use = ctx.useAt(offset);
  const hit = use ? undefined : hitAt(ctx.file, offset);
  const at = (span: A.Span) => ({ file: ctx.path, span });
  const decl = use ? use.decl
    : hit?.kind === "blockName" ? at(hit.ident.span)
    : hit?.kind === "param" ? at(hit.param.name.span)
    : hit?.kind === "stmtName" ? at(hit.info.stmt.name!.span)
    : undefined;
  if (decl) {
    const out = includeDeclaration ? [loc(ctx, decl.file, decl.span)] : [];
    for (const u of ctx.usesOf(decl)) out.push(loc(ctx, u.file, u.span));
    return out;
  }
  if (!hit) return [];
  if (hit.kind === "import" && hit.decl.path) {
    const target = resolve(dirname(ctx.path), hit.decl.path.value);
    const out: Location[] = [];
    for (const [path, file] of ctx.files)
      for (const item of file.items) if (item.kind === "import" && item.path && resolve(dirname(path), item.path.value) === target) out.push(loc(ctx, path, item.path.span));
    return out;
  }
  return [];
}

export function documentSymbols(ctx: DocContext): DocumentSymbol[] {
  const r = (s: A.Span) => ctx.lines.range(s);
  const sym = (name: string, kind: SymbolKind, span: A.Span, sel: A.Span, children: DocumentSymbol[] = [], detail?: string): DocumentSymbol => ({
    name: name || "?", kind, range: r(span), selectionRange: r(sel), children, detail,
  });
  const stmt = (st: A.Statement): DocumentSymbol => {
    const children = childStatements(st.layer);
    const label = st.name?.name ?? layerText(ctx.text, st);
    return sym(label, st.layer?.kind === "blockCall" ? SymbolKind.Object : SymbolKind.Variable, st.span, st.name?.span ?? st.span, children.map(stmt), st.name ? layerText(ctx.text, st) : undefined);
  };
  const out: DocumentSymbol[] = [];
  for (const item of ctx.file.items) {
    if (item.kind === "import") {
      if (item.path) out.push(sym(`import ${item.path.value}`, SymbolKind.File, item.span, item.path.span));
    } else if (item.kind === "block") {
      out.push(sym(item.name?.name ?? "block", SymbolKind.Function, item.span, item.name?.span ?? item.span, item.body.map(stmt), "block"));
    } else {
      const children: DocumentSymbol[] = [];
      for (const i of item.items) {
        if (i.kind === "statement") children.push(stmt(i));
        else if (i.kind === "section") children.push(sym(i.section, SymbolKind.Namespace, i.span, i.keyword, i.body.map(stmt)));
        else if (i.kind === "input") children.push(sym(i.name?.name ?? "input", SymbolKind.Field, i.span, i.name?.span ?? i.span, [], "input"));
        else children.push(sym(i.kind, SymbolKind.Property, i.span, i.span));
      }
      out.push(sym(item.name?.name ?? "network", SymbolKind.Class, item.span, item.name?.span ?? item.span, children, "network"));
    }
  }
  return out;
}

/** Blocks and networks of open programs and of the .net files under the workspace folders. */
export function workspaceSymbols(ctx: { files: Map<string, A.SourceFile> }, roots: string[], query: string): SymbolInformation[] {
  const files = new Map(ctx.files);
  for (const root of roots) for (const p of netFiles(root)) if (!files.has(p)) files.set(p, parsed(p));
  const q = query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const [path, file] of files) {
    const idx = lineIndex(path, file.text);
    for (const item of file.items) {
      if (item.kind === "import" || !item.name || !item.name.name.toLowerCase().includes(q)) continue;
      out.push({ name: item.name.name, kind: item.kind === "block" ? SymbolKind.Function : SymbolKind.Class, location: { uri: pathToUri(path), range: idx.range(item.name.span) } });
    }
  }
  return out.slice(0, 500);
}

const parseCache = new Map<string, { mtime: number; file: A.SourceFile }>();
function parsed(path: string): A.SourceFile {
  let mtime = 0;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    /* vanished: parse as empty */
  }
  const c = parseCache.get(path);
  if (c && c.mtime === mtime) return c.file;
  // Not readable as a spec (too large, not text, gone): no symbols.
  const read = readSpecFile(path);
  const text = typeof read === "string" ? read : "";
  const file = parse(text, path).file;
  parseCache.set(path, { mtime, file });
  return file;
}

/** .net files under a folder (skips dot folders and node_modules; bounded). */
function netFiles(root: string, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || out.length > 2000) return out;
  let list: import("node:fs").Dirent[] = [];
  try {
    list = readdirSync(root, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of list) {
    if (e.name.startsWith(".") || e.name === "node_modules" || e.name === "dist") continue;
    const full = join(root, e.name);
    if (e.isDirectory()) netFiles(full, out, depth + 1);
    else if (e.isFile() && e.name.endsWith(".net")) out.push(full);
  }
  return out;
}
