// Hover: output shape, parameters and MACs of a layer, block call or named
// statement; block and op docs; a block parameter's values at each call.
// A name use shows what the checker resolved it to (ctx.useAt); values are the
// ones the checker bound (ctx.valuesOf), never re-evaluated here.
// Everything taken from a spec (names, docs, paths, argument text) goes through
// ./markdown.js so it shows as text; the op table's docs are netc's own markdown.

import type { Hover } from "vscode-languageserver/node";
import type * as A from "../syntax/ast.js";
import { findAttr, findOp } from "../check/ops.js";
import { formatShape } from "../ir/shapes.js";
import type { Fact } from "./facts.js";
import type { Declaration } from "../check/index.js";
import { declaringStatement, hitAt, paramOwner, type StatementInfo } from "./ast.js";
import type { DocContext } from "./context.js";
import * as md from "./markdown.js";

export function hover(ctx: DocContext, offset: number): Hover | null {
  const use = ctx.useAt(offset);
  // A callee shows its statement (shape, block doc), as the rest of the call does.
  if (use && use.decl.kind !== "block") {
    const out = declarationHover(ctx, use.decl);
    return out ? { contents: { kind: "markdown", value: out }, range: ctx.lines.range(use.span) } : null;
  }
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
    case "blockName":
      out = blockHover(ctx, hit.decl);
      span = hit.ident.span;
      break;
    case "networkName":
      out = [`**network ${md.text(hit.decl.name?.name ?? "")}**`, hit.decl.doc && md.doc(hit.decl.doc), totals(ctx)].filter(Boolean).join("\n\n");
      span = hit.ident.span;
      break;
    case "param":
      out = paramHover(ctx, { file: ctx.path, span: hit.param.name.span, name: hit.param.name.name });
      span = hit.param.name.span;
      break;
    case "import":
      out = hit.decl.path ? `import ${md.code(hit.decl.path.value)}` : undefined;
      span = hit.decl.span;
      break;
  }
  if (!out) return null;
  return { contents: { kind: "markdown", value: out }, range: span ? ctx.lines.range(span) : undefined };
}

/** Facts of a statement: its group (block call, seq, merge) or its op layer. */
export function statementFact(ctx: DocContext, st: A.Statement, file = ctx.path): Fact | undefined {
  return ctx.facts(file, st.span) ?? (st.layer ? ctx.facts(file, st.layer.span) : undefined);
}

/** What a name use resolved to: the declaring statement, parameter, input or index. */
function declarationHover(ctx: DocContext, decl: Declaration): string | undefined {
  const name = md.code(decl.name);
  switch (decl.kind) {
    case "layer": {
      const file = ctx.files.get(decl.file) ?? ctx.file;
      const info = declaringStatement(file, decl.span);
      return info ? statementHover(ctx, info, decl.file) : undefined;
    }
    case "param":
      return paramHover(ctx, decl);
    case "input": {
      const g = [...ctx.entry.result.partial].find((x) => x?.file === decl.file && x.inputName === decl.name);
      const pre = g?.preprocess;
      // The preprocessing is the network's, not a layer's: say it where the input is described.
      const steps = pre
        ? [pre.scale !== 1 && `scale ${+pre.scale.toPrecision(6)}`, pre.mean.some((m) => m !== 0) && `mean (${pre.mean.join(", ")})`, pre.std.some((x) => x !== 1) && `std (${pre.std.join(", ")})`, `order ${pre.order}`, pre.transformInput && "transform_input"].filter(Boolean)
        : [];
      return `network input ${name}${g ? ` · \`${formatShape(g.inputShape)}\`` : ""}${steps.length ? `\n\npreprocessing: ${md.text(steps.join("; "))}` : ""}`;
    }
    case "inputName":
      return `${name}: the channel count the block receives (bound by its ${md.code(`<- ${decl.name}`)})`;
    case "index":
      return `${name}: the repeat index (0, 1, ...)`;
    case "block":
      return undefined;
  }
}

function statementHover(ctx: DocContext, info: StatementInfo, file = ctx.path): string | undefined {
  const st = info.stmt;
  const fact = statementFact(ctx, st, file);
  const title = st.name ? `**${md.text(st.name.name)}**` : "layer";
  const kind = st.layer?.kind === "blockCall" ? st.layer.callee.name : st.layer?.kind === "op" ? st.layer.op.name : st.layer?.kind;
  const parts = [`${title}${kind ? ` · ${md.text(kind)}` : ""}`];
  if (fact) parts.push(describeFact(fact) + (ctx.stale ? "\n\n_(from the last check without errors)_" : ""));
  else parts.push("_no shape: the spec does not check up to here_");
  if (st.layer?.kind === "blockCall" && file === ctx.path) {
    const callee = ctx.useAt(st.layer.callee.span.offset)?.decl;
    const b = callee && ctx.files.get(callee.file)?.items.find((i) => i.kind === "block" && i.name && i.name.span.offset === callee.span.offset);
    if (b?.kind === "block" && b.doc) parts.push(md.doc(b.doc));
  }
  if (st.doc) parts.push(md.doc(st.doc));
  return parts.join("\n\n");
}

function describeFact(f: Fact): string {
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
  const calls = decl.name ? ctx.usesOf({ file: ctx.path, span: decl.name.span }).length : 0;
  return [md.fenced(sig, "net"), decl.doc && md.doc(decl.doc), `${calls} call${calls === 1 ? "" : "s"} in open specs`].filter(Boolean).join("\n\n");
}

/** A parameter's value at every call of its block (or a network parameter's default), as the checker bound them. */
function paramHover(ctx: DocContext, decl: Pick<Declaration, "file" | "span" | "name">): string {
  const file = ctx.files.get(decl.file) ?? ctx.file;
  const owner = paramOwner(file, decl.span);
  const values = ctx.valuesOf(decl);
  const name = md.code(decl.name);
  if (owner?.kind === "network") {
    const p = owner.params.find((x) => x.name.span.offset === decl.span.offset);
    const src = p?.default ? file.text.slice(p.default.span.offset, p.default.span.offset + p.default.span.length) : undefined;
    const value = values.find((v) => !v.call)?.value;
    const shown = src === undefined ? value : value !== undefined && value !== src ? `${src} = ${value}` : src;
    return `parameter ${name} of network ${md.code(owner.name?.name ?? "")}${shown !== undefined ? ` = ${md.text(shown)}` : ""}`;
  }
  const rows = values.filter((v) => v.call).map((v) => {
    const shown = v.text === undefined ? `${v.value} (default)` : v.text !== v.value ? `${v.text} = ${v.value}` : v.value;
    return `| ${md.text(v.call!.path)} | ${md.text(shown)} |`;
  });
  const head = `parameter ${name} of block ${md.code(owner?.name?.name ?? "")}`;
  if (rows.length === 0) return `${head}\n\n_not called in any open spec_`;
  return `${head}\n\n| call | value |\n|---|---|\n${rows.slice(0, 30).join("\n")}${rows.length > 30 ? `\n\n…and ${rows.length - 30} more` : ""}`;
}
