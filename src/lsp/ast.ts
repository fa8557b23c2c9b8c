// AST queries for the editor: what is under the cursor, the statement or item at a
// span. Positions only: what a name refers to comes from the checker's resolution
// table (DocContext.useAt). All of them accept partial trees (undefined fields).

import type * as A from "../syntax/ast.js";
import { childStatements } from "../syntax/children.js";
import { contains } from "./convert.js";

export type Owner = A.NetworkDecl | A.BlockDecl;

export interface StatementInfo {
  stmt: A.Statement;
  owner: Owner;
  /** Nesting under the owner: 0 for network/section/block-body statements. */
  depth: number;
  section: A.Section | undefined;
}

/** Every statement of a file, outer before inner. */
export function statements(file: A.SourceFile): StatementInfo[] {
  const out: StatementInfo[] = [];
  const visit = (body: A.Statement[], owner: Owner, depth: number, section: A.Section | undefined) => {
    for (const stmt of body) {
      out.push({ stmt, owner, depth, section });
      visit(childStatements(stmt.layer), owner, depth + 1, section);
    }
  };
  for (const item of file.items) {
    if (item.kind === "block") visit(item.body, item, 0, undefined);
    else if (item.kind === "network") {
      for (const i of item.items) {
        if (i.kind === "statement") visit([i], item, 0, undefined);
        else if (i.kind === "section") visit(i.body, item, 0, i);
      }
    }
  }
  return out;
}

/** The block or network around an offset (the last one starting before it when the tree is broken). */
export function ownerAt(file: A.SourceFile, offset: number): Owner | undefined {
  let best: Owner | undefined;
  for (const item of file.items) {
    if (item.kind === "import") continue;
    if (contains(item.span, offset)) return item;
    if (item.span.offset <= offset) best = item;
  }
  return best;
}

export { childStatements };

/** What the cursor is on, innermost first. */
export type Hit =
  | { kind: "import"; decl: A.ImportDecl }
  | { kind: "blockName"; decl: A.BlockDecl; ident: A.Ident }
  | { kind: "networkName"; decl: A.NetworkDecl; ident: A.Ident }
  | { kind: "param"; owner: Owner; param: A.Param }
  | { kind: "callee"; call: A.BlockCall; info: StatementInfo }
  | { kind: "argName"; call: A.BlockCall; arg: A.Argument }
  | { kind: "op"; layer: A.OpLayer; info: StatementInfo }
  | { kind: "attrKey"; layer: A.OpLayer; key: A.Ident }
  | { kind: "from"; ident: A.Ident; info: StatementInfo }
  | { kind: "stmtName"; info: StatementInfo }
  | { kind: "nameRef"; ref: A.NameRef; owner: Owner | undefined }
  | { kind: "statement"; info: StatementInfo };

export function hitAt(file: A.SourceFile, offset: number): Hit | undefined {
  for (const item of file.items) {
    if (item.kind === "import" && contains(item.span, offset)) return { kind: "import", decl: item };
    if (item.kind === "import" || !contains(item.span, offset)) continue;
    if (item.name && contains(item.name.span, offset)) {
      return item.kind === "block" ? { kind: "blockName", decl: item, ident: item.name } : { kind: "networkName", decl: item, ident: item.name };
    }
    for (const p of item.params) if (contains(p.name.span, offset)) return { kind: "param", owner: item, param: p };
  }
  // The innermost statement containing the offset.
  const infos = statements(file).filter((s) => contains(s.stmt.span, offset));
  const info = infos[infos.length - 1];
  const owner = ownerAt(file, offset);
  if (!info) {
    const ref = nameRefAt(file, offset);
    return ref ? { kind: "nameRef", ref, owner } : undefined;
  }
  const st = info.stmt;
  if (st.name && contains(st.name.span, offset)) return { kind: "stmtName", info };
  if (st.from && contains(st.from.span, offset)) return { kind: "from", ident: st.from, info };
  const l = st.layer;
  if (l?.kind === "blockCall") {
    if (contains(l.callee.span, offset)) return { kind: "callee", call: l, info };
    for (const a of l.args) if (a.name && contains(a.name.span, offset)) return { kind: "argName", call: l, arg: a };
  }
  if (l?.kind === "op") {
    if (contains(l.op.span, offset)) return { kind: "op", layer: l, info };
    for (const a of l.attrs) if (a.kind === "namedAttr" && contains(a.key.span, offset)) return { kind: "attrKey", layer: l, key: a.key };
  }
  const ref = nameRefIn(st, offset);
  if (ref) return { kind: "nameRef", ref, owner };
  return { kind: "statement", info };
}

/** A name reference (parameter use) under the cursor anywhere in the file. */
function nameRefAt(file: A.SourceFile, offset: number): A.NameRef | undefined {
  let found: A.NameRef | undefined;
  walk(file, (n) => {
    if ((n as A.Expr).kind === "name" && contains(n.span, offset)) found = n as A.NameRef;
  });
  return found;
}

function nameRefIn(st: A.Statement, offset: number): A.NameRef | undefined {
  let found: A.NameRef | undefined;
  walk(st, (n) => {
    if ((n as A.Expr).kind === "name" && contains(n.span, offset)) found = n as A.NameRef;
  });
  return found;
}

/** Visits every object with a span under `root` (generic: the AST is plain data). */
export function walk(root: unknown, visit: (n: A.Node) => void, depth = 0): void {
  if (!root || typeof root !== "object" || depth > 200) return;
  if (Array.isArray(root)) {
    for (const x of root) walk(x, visit, depth + 1);
    return;
  }
  const o = root as Record<string, unknown>;
  if (o.span && typeof o.span === "object") visit(o as unknown as A.Node);
  for (const [k, v] of Object.entries(o)) if (k !== "span" && k !== "text" && k !== "comments" && v && typeof v === "object") walk(v, visit, depth + 1);
}

/** The statement whose name is at `span` (a declaration the checker recorded). */
export function declaringStatement(file: A.SourceFile, span: A.Span): StatementInfo | undefined {
  return statements(file).find((s) => s.stmt.name?.span.offset === span.offset && s.stmt.name.span.length === span.length);
}

/** The block or network declaring the parameter whose name is at `span`. */
export function paramOwner(file: A.SourceFile, span: A.Span): Owner | undefined {
  for (const item of file.items) if (item.kind !== "import" && item.params.some((p) => p.name.span.offset === span.offset)) return item;
  return undefined;
}

/** Short source text of a statement's layer, for outlines and hovers. */
export function layerText(text: string, st: A.Statement): string {
  const s = st.layer?.span ?? st.span;
  const t = text.slice(s.offset, s.offset + s.length).replace(/\s+/g, " ");
  return t.length > 60 ? t.slice(0, 57) + "..." : t;
}
