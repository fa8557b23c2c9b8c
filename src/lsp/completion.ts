// Completion from the text before the cursor (the tree is often broken while
// typing): op names and block names where a layer starts, attributes, flags and
// values after an op, layer names after `from`, parameters in expressions.

import { readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from "vscode-languageserver/node";
import { activations, defaultGroups, findOp, ops, opsInGroup, type AttrSpec, type OpSpec } from "../check/ops.js";
import { contains } from "./convert.js";
import { ownerAt, statements, type Owner } from "./ast.js";
import type { DocContext } from "./context.js";

const layerKeywords = ["seq", "concat", "add", "mul", "repeat"];
const networkKeywords = ["input", "defaults", "train", "stem", "body", "head"];
const topKeywords = ["import", "block", "network"];

export function complete(ctx: DocContext, offset: number): CompletionItem[] {
  const lineStart = ctx.text.lastIndexOf("\n", offset - 1) + 1;
  const prefix = ctx.text.slice(lineStart, offset);
  const owner = ownerAt(ctx.file, offset);
  const inOwner = owner !== undefined && (contains(owner.span, offset) || !closedBefore(ctx.text, owner, offset));

  if (/^\s*import\s+"[^"]*$/.test(prefix)) return importPaths(ctx.path);
  if (/\bfrom\s+\w*$/.test(prefix)) return owner ? fromNames(ctx, owner) : [];
  if (!inOwner) return keywords(topKeywords);

  // The current statement: after the last ';' or '{' on the line, without `name =`.
  const segment = prefix.slice(Math.max(prefix.lastIndexOf(";"), prefix.lastIndexOf("{")) + 1);
  const m = /^\s*(?:[A-Za-z_]\w*\s*=\s*)?([A-Za-z_]\w*)(\s+|\()(.*)$/.exec(segment);
  if (owner?.kind === "network" && inDefaults(owner, offset)) {
    if (!m) return defaultGroups().map((g) => ({ label: g, kind: CompletionItemKind.Module }));
    return opsInGroup(m[1]!).flatMap((op) => attributes(op, m[3]!, [])).filter(uniqueLabel());
  }
  if (m) {
    const word = m[1]!;
    const rest = m[3]!;
    const op = findOp(word);
    if (op && m[2] !== "(") return attributes(op, rest, scopeNames(owner));
    const block = ctx.blocks.get(word);
    if (block && m[2] === "(" && !rest.includes(")")) {
      return [
        ...block.decl.params.map((p) => ({ label: `${p.name.name}=`, kind: CompletionItemKind.Field, detail: `parameter of ${word}` })),
        ...params(scopeNames(owner)),
      ];
    }
    if (/(->|<-|\bweight|\bparams|\bmacs)/.test(rest)) return params(scopeNames(owner));
  }
  // A layer starts here.
  const items: CompletionItem[] = [
    ...ops.flatMap((o) => [o.name, ...(o.aliases ?? [])].map((n) => ({ label: n, kind: CompletionItemKind.Function, detail: "op", documentation: o.doc }))),
    ...[...ctx.blocks.values()].map((b) => ({
      label: b.decl.name!.name,
      kind: CompletionItemKind.Class,
      detail: `block ${b.decl.name!.name}(${b.decl.params.map((p) => p.name.name).join(", ")})`,
      documentation: b.decl.doc,
      insertText: `${b.decl.name!.name}(${b.decl.params.map((p, i) => `\${${i + 1}:${p.name.name}}`).join(", ")})`,
      insertTextFormat: InsertTextFormat.Snippet,
    })),
    ...keywords(layerKeywords),
  ];
  if (owner?.kind === "network") items.push(...keywords(networkKeywords));
  return items;
}

function attributes(op: OpSpec, rest: string, scope: string[]): CompletionItem[] {
  const key = /([A-Za-z_]\w*)\s*=\s*\w*$/.exec(rest)?.[1];
  if (key) {
    const attr = op.attrs.find((a) => a.key === key || a.aliases?.includes(key));
    return [...(attr ? valuesOf(attr) : []), ...params(scope)];
  }
  return [
    ...op.attrs.map((a) => ({ label: `${a.key}=`, kind: CompletionItemKind.Property, detail: a.type, documentation: a.doc })),
    ...Object.entries(op.flags).map(([flag, [k, v]]) => ({ label: flag, kind: CompletionItemKind.EnumMember, detail: `flag: ${k}=${String(v)}` })),
    ...params(scope),
  ];
}

function valuesOf(attr: AttrSpec): CompletionItem[] {
  const v = (label: string) => ({ label, kind: CompletionItemKind.Value });
  switch (attr.type) {
    case "act":
      return [...activations, "none"].map(v);
    case "pads":
      return ["same", "valid"].map(v);
    case "bool":
      return ["true", "false"].map(v);
    default:
      return [];
  }
}

function fromNames(ctx: DocContext, owner: Owner): CompletionItem[] {
  const names = namedStatements(ctx.file, owner).map((s) => s.name!.name);
  if (owner.kind === "network") {
    const input = owner.items.find((i) => i.kind === "input");
    names.unshift(input?.kind === "input" ? input.name?.name ?? "input" : "input");
  }
  return [...new Set(names)].map((n) => ({ label: n, kind: CompletionItemKind.Variable, detail: "layer" }));
}

function scopeNames(owner: Owner | undefined): string[] {
  return owner ? [...owner.params.map((p) => p.name.name), ...inputBindings(owner)] : [];
}
function params(names: string[]): CompletionItem[] {
  return names.map((n) => ({ label: n, kind: CompletionItemKind.Variable, detail: "parameter" }));
}
function keywords(list: string[]): CompletionItem[] {
  return list.map((k) => ({ label: k, kind: CompletionItemKind.Keyword }));
}
function uniqueLabel() {
  const seen = new Set<string>();
  return (i: CompletionItem) => !seen.has(i.label) && !!seen.add(i.label);
}

function inDefaults(net: Extract<Owner, { kind: "network" }>, offset: number): boolean {
  return net.items.some((i) => i.kind === "defaults" && contains(i.span, offset) && offset > i.span.offset + "defaults".length);
}

/** A declaration whose closing brace comes before the cursor (the cursor is back at the top level). */
function closedBefore(text: string, owner: Owner, offset: number): boolean {
  let depth = 0;
  let opened = false;
  for (let i = owner.span.offset; i < offset; i++) {
    const c = text[i];
    if (c === "{") (depth++, (opened = true));
    else if (c === "}") depth--;
    else if (c === "/" && text[i + 1] === "/") i = text.indexOf("\n", i) < 0 ? offset : text.indexOf("\n", i);
  }
  return opened && depth <= 0;
}

/** .net files next to the document and one level down, for `import "`. */
function importPaths(path: string): CompletionItem[] {
  const dir = dirname(path);
  const out: CompletionItem[] = [];
  const scan = (d: string, depth: number) => {
    let list: import("node:fs").Dirent[] = [];
    try {
      list = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of list) {
      const full = join(d, e.name);
      if (e.isDirectory() && depth < 2 && !e.name.startsWith(".") && e.name !== "node_modules") scan(full, depth + 1);
      else if (e.isFile() && e.name.endsWith(".net") && full !== path) out.push({ label: relative(dir, full).split("\\").join("/"), kind: CompletionItemKind.File });
    }
  };
  scan(dir, 0);
  return out.slice(0, 200);
}

// Completion offers candidates, it resolves nothing: every name an owner declares
// (what a written name refers to is the checker's answer, see DocContext.useAt).
function namedStatements(file: import("../syntax/ast.js").SourceFile, owner: Owner) {
  return statements(file).filter((s) => s.owner === owner && s.stmt.name).map((s) => s.stmt);
}

/** Names a block's `<- cin` annotation offers besides its parameters. */
function inputBindings(owner: Owner | undefined): string[] {
  if (owner?.kind !== "block") return [];
  const params = new Set(owner.params.map((p) => p.name.name));
  return owner.annotations.flatMap((a) =>
    a.kind === "shapeAnnotation" && a.direction === "in" ? a.exprs.flatMap((e) => (e.kind === "name" && !params.has(e.name) ? [e.name] : [])) : [],
  );
}
