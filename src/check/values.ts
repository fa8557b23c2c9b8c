// Evaluation of expressions in block parameters, attributes and annotations.
// Values are plain numbers, booleans, strings and tuples; evaluation never throws:
// problems become diagnostics and the result is `undefined`.

import type { Expr, Span } from "../syntax/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";
import { suggest } from "./suggest.js";
import type { DeclKind, Resolution } from "./resolutions.js";

export type Value = number | boolean | string | Value[];

export interface Binding {
  value: Value | undefined;
  /** Where the name was declared (parameter, repeat index). */
  span: Span;
  file: string;
  used: boolean;
  /** What declared it, for the resolution table (a parameter when absent). */
  kind?: DeclKind;
}

export class Env {
  private readonly vars = new Map<string, Binding>();
  constructor(private readonly parent?: Env) {}
  define(name: string, binding: Binding): void {
    this.vars.set(name, binding);
  }
  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  names(): string[] {
    const own = [...this.vars.keys()];
    return this.parent ? [...own, ...this.parent.names()] : own;
  }
  child(): Env {
    return new Env(this);
  }
}

export interface EvalContext {
  file: string;
  env: Env;
  diagnostics: Diagnostic[];
  /** Where each name use resolved to (the editor's table); not recorded when absent. */
  uses?: Resolution[];
}

/** Largest magnitude netc accepts for any number it computes with: exact integers only. */
const MAX_VALUE = Number.MAX_SAFE_INTEGER;

export function describe(v: Value | undefined): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return `(${v.map(describe).join(", ")})`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

// A Map: callee names come from the spec (`valueOf(1)` must be an unknown function).
const functions = new Map<string, { arity: [number, number]; fn: (a: number[]) => number }>(Object.entries({
  min: { arity: [1, 64], fn: (a) => Math.min(...a) },
  max: { arity: [1, 64], fn: (a) => Math.max(...a) },
  floor: { arity: [1, 1], fn: (a) => Math.floor(a[0]!) },
  ceil: { arity: [1, 1], fn: (a) => Math.ceil(a[0]!) },
  // Python's round() and torch.round: halves go to the even neighbour (round(2.5) == 2).
  round: { arity: [1, 1], fn: (a) => roundHalfEven(a[0]!) },
  int: { arity: [1, 1], fn: (a) => Math.trunc(a[0]!) },
  div: { arity: [2, 2], fn: (a) => Math.floor(a[0]! / a[1]!) },
  // torchvision's _make_divisible, step for step: max(min_value, int(v + d / 2) // d * d),
  // plus d when that falls below 90% of v.
  make_divisible: {
    arity: [2, 3],
    fn: (a) => {
      const [v, d] = a as [number, number];
      const minValue = a[2] ?? d;
      let n = Math.max(minValue, Math.floor(Math.trunc(v + d / 2) / d) * d);
      if (n < 0.9 * v) n += d;
      return n;
    },
  },
}));

export function functionNames(): string[] {
  return [...functions.keys()];
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends halves up; an exact half with an odd result goes down instead.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Recursive over the tree, which is safe because the prepass bounds its depth:
 * at most MAX_OPERATORS (1000) operators per statement and MAX_DEPTH (32)
 * brackets (src/syntax/prepass.ts), about 2,100 frames in the worst case.
 */
export function evaluate(expr: Expr | undefined, ctx: EvalContext): Value | undefined {
  if (!expr) return undefined;
  switch (expr.kind) {
    case "number":
      // Only a malformed literal is NaN, and the lexer has reported it (NET1004).
      if (Number.isNaN(expr.value)) return undefined;
      if (!Number.isFinite(expr.value) || Math.abs(expr.value) > MAX_VALUE) {
        ctx.diagnostics.push(
          diag("NET4007", ctx.file, expr.span, { what: "Number literal", value: clip(expr.text), limit: MAX_VALUE }),
        );
        return undefined;
      }
      return expr.value;
    case "bool":
      return expr.value;
    case "string":
      return expr.value;
    case "name": {
      const b = ctx.env.lookup(expr.name);
      if (!b) {
        ctx.diagnostics.push(
          diag("NET2003", ctx.file, expr.span, { name: expr.name, hint: suggest(expr.name, ctx.env.names()) }),
        );
        return undefined;
      }
      b.used = true;
      ctx.uses?.push({ file: ctx.file, span: expr.span, decl: { file: b.file, span: b.span, name: expr.name, kind: b.kind ?? "param" } });
      return b.value;
    }
    case "unary": {
      const v = evaluate(expr.operand, ctx);
      if (v === undefined) return undefined;
      if (expr.op === "not") return typeof v === "boolean" ? !v : typeError(expr.operand!.span, "the operand of 'not'", "true or false", v, ctx);
      if (typeof v !== "number") return typeError(expr.span, "the operand of '-'", "a number", v, ctx);
      return expr.op === "-" ? -v : v;
    }
    case "binary": {
      if (expr.op === "and" || expr.op === "or") return logic(expr.op, expr.left, expr.right, ctx);
      const l = evaluate(expr.left, ctx);
      const r = evaluate(expr.right, ctx);
      if (l === undefined || r === undefined) return undefined;
      if (expr.op === "==" || expr.op === "!=") {
        if (!sameKind(l, r)) return typeError(expr.span, `'${expr.op}'`, `two values of the same kind`, `${describe(l)} and ${describe(r)}`, ctx);
        return equal(l, r) === (expr.op === "==");
      }
      if (typeof l !== "number") return typeError(expr.left!.span, `the left side of '${expr.op}'`, "a number", l, ctx);
      if (typeof r !== "number") return typeError(expr.right!.span, `the right side of '${expr.op}'`, "a number", r, ctx);
      if ((expr.op === "/" || expr.op === "%") && r === 0) {
        ctx.diagnostics.push(diag("NET4008", ctx.file, expr.span, { what: "this expression" }));
        return undefined;
      }
      if (expr.op === "<" || expr.op === "<=" || expr.op === ">" || expr.op === ">=") return compare(expr.op, l, r);
      const v = arith(expr.op, l, r);
      return checkRange(v, expr.span, ctx);
    }
    case "call": {
      const f = functions.get(expr.callee.name);
      if (!f) {
        ctx.diagnostics.push(
          diag("NET2014", ctx.file, expr.callee.span, { name: expr.callee.name, hint: `${suggest(expr.callee.name, functionNames())} The functions are ${functionNames().join(", ")}.` }),
        );
        return undefined;
      }
      const args: number[] = [];
      for (const a of expr.args) {
        const v = evaluate(a, ctx);
        if (v === undefined) return undefined;
        if (typeof v !== "number") return typeError(a.span, `an argument of ${expr.callee.name}`, "a number", v, ctx);
        args.push(v);
      }
      if (args.length < f.arity[0] || args.length > f.arity[1]) {
        const expected = f.arity[0] === f.arity[1] ? `${f.arity[0]} argument(s)` : `${f.arity[0]} to ${f.arity[1]} arguments`;
        return typeError(expr.span, expr.callee.name, expected, `${args.length} argument(s)`, ctx);
      }
      if (expr.callee.name === "div" && args[1] === 0) {
        ctx.diagnostics.push(diag("NET4008", ctx.file, expr.span, { what: "div()" }));
        return undefined;
      }
      if (expr.callee.name === "make_divisible" && !(args[1]! > 0)) {
        return typeError(expr.args[1]!.span, "the divisor of make_divisible", "a positive number", args[1]!, ctx);
      }
      return checkRange(f.fn(args), expr.span, ctx);
    }
    case "tuple": {
      const items: Value[] = [];
      for (const item of expr.items) {
        const v = evaluate(item, ctx);
        if (v === undefined) return undefined;
        items.push(v);
      }
      return items;
    }
  }
}

/** `and` / `or` on true/false, short-circuit: `b != 0 and a / b > 1` is safe. */
function logic(op: "and" | "or", left: Expr | undefined, right: Expr | undefined, ctx: EvalContext): Value | undefined {
  const l = evaluate(left, ctx);
  if (l === undefined) return undefined;
  if (typeof l !== "boolean") return typeError(left!.span, `the left side of '${op}'`, "true or false", l, ctx);
  if (op === "and" ? !l : l) return l;
  const r = evaluate(right, ctx);
  if (r === undefined) return undefined;
  if (typeof r !== "boolean") return typeError(right!.span, `the right side of '${op}'`, "true or false", r, ctx);
  return r;
}

function sameKind(l: Value, r: Value): boolean {
  return Array.isArray(l) ? Array.isArray(r) : typeof l === typeof r;
}

function equal(l: Value, r: Value): boolean {
  if (Array.isArray(l) && Array.isArray(r)) return l.length === r.length && l.every((x, i) => equal(x, r[i]!));
  return l === r;
}

function compare(op: "<" | "<=" | ">" | ">=", l: number, r: number): boolean {
  switch (op) {
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
  }
}

function arith(op: "+" | "-" | "*" | "/" | "%", l: number, r: number): number {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return l / r;
    case "%":
      return ((l % r) + r) % r;
  }
}

function checkRange(v: number, span: Span, ctx: EvalContext): number | undefined {
  if (!Number.isFinite(v) || Math.abs(v) > MAX_VALUE) {
    ctx.diagnostics.push(diag("NET4007", ctx.file, span, { what: "This expression", value: String(v), limit: MAX_VALUE }));
    return undefined;
  }
  return v;
}

function typeError(span: Span, what: string, expected: string, found: Value | string, ctx: EvalContext): undefined {
  ctx.diagnostics.push(
    diag("NET4002", ctx.file, span, { what, expected, found: typeof found === "string" ? found : describe(found) }),
  );
  return undefined;
}

function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 20)}...` : text;
}
