// Canonical text of expressions, attributes and annotations (single-line
// pieces; layout and comments live in format.ts). Whatever is printed here
// must parse back to the same AST, modulo spans.

import type * as A from "../syntax/ast.js";

// Loosest first: or, and, not, comparisons, + -, * / %, signs, atoms.
const PREC: Record<A.Binary["op"], number> = {
  or: 1, and: 2,
  "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
  "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
};
const NOT = 3;
const SIGN = 7;
const ATOM = 8;
/** Word operators and comparisons always keep their spaces (`a<-1` would read as `a <- 1`). */
const SPACED = new Set<string>(["or", "and", "==", "!=", "<", "<=", ">", ">="]);

/** A trailing identifier (not a number such as `1e5`), with what precedes it. */
const TRAILING_NAME = /(^|[^\p{L}\p{N}_.])([\p{L}_][\p{L}\p{N}_]*)$/u;

function prec(e: A.Expr | undefined): number {
  if (!e) return ATOM;
  if (e.kind === "binary") return PREC[e.op];
  if (e.kind === "unary") return e.op === "not" ? NOT : SIGN;
  return ATOM;
}

function quote(s: string): string {
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

  /**
   * `tight` drops the spaces around binary operators (`pad=k+1`). Recursive:
   * the prepass bounds a tree's depth by 1000 operators and 32 brackets.
   */
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
        if (e.op === "not") return "not " + this.wrap(e.operand, NOT, tight);
        return e.op + this.wrap(e.operand, SIGN, tight);
      case "binary": {
        const p = PREC[e.op];
        const sp = tight && !SPACED.has(e.op) ? "" : " ";
        // Comparisons do not chain: `(a < b) == c` keeps its parentheses on the left too.
        const left = p === PREC["=="] ? p + 1 : p;
        return this.wrap(e.left, left, tight) + sp + e.op + sp + this.wrap(e.right, p + 1, tight);
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
    return this.wrap(e, ATOM, false);
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
        if (a.value.kind === "name" || (index > 0 && /^[-+]/.test(s))) return `(${s})`;
        return s;
      }
    }
  }

  /** `commas`: the list may separate attributes with commas (defaults entries). */
  attrs(list: A.Attr[], commas = false): string {
    const parts = list.map((a, i) => this.attr(a, i));
    for (let i = 0; i + 1 < parts.length; i++) {
      // A name right before '(' would read back as a call (`k=-a (x)` is
      // `k=-a(x)`): parenthesise that trailing name, which keeps the AST.
      const word = TRAILING_NAME.exec(parts[i]!);
      if (word && parts[i + 1]!.startsWith("(") && list[i]!.kind !== "flagAttr") {
        parts[i] = parts[i]!.slice(0, word.index + word[1]!.length) + "(" + word[2] + ")";
      }
    }
    // `ceil, 3x1` in defaults: without its comma a flag and the value after it read back as `key value`.
    const comma = (i: number) => commas && i > 0 && list[i - 1]!.kind === "flagAttr" && (list[i]!.kind === "valueAttr" || list[i]!.kind === "dimsAttr");
    return parts.map((p, i) => (comma(i) ? ", " : " ") + p).join("");
  }

  annotation(a: A.Annotation): string {
    if (a.kind === "costAnnotation") {
      const tol = a.tolerancePercent === undefined ? "" : ` tol ${a.toleranceText ?? a.tolerancePercent}%`;
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
