// Canonical text of expressions, attributes and annotations (single-line
// pieces; layout and comments live in format.ts). Whatever is printed here
// must parse back to the same AST, modulo spans.

import type * as A from "../syntax/ast.js";

const PREC: Record<A.Binary["op"], number> = { "+": 1, "-": 1, "*": 2, "/": 2, "%": 2 };

function prec(e: A.Expr | undefined): number {
  if (!e) return 4;
  if (e.kind === "binary") return PREC[e.op];
  if (e.kind === "unary") return 3;
  return 4;
}

export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

export class ExprPrinter {
  constructor(private readonly text: string) {}

  /** Source text of a literal: numbers and dims keep how they were written. */
  source(span: A.Span): string {
    return this.text.slice(span.offset, span.offset + span.length);
  }

  ident(id: A.Ident | undefined): string {
    if (!id) return "";
    return id.quoted ? quote(id.name) : id.name;
  }

  /** `tight` drops the spaces around binary operators (`pad=k+1`). */
  expr(e: A.Expr | undefined, tight = false): string {
    if (!e) return "";
    switch (e.kind) {
      case "number":
        return e.text;
      case "bool":
        return e.value ? "true" : "false";
      case "string":
        return quote(e.value);
      case "name":
        return e.name;
      case "unary":
        return e.op + this.wrap(e.operand, 3, tight);
      case "binary": {
        const p = PREC[e.op];
        const sp = tight ? "" : " ";
        return this.wrap(e.left, p, tight) + sp + e.op + sp + this.wrap(e.right, p + 1, tight);
      }
      case "call":
        return this.ident(e.callee) + "(" + e.args.map((a) => this.expr(a, tight)).join(", ") + ")";
      case "tuple":
        return "(" + e.items.map((a) => this.expr(a, tight)).join(", ") + ")";
    }
  }

  private wrap(e: A.Expr | undefined, min: number, tight: boolean): string {
    const s = this.expr(e, tight);
    return prec(e) < min ? `(${s})` : s;
  }

  /** An operand that the grammar requires to be an atom (a stride after '/'). */
  atom(e: A.Expr | undefined): string {
    return this.wrap(e, 4, false);
  }

  attr(a: A.Attr, index: number): string {
    switch (a.kind) {
      case "dimsAttr":
        return this.source(a.dims.span) + (a.stride ? "/" + this.atom(a.stride) : "");
      case "namedAttr":
        if (a.spaced) {
          const v = a.value;
          const value = v?.kind === "tuple" ? v.items.map((i) => this.expr(i)).join("x") : this.expr(v);
          return this.ident(a.key) + " " + value;
        }
        return this.ident(a.key) + "=" + this.expr(a.value, true);
      case "flagAttr":
        return this.ident(a.name);
      case "valueAttr": {
        const s = this.expr(a.value);
        // A bare name would read back as a flag, and a leading sign after
        // another attribute would read back as subtraction.
        if (a.value.kind === "name" || (a.value.kind === "unary" && index > 0)) return `(${s})`;
        return s;
      }
    }
  }

  attrs(list: A.Attr[]): string {
    return list.map((a, i) => " " + this.attr(a, i)).join("");
  }

  annotation(a: A.Annotation): string {
    if (a.kind === "costAnnotation") {
      const tol = a.tolerancePercent === undefined ? "" : ` tol ${a.tolerancePercent}%`;
      return `${a.metric} ${a.exact ? "=" : "~"} ${a.value?.text ?? ""}${tol}`;
    }
    const dir = a.direction === "out" ? "->" : "<-";
    if (a.dims) return `${dir} ${this.source(a.dims.span)}`;
    if (a.exprs.length === 1) return `${dir} ${this.expr(a.exprs[0])}`;
    return `${dir} (${a.exprs.map((e) => this.expr(e)).join(", ")})`;
  }

  params(list: A.Param[]): string {
    return list.map((p) => this.ident(p.name) + (p.default ? " = " + this.expr(p.default) : "")).join(", ");
  }

  args(list: A.Argument[]): string {
    return list.map((a) => (a.name ? this.ident(a.name) + "=" + this.expr(a.value, true) : this.expr(a.value))).join(", ");
  }
}
