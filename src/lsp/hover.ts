// Hover: output shape, parameters and MACs of a layer, block call or named
// statement; block and op docs; a block parameter's values at each call.
// Everything taken from a spec (names, docs, paths, argument text) goes through
// ./markdown.js so it shows as text; the op table's docs are netc's own markdown.

import type { Hover } from "vscode-languageserver/node";
import type * as A from "../syntax/ast.js";
import { findAttr, findOp } from "../check/ops.js";
import { formatShape } from "../ir/shapes.js";
import type { Fact } from "./facts.js";
import { blockCalls, hitAt, inputBindings, namedStatements, type Owner, type StatementInfo } from "./ast.js";
import type { DocContext } from "./context.js";
import { Env, evaluate, describe } from "../check/values.js";
import * as md from "./markdown.js";

export function hover(ctx: DocContext, offset: number): Hover | null {
  const hit = hitAt(ctx.file, offset);
  if (!hit) return null;
  let out: string | undefined;
  let span: A.Span | undefined;
  switch (hit.kind) {
    case "statement":
    case "stmtName":
    case "callee":
      out = statementHover(ctx, hit.info);
      span = hit.kind === "callee" ? hit.call.callee.span : hit.kind === "stmtName" ? hit.info.stmt.name!.span : hit.info.stmt.layer?.span;
      break;
    case "op": {
      const spec = findOp(hit.layer.op.name);
      out = [statementHover(ctx, hit.info), spec ? `\`${spec.name}\`: ${spec.doc}` : undefined].filter(Boolean).join("\n\n---\n\n");
      span = hit.layer.op.span;
      break;
    }
    case "attrKey": {
      const spec = findOp(hit.layer.op.name);
      const attr = spec && findAttr(spec, hit.key.name);
      out = attr ? `\`${attr.key}\` (${attr.type}): ${attr.doc}` : undefined;
      span = hit.key.span;
      break;
    }
    case "from": {
      const target = namedStatements(ctx.file, hit.info.owner).find((s) => s.name!.name === hit.ident.name);
      out = target ? statementHover(ctx, { ...hit.info, stmt: target }) : undefined;
      span = hit.ident.span;
      break;
    }
    case "blockName":
      out = blockHover(ctx, hit.decl);
      span = hit.ident.span;
      break;
    case "networkName":
      out = [`**network ${md.text(hit.decl.name?.name ?? "")}**`, hit.decl.doc && md.doc(hit.decl.doc), totals(ctx)].filter(Boolean).join("\n\n");
      span = hit.ident.span;
      break;
    case "param":
      out = paramHover(ctx, hit.owner, hit.param.name.name);
      span = hit.param.name.span;
      break;
    case "nameRef": {
      const param = hit.owner?.params.find((p) => p.name.name === hit.ref.name);
      out = param && hit.owner ? paramHover(ctx, hit.owner, param.name.name)
        : inputBindings(hit.owner).includes(hit.ref.name) ? `${md.code(hit.ref.name)}: the channel count the block receives (bound by its ${md.code(`<- ${hit.ref.name}`)})` : undefined;
      span = hit.ref.span;
      break;
    }
    case "argName": {
      const b = ctx.blocks.get(hit.call.callee.name);
      out = b ? `parameter ${md.code(hit.arg.name!.name)} of block ${md.code(b.decl.name?.name ?? "")}` : undefined;
      span = hit.arg.name!.span;
      break;
    }
    case "import":
      out = hit.decl.path ? `import ${md.code(hit.decl.path.value)}` : undefined;
      span = hit.decl.span;
      break;
  }
  if (!out) return null;
  return { contents: { kind: "markdown", value: out }, range: span ? ctx.lines.range(span) : undefined };
}

/** Facts of a statement: its group (block call, seq, merge) or its op layer. */
export function statementFact(ctx: DocContext, st: A.Statement): Fact | undefined {
  return ctx.facts(ctx.path, st.span) ?? (st.layer ? ctx.facts(ctx.path, st.layer.span) : undefined);
}

function statementHover(ctx: DocContext, info: StatementInfo): string | undefined {
  const st = info.stmt;
  const fact = statementFact(ctx, st);
  const title = st.name ? `**${md.text(st.name.name)}**` : "layer";
  const kind = st.layer?.kind === "blockCall" ? st.layer.callee.name : st.layer?.kind === "op" ? st.layer.op.name : st.layer?.kind;
  const parts = [`${title}${kind ? ` · ${md.text(kind)}` : ""}`];
  if (fact) parts.push(describeFact(fact) + (ctx.stale ? "\n\n_(from the last check without errors)_" : ""));
  else parts.push("_no shape: the spec does not check up to here_");
  if (st.layer?.kind === "blockCall") {
    const b = ctx.blocks.get(st.layer.callee.name);
    if (b?.decl.doc) parts.push(md.doc(b.decl.doc));
  }
  if (st.doc) parts.push(md.doc(st.doc));
  return parts.join("\n\n");
}

export function describeFact(f: Fact): string {
  const one = (i: Fact["instances"][number]) => `output \`${formatShape(i.shape)}\` · params ${i.params.toLocaleString("en-US")} · MACs ${human(i.macs)}`;
  if (f.instances.length === 1) return one(f.instances[0]!);
  const rows = f.instances.slice(0, 12).map((i) => `| ${md.text(i.name)} | ${formatShape(i.shape)} | ${i.params.toLocaleString("en-US")} | ${human(i.macs)} |`);
  const more = f.instances.length > 12 ? `\n\n…and ${f.instances.length - 12} more` : "";
  return `| instance | output | params | MACs |\n|---|---|---|---|\n${rows.join("\n")}${more}`;
}

export function human(n: number): string {
  if (n >= 1e9) return `${+(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${+(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}K`;
  return String(n);
}

function totals(ctx: DocContext): string | undefined {
  const g = ctx.entry.result.graph;
  return g ? `params ${g.params.toLocaleString("en-US")} (${g.paramsWithAux.toLocaleString("en-US")} with aux heads) · MACs ${human(g.macs)}` : undefined;
}

function blockHover(ctx: DocContext, decl: A.BlockDecl): string {
  const name = decl.name?.name ?? "";
  const sig = `block ${name}(${decl.params.map((p) => p.name.name).join(", ")})`;
  const calls = [...ctx.files.values()].flatMap((f) => blockCalls(f)).filter((c) => c.call.callee.name === name).length;
  return [md.fenced(sig, "net"), decl.doc && md.doc(decl.doc), `${calls} call${calls === 1 ? "" : "s"} in open specs`].filter(Boolean).join("\n\n");
}

/** A parameter's value at every call of its block (or a network parameter's default). */
function paramHover(ctx: DocContext, owner: Owner, name: string): string {
  const param = owner.params.find((p) => p.name.name === name);
  if (owner.kind === "network") {
    return `parameter ${md.code(name)} of network ${md.code(owner.name?.name ?? "")}${param?.default ? ` = ${md.text(value(ctx, param.default, owner))}` : ""}`;
  }
  const index = owner.params.findIndex((p) => p.name.name === name);
  const rows: string[] = [];
  for (const [path, file] of ctx.files) {
    for (const { call, info } of blockCalls(file)) {
      if (call.callee.name !== owner.name?.name) continue;
      const arg = call.args.find((a) => a.name?.name === name) ?? call.args.filter((a) => !a.name)[index];
      const shown = arg?.value ? md.text(value(ctx, arg.value, info.owner, file.text)) : param?.default ? `${md.text(value(ctx, param.default, owner))} (default)` : "?";
      const where = info.stmt.name?.name ?? `${path.split(/[\\/]/).pop()}:${lineOf(file.text, call.span.offset)}`;
      rows.push(`| ${md.text(where)} | ${shown} |`);
    }
  }
  const head = `parameter ${md.code(name)} of block ${md.code(owner.name?.name ?? "")}`;
  if (rows.length === 0) return `${head}\n\n_not called in any open spec_`;
  return `${head}\n\n| call | value |\n|---|---|\n${rows.slice(0, 30).join("\n")}${rows.length > 30 ? `\n\n…and ${rows.length - 30} more` : ""}`;
}

/** Source text of an argument, with its value when it differs (a network parameter's default). */
function value(ctx: DocContext, expr: A.Expr, owner: Owner, text = ctx.text): string {
  const src = text.slice(expr.span.offset, expr.span.offset + expr.span.length);
  if (owner.kind !== "network") return src;
  const env = new Env();
  const ectx = { file: ctx.path, env, diagnostics: [] };
  for (const p of owner.params) env.define(p.name.name, { value: evaluate(p.default, ectx), span: p.name.span, file: ctx.path, used: true });
  const v = evaluate(expr, ectx);
  const shown = v === undefined ? undefined : describe(v);
  return shown !== undefined && shown !== src ? `${src} = ${shown}` : src;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
