// The canonical formatter. It prints the AST and puts every comment back:
// own-line comments before the next item at that item's indent, trailing
// comments after the item that ends on their line. Layout decisions depend
// only on the content (never on a previous run), which keeps it idempotent.
// Like gofmt's comment columns, the annotations (`-> 256x28x28 params ~ 159K`)
// of consecutive one-line statements start in one column, so a network reads
// like the paper's Table 1.

import type * as A from "../syntax/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { parse } from "../syntax/parse.js";
import { ExprPrinter } from "./print-expr.js";

const MAX_WIDTH = 100;
const INDENT = "  ";

export function formatSource(text: string, path: string): { text: string; diagnostics: Diagnostic[] } {
  const { file, diagnostics } = parse(text, path);
  if (diagnostics.some((d) => d.severity === "error")) return { text, diagnostics };
  return { text: new Formatter(file).print(), diagnostics };
}

const end = (s: A.Span) => s.offset + s.length;

class Formatter {
  private readonly out: string[] = [];
  private readonly p: ExprPrinter;
  private readonly comments: A.Comment[];
  private nextComment = 0;
  /** Source offset where the last printed item ended (comments inside it come out after it). */
  /** Source offset where the last printed thing (item or comment) ended. */
  private lastEnd = 0;
  /** Nothing printed yet in the current braces (no blank line before it). */
  private atStart = true;
  /** Output lines holding a one-line statement: where its annotations start (-1: it has none). */
  private readonly annotationAt = new Map<number, number>();

  constructor(private readonly file: A.SourceFile) {
    this.p = new ExprPrinter(file.text);
    this.comments = [...file.comments].sort((a, b) => a.span.offset - b.span.offset);
  }

  print(): string {
    let prev: "none" | "import" | "decl" | "comment" = "none";
    for (const item of this.file.items) {
      prev = this.topComments(item.span.offset, prev);
      const forced = prev === "decl" || (prev === "import" && item.kind !== "import");
      this.blankLine(item.span.offset, forced);
      if (item.kind === "import") this.line(0, "import " + (item.path ? this.p.expr(item.path) : ""));
      else if (item.kind === "block") this.block(item);
      else this.network(item);
      this.trailing(end(item.span));
      prev = item.kind === "import" ? "import" : "decl";
    }
    this.topComments(this.file.text.length + 1, prev);
    this.alignAnnotations();
    return this.out.length === 0 ? "" : this.out.join("\n") + "\n";
  }

  /**
   * Runs of consecutive annotated one-line statements at one indent get their
   * annotations in one column (one space after the longest code), unless that
   * would push a line past MAX_WIDTH.
   */
  private alignAnnotations() {
    const indentOf = (i: number) => this.out[i]!.length - this.out[i]!.trimStart().length;
    let i = 0;
    while (i < this.out.length) {
      if (!this.annotationAt.has(i)) {
        i++;
        continue;
      }
      let j = i;
      while (this.annotationAt.has(j + 1) && indentOf(j + 1) === indentOf(i)) j++;
      // Statements without annotations continue a run; blank lines and comments end it.
      const run = Array.from({ length: j - i + 1 }, (_, k) => i + k).filter((r) => this.annotationAt.get(r)! >= 0);
      const column = Math.max(...run.map((r) => this.annotationAt.get(r)!));
      const fits = run.length > 0 && run.every((r) => this.out[r]!.length + column - this.annotationAt.get(r)! <= MAX_WIDTH);
      if (run.length > 1 && fits) {
        for (const r of run) {
          const at = this.annotationAt.get(r)!;
          this.out[r] = this.out[r]!.slice(0, at) + " ".repeat(column - at) + this.out[r]!.slice(at);
        }
      }
      i = j + 1;
    }
  }

  private topComments(before: number, prev: "none" | "import" | "decl" | "comment") {
    while (this.nextComment < this.comments.length && this.comments[this.nextComment]!.span.offset < before) {
      const c = this.comments[this.nextComment++]!;
      this.blankLine(c.span.offset, prev === "decl");
      this.out.push(c.text.trimEnd());
      this.lastEnd = end(c.span);
      this.atStart = false;
      prev = "comment";
    }
    return prev;
  }

  // ---- layout helpers ----

  private line(indent: number, s: string) {
    this.out.push(INDENT.repeat(indent) + s);
  }

  /** One blank line when forced, or when the source had one here (never at the start of braces). */
  private blankLine(offset: number, forced = false) {
    if (this.out.length > 0 && !this.atStart) {
      const gap = this.file.text.slice(this.lastEnd, offset);
      if (forced || /\n[ \t\r\f\v]*\n/.test(gap)) this.out.push("");
    }
    this.atStart = false;
  }

  /** Prints the comments before `before`; returns the last one printed. */
  private comments_(before: number, indent: number): A.Comment | undefined {
    let last: A.Comment | undefined;
    while (this.nextComment < this.comments.length && this.comments[this.nextComment]!.span.offset < before) {
      const c = (last = this.comments[this.nextComment++]!);
      this.blankLine(c.span.offset);
      this.line(indent, c.text.trimEnd());
      this.lastEnd = end(c.span);
    }
    return last;
  }

  /**
   * Start a line item: its leading comments, then a blank line if the source
   * had one. A `///` that was not this item's doc in the source (moved out of a
   * line such as `B(1 /// x` or `block Wide(/// a`) would become its doc on the
   * line right above it: a blank line keeps it apart, so the tree does not change.
   */
  private begin(span: A.Span, indent: number) {
    const last = this.comments_(span.offset, indent);
    this.blankLine(span.offset, last?.doc === true && !this.wasDocOf(last, span));
  }

  /** In the source, the comment sat alone on the line right above the item's first line. */
  private wasDocOf(c: A.Comment, span: A.Span): boolean {
    const t = this.file.text;
    const lineStart = t.lastIndexOf("\n", c.span.offset - 1) + 1;
    if (!/^[ \t\r\f\v\u00a0\ufeff]*$/.test(t.slice(lineStart, c.span.offset))) return false;
    return /^[ \t\r\f\v\u00a0\ufeff]*\n[ \t\r\f\v\u00a0\ufeff]*$/.test(t.slice(end(c.span), span.offset));
  }

  /** A comment after the item on the same source line stays on its line. */
  private trailing(itemEnd: number) {
    this.lastEnd = Math.max(this.lastEnd, itemEnd);
    const c = this.comments[this.nextComment];
    if (!c || c.span.offset < itemEnd) return;
    if (!/^[ \t\r\f\v;]*$/.test(this.file.text.slice(itemEnd, c.span.offset))) return;
    this.out[this.out.length - 1] += " " + c.text.trimEnd();
    this.nextComment++;
    this.lastEnd = end(c.span);
  }

  private hasCommentBefore(offset: number): boolean {
    const c = this.comments[this.nextComment];
    return c !== undefined && c.span.offset < offset;
  }

  /** `{ ... }` with line items inside; `close` is the offset of the closing brace. */
  private braces(indent: number, head: string, close: number, empty: boolean, items: () => void, tail = "") {
    if (empty && !this.hasCommentBefore(close)) {
      this.line(indent, head + " {}" + tail);
      return;
    }
    this.line(indent, head + " {");
    this.atStart = true;
    items();
    this.comments_(close, indent + 1);
    this.atStart = false;
    this.line(indent, "}" + tail);
    this.lastEnd = Math.max(this.lastEnd, close + 1);
  }

  private bracesOf<T>(indent: number, head: string, close: number, list: T[], each: (x: T) => void) {
    this.braces(indent, head, close, list.length === 0, () => list.forEach(each));
  }

  // ---- declarations ----

  private block(b: A.BlockDecl) {
    const anns = b.annotations.map((a) => " " + this.p.annotation(a)).join("");
    const head = `block ${this.p.ident(b.name)}(${this.p.params(b.params)})${anns}`;
    this.bracesOf(0, head, end(b.span) - 1, b.body, (s) => this.statement(s, 1));
  }

  private network(n: A.NetworkDecl) {
    const params = n.params.length > 0 ? `(${this.p.params(n.params)})` : "";
    this.bracesOf(0, `network ${this.p.ident(n.name)}${params}`, end(n.span) - 1, n.items, (i) => this.networkItem(i, 1));
  }

  private networkItem(item: A.NetworkItem, indent: number) {
    switch (item.kind) {
      case "statement":
        return this.statement(item, indent);
      case "input": {
        this.begin(item.span, indent);
        const name = item.name ? " " + this.p.ident(item.name) : "";
        const shape = item.shape
          ? this.p.source(item.shape.span)
          : item.exprs.length === 1
            ? this.p.expr(item.exprs[0])
            : `(${item.exprs.map((e) => this.p.expr(e)).join(", ")})`;
        if (item.preprocess) {
          this.bracesOf(indent, `input${name} ${shape}`, end(item.span) - 1, item.preprocess.entries, (e) => {
            this.begin(e.span, indent + 1);
            this.line(indent + 1, this.p.ident(e.key) + this.p.attrs(e.attrs, false));
            this.trailing(end(e.span));
          });
        } else this.line(indent, `input${name} ${shape}`);
        return this.trailing(end(item.span));
      }
      case "defaults":
      case "train": {
        this.begin(item.span, indent);
        const entries: (A.DefaultEntry | A.TrainEntry)[] = item.entries;
        this.bracesOf(indent, item.kind, end(item.span) - 1, entries, (e) => {
          this.begin(e.span, indent + 1);
          const key = "op" in e ? this.p.ident(e.op) + (e.colon ? ":" : "") : this.p.ident(e.key);
          this.line(indent + 1, key + this.p.attrs(e.attrs, "op" in e));
          this.trailing(end(e.span));
        });
        return this.trailing(end(item.span));
      }
      case "section":
        this.begin(item.span, indent);
        this.bracesOf(indent, item.section, end(item.span) - 1, item.body, (s) => this.statement(s, indent + 1));
        return this.trailing(end(item.span));
    }
  }

  // ---- statements and layers ----

  private statement(s: A.Statement, indent: number) {
    this.begin(s.span, indent);
    const head = s.name ? this.p.ident(s.name) + " = " : "";
    const tail = this.statementTail(s);
    const layer = s.layer;
    const body = layer && bodyOf(layer);
    if (layer?.kind === "if") {
      this.ifLayer(layer, head, tail, indent);
    } else if (!layer || !body) {
      this.annotated(indent, head + (layer ? this.inlineLayer(layer) : ""), s);
    } else {
      const inline = head + this.inlineLayer(layer) + tail;
      const src = this.p.source(layer.span);
      const fits = INDENT.length * indent + inline.length <= MAX_WIDTH;
      const closeAt = end(layer.span) - 1;
      if (fits && (!src.includes("\n") || (body.length === 0 && !this.hasCommentBefore(closeAt)))) {
        this.annotated(indent, head + this.inlineLayer(layer), s);
      } else {
        this.braces(indent, head + this.layerHead(layer), closeAt, body.length === 0, () => body.forEach((b) => this.statement(b, indent + 1)), tail);
      }
    }
    this.trailing(end(s.span));
  }

  /** `if c { ... } else { ... }` on one line when it was and fits, else `} else {` style. */
  private ifLayer(l: A.IfLayer, head: string, tail: string, indent: number) {
    const inline = head + this.inlineLayer(l) + tail;
    const fits = INDENT.length * indent + inline.length <= MAX_WIDTH;
    const closeOf = (b: A.Braced) => end(b.span) - 1;
    const closeAt = closeOf(l.else ?? l.then);
    if (fits && !this.p.source(l.span).includes("\n") && !this.hasCommentBefore(closeAt)) {
      this.line(indent, inline);
      return;
    }
    this.line(indent, head + "if " + this.p.expr(l.condition) + " {");
    this.atStart = true;
    l.then.body.forEach((b) => this.statement(b, indent + 1));
    this.comments_(closeOf(l.then), indent + 1);
    this.atStart = false;
    this.lastEnd = Math.max(this.lastEnd, end(l.then.span));
    if (l.else) {
      this.line(indent, "} else {");
      this.atStart = true;
      l.else.body.forEach((b) => this.statement(b, indent + 1));
      this.comments_(closeOf(l.else), indent + 1);
      this.atStart = false;
      this.lastEnd = Math.max(this.lastEnd, end(l.else.span));
    }
    this.line(indent, "}" + tail);
  }

  private statementTail(s: A.Statement): string {
    return this.tapTail(s) + this.annotationTail(s);
  }

  private tapTail(s: A.Statement): string {
    let t = "";
    if (s.from) t += " from " + this.p.ident(s.from);
    if (s.weight) t += " weight " + this.p.expr(s.weight);
    return t;
  }

  private annotationTail(s: A.Statement): string {
    return s.annotations.map((a) => " " + this.p.annotation(a)).join("");
  }

  /** A one-line statement; remembers where its annotations start, for alignment. */
  private annotated(indent: number, code: string, s: A.Statement) {
    const withTap = code + this.tapTail(s);
    this.line(indent, withTap + this.annotationTail(s));
    this.annotationAt.set(this.out.length - 1, s.annotations.length > 0 ? INDENT.length * indent + withTap.length : -1);
  }

  /** The part of a braced layer before its '{'. */
  private layerHead(l: A.LayerExpr): string {
    switch (l.kind) {
      case "seq":
        return "seq";
      case "merge":
        return l.merge + this.p.attrs(l.attrs);
      case "repeat":
        return "repeat " + this.p.expr(l.count) + (l.index ? " as " + this.p.ident(l.index) : "");
      default:
        return "";
    }
  }

  private inlineLayer(l: A.LayerExpr): string {
    switch (l.kind) {
      case "op":
        return this.p.ident(l.op) + this.p.attrs(l.attrs);
      case "blockCall":
        return `${this.p.ident(l.callee)}(${this.p.args(l.args)})`;
      case "if": {
        const part = (b: A.Braced) => (b.body.length === 0 ? "{}" : "{ " + b.body.map((s) => this.inlineStatement(s)).join("; ") + " }");
        return "if " + this.p.expr(l.condition) + " " + part(l.then) + (l.else ? " else " + part(l.else) : "");
      }
      default: {
        const body = bodyOf(l)!;
        if (body.length === 0) return this.layerHead(l) + " {}";
        return this.layerHead(l) + " { " + body.map((s) => this.inlineStatement(s)).join("; ") + " }";
      }
    }
  }

  private inlineStatement(s: A.Statement): string {
    const head = s.name ? this.p.ident(s.name) + " = " : "";
    return head + (s.layer ? this.inlineLayer(s.layer) : "") + this.statementTail(s);
  }
}

function bodyOf(l: A.LayerExpr): A.Statement[] | undefined {
  if (l.kind === "seq" || l.kind === "repeat") return l.body;
  if (l.kind === "merge") return l.branches;
  return undefined;
}
