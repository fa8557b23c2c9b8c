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
  /**
   * Tuple elements computed so far, shared by every context of one elaboration:
   * a tuple multiplies the work of an expression evaluated in every repeat
   * iteration and call, so the total is bounded (NET4012). Unbounded when absent
   * (one expression alone is bounded by the operator and tuple limits).
   */
  work?: { elements: number; reported: boolean };
}

/** Tuple elements one elaboration may compute: about a tenth of a second. */
const MAX_ELEMENTS = 10_000_000;

/** Counts `n` tuple elements against the elaboration's budget; false (reported once) when it is spent. */
function spend(n: number, span: Span, ctx: EvalContext): boolean {
  if (!ctx.work) return true;
  ctx.work.elements += n;
  if (ctx.work.elements <= MAX_ELEMENTS) return true;
  if (!ctx.work.reported) {
    ctx.work.reported = true;
    ctx.diagnostics.push(diag("NET4012", ctx.file, span, { limit: `${MAX_ELEMENTS} tuple elements computed` }));
  }
  return false;
}

/** Largest magnitude netc accepts for any number it computes with: exact integers only. */
const MAX_VALUE = Number.MAX_SAFE_INTEGER;

export function describe(v: Value | undefined): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return `(${v.map(describe).join(", ")})`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

/** The longest tuple a built-in function may build (`range(n)`): the repeat limit. */
const MAX_TUPLE = 10_000;

/** A domain error: the argument (0-based) that is wrong, what was expected, and what was found. */
interface DomainError {
  arg: number;
  expected: string;
  found: Value;
}
type Check = (a: number[]) => DomainError | undefined;

/**
 * Functions on numbers. Any argument may be a tuple instead: the function then
 * applies element by element (NumPy's broadcasting of a number against a tuple;
 * tuples side by side must have the same length).
 */
interface NumberFunction {
  arity: [number, number];
  fn: (a: number[]) => number;
  /** Arguments outside the function's domain; checked element by element. */
  check?: Check;
}

const positive = (arg: number, what: string): Check => (a) => (a[arg]! > 0 ? undefined : { arg, expected: what, found: a[arg]! });

// A Map: callee names come from the spec (`valueOf(1)` must be an unknown function).
const numberFunctions = new Map<string, NumberFunction>(Object.entries({
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
    check: positive(1, "a positive divisor"),
  },
  // Python's math.log(x[, base]): log(x) / log(base) in double precision.
  log: {
    arity: [1, 2],
    fn: (a) => (a.length === 1 ? Math.log(a[0]!) : Math.log(a[0]!) / Math.log(a[1]!)),
    check: (a) => {
      if (!(a[0]! > 0)) return { arg: 0, expected: "a positive number", found: a[0]! };
      if (a.length === 2 && !(a[1]! > 0 && a[1]! !== 1)) return { arg: 1, expected: "a positive base other than 1", found: a[1]! };
      return undefined;
    },
  },
  // Python's x ** y (math.pow): a negative base needs a whole exponent, zero a non-negative one.
  pow: {
    arity: [2, 2],
    fn: (a) => Math.pow(a[0]!, a[1]!),
    check: (a) => {
      if (a[0]! < 0 && !Number.isInteger(a[1]!)) return { arg: 1, expected: "a whole exponent for a negative base", found: a[1]! };
      if (a[0]! === 0 && a[1]! < 0) return { arg: 1, expected: "an exponent of 0 or more for a base of 0", found: a[1]! };
      return undefined;
    },
  },
}));

/** Functions that read or build tuples (and min, max, which take either). */
const tupleFunctions = new Set(["min", "max", "sum", "len", "range", "unique", "count", "at"]);

/** Every built-in function, in the order the reference lists them. */
const allFunctions = ["min", "max", "floor", "ceil", "round", "int", "div", "make_divisible", "log", "pow", "range", "len", "sum", "at", "count", "unique"];

export function functionNames(): string[] {
  return [...allFunctions];
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
      const sign = expr.op === "-" ? -1 : 1;
      return elementwise([v], [expr.span], `the operand of '${expr.op}'`, expr.span, ctx, (a) => sign * a[0]!);
    }
    case "binary": {
      if (expr.op === "and" || expr.op === "or") return logic(expr.op, expr.left, expr.right, ctx);
      const l = evaluate(expr.left, ctx);
      const r = evaluate(expr.right, ctx);
      if (l === undefined || r === undefined) return undefined;
      if (expr.op === "==" || expr.op === "!=") {
        if (!sameKind(l, r)) return typeError(expr.span, `'${expr.op}'`, `two values of the same kind`, `${brief(l)} and ${brief(r)}`, ctx);
        if (Array.isArray(l) && !spend(l.length, expr.span, ctx)) return undefined;
        return equal(l, r) === (expr.op === "==");
      }
      if (expr.op === "<" || expr.op === "<=" || expr.op === ">" || expr.op === ">=") {
        if (typeof l !== "number") return typeError(expr.left!.span, `the left side of '${expr.op}'`, "a number", l, ctx);
        if (typeof r !== "number") return typeError(expr.right!.span, `the right side of '${expr.op}'`, "a number", r, ctx);
        return compare(expr.op, l, r);
      }
      const op = expr.op;
      const zero = op === "/" || op === "%" ? (a: number[]) => (a[1] === 0 ? "this expression" : undefined) : undefined;
      const side = (i: number) => `the ${i === 0 ? "left" : "right"} side of '${op}'`;
      return elementwise([l, r], [expr.left!.span, expr.right!.span], `'${op}'`, expr.span, ctx, (a) => arith(op, a[0]!, a[1]!), undefined, zero, side);
    }
    case "call": {
      const name = expr.callee.name;
      const f = numberFunctions.get(name);
      if (!f && !tupleFunctions.has(name)) {
        ctx.diagnostics.push(
          diag("NET2014", ctx.file, expr.callee.span, { name, hint: `${suggest(name, functionNames())} The functions are ${functionNames().join(", ")}.` }),
        );
        return undefined;
      }
      const args: Value[] = [];
      for (const a of expr.args) {
        const v = evaluate(a, ctx);
        if (v === undefined) return undefined;
        args.push(v);
      }
      if (!f) return tupleCall(name, args, expr, ctx);
      if (args.length < f.arity[0] || args.length > f.arity[1]) {
        const expected = f.arity[0] === f.arity[1] ? `${f.arity[0]} argument(s)` : `${f.arity[0]} to ${f.arity[1]} arguments`;
        return typeError(expr.span, name, expected, `${args.length} argument(s)`, ctx);
      }
      const zero = name === "div" ? (a: number[]) => (a[1] === 0 ? "div()" : undefined) : undefined;
      return elementwise(args, expr.args.map((x) => x.span), `an argument of ${name}`, expr.span, ctx, f.fn, f.check && ((a) => {
        const e = f.check!(a);
        return e && { ...e, what: `argument ${e.arg + 1} of ${name}` };
      }), zero);
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

/**
 * Applies `fn` to numbers, or element by element where arguments are tuples
 * (nested tuples recursively): a number beside a tuple goes with every element,
 * tuples side by side must have the same length. Each element is checked for
 * the function's domain (`check`), division by zero (`zero`) and range.
 */
function elementwise(
  args: Value[],
  spans: Span[],
  what: string,
  span: Span,
  ctx: EvalContext,
  fn: (a: number[]) => number,
  check?: (a: number[]) => (DomainError & { what: string }) | undefined,
  zero?: (a: number[]) => string | undefined,
  argName?: (i: number) => string,
): Value | undefined {
  const bad = args.findIndex((a) => typeof a !== "number" && !Array.isArray(a));
  if (bad >= 0) return typeError(spans[bad] ?? span, argName?.(bad) ?? what, "a number (or a tuple of numbers)", args[bad]!, ctx);
  const tuples = args.filter((a): a is Value[] => Array.isArray(a));
  if (tuples.length === 0) {
    const numbers = args as number[];
    const domain = check?.(numbers);
    if (domain) return typeError(spans[domain.arg] ?? span, domain.what, domain.expected, domain.found, ctx);
    const divZero = zero?.(numbers);
    if (divZero) {
      ctx.diagnostics.push(diag("NET4008", ctx.file, span, { what: divZero }));
      return undefined;
    }
    return checkRange(fn(numbers), span, ctx);
  }
  const n = tuples[0]!.length;
  if (!spend(n, span, ctx)) return undefined;
  if (tuples.some((t) => t.length !== n)) {
    return typeError(span, what, "tuples of the same length", tuples.map(brief).join(" and "), ctx);
  }
  const out: Value[] = [];
  for (let i = 0; i < n; i++) {
    const v = elementwise(args.map((a) => (Array.isArray(a) ? a[i]! : a)), spans, what, span, ctx, fn, check, zero, argName);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/** The functions that read or build tuples: min, max, sum, len, range, unique, count, at. */
function tupleCall(name: string, args: Value[], expr: Extract<Expr, { kind: "call" }>, ctx: EvalContext): Value | undefined {
  const arity = (lo: number, hi: number) => {
    if (args.length >= lo && args.length <= hi) return true;
    typeError(expr.span, name, lo === hi ? `${lo} argument(s)` : `${lo} to ${hi} arguments`, `${args.length} argument(s)`, ctx);
    return false;
  };
  const numbers = (v: Value, i: number): number[] | undefined => {
    if (Array.isArray(v) && v.every((x) => typeof x === "number")) return v as number[];
    typeError(expr.args[i]!.span, `argument ${i + 1} of ${name}`, "a tuple of numbers", v, ctx);
    return undefined;
  };
  const whole = (v: Value, i: number): number | undefined => {
    if (typeof v === "number" && Number.isInteger(v)) return v;
    typeError(expr.args[i]!.span, `argument ${i + 1} of ${name}`, "a whole number", v, ctx);
    return undefined;
  };
  const cost = args.reduce<number>((sum, a) => sum + (Array.isArray(a) ? a.length : 0), 0);
  if (!spend(cost, expr.span, ctx)) return undefined;
  switch (name) {
    case "min":
    case "max": {
      // Python: min(a, b, ...) of numbers, or min(t) of one tuple's elements.
      const pick = name === "min" ? Math.min : Math.max;
      if (!arity(1, 64)) return undefined;
      if (args.length === 1 && Array.isArray(args[0])) {
        const t = numbers(args[0], 0);
        if (!t) return undefined;
        if (t.length === 0) return typeError(expr.args[0]!.span, `argument 1 of ${name}`, "a tuple with at least one number", args[0], ctx);
        return pick(...t);
      }
      for (let i = 0; i < args.length; i++) if (typeof args[i] !== "number") return typeError(expr.args[i]!.span, `an argument of ${name}`, "a number (or one tuple)", args[i]!, ctx);
      return pick(...(args as number[]));
    }
    case "sum": {
      if (!arity(1, 1)) return undefined;
      const t = numbers(args[0]!, 0);
      return t && checkRange(t.reduce((s, x) => s + x, 0), expr.span, ctx);
    }
    case "len": {
      if (!arity(1, 1)) return undefined;
      if (!Array.isArray(args[0])) return typeError(expr.args[0]!.span, "argument 1 of len", "a tuple", args[0]!, ctx);
      return args[0].length;
    }
    case "range": {
      // Python's range(stop) and range(start, stop), as a tuple.
      if (!arity(1, 2)) return undefined;
      const bounds: number[] = [];
      for (let i = 0; i < args.length; i++) {
        const b = whole(args[i]!, i);
        if (b === undefined) return undefined;
        bounds.push(b);
      }
      const [start, stop] = bounds.length === 1 ? [0, bounds[0]!] : [bounds[0]!, bounds[1]!];
      if (stop - start > MAX_TUPLE) return typeError(expr.span, "range", `at most ${MAX_TUPLE} numbers`, `${stop - start} numbers`, ctx);
      if (!spend(stop - start, expr.span, ctx)) return undefined;
      const out: number[] = [];
      for (let i = start; i < stop; i++) out.push(i);
      return out;
    }
    case "unique": {
      // NumPy's np.unique: the distinct numbers, smallest first.
      if (!arity(1, 1)) return undefined;
      const t = numbers(args[0]!, 0);
      return t && [...new Set(t.map((x) => (x === 0 ? 0 : x)))].sort((a, b) => a - b);
    }
    case "count": {
      // Python's t.count(v): how many elements equal v.
      if (!arity(2, 2)) return undefined;
      if (!Array.isArray(args[0])) return typeError(expr.args[0]!.span, "argument 1 of count", "a tuple", args[0]!, ctx);
      const v = args[1]!;
      return args[0].filter((x) => sameKind(x, v) && equal(x, v)).length;
    }
    case "at": {
      // Python's t[i]: i from 0, or from the end when negative (-1 is the last).
      if (!arity(2, 2)) return undefined;
      if (!Array.isArray(args[0])) return typeError(expr.args[0]!.span, "argument 1 of at", "a tuple", args[0]!, ctx);
      const t = args[0];
      const i = whole(args[1]!, 1);
      if (i === undefined) return undefined;
      if (i < -t.length || i >= t.length) {
        const expected = t.length === 0 ? "an index into a non-empty tuple" : `an index from ${-t.length} to ${t.length - 1} into ${brief(t)}`;
        return typeError(expr.args[1]!.span, "argument 2 of at", expected, i, ctx);
      }
      return t[i < 0 ? t.length + i : i];
    }
  }
  return undefined;
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
    diag("NET4002", ctx.file, span, { what, expected, found: typeof found === "string" ? found : brief(found) }),
  );
  return undefined;
}

/** A value for a message or a hover: a long tuple (`range(5000)`) shows its first elements and its length. */
export function brief(v: Value | undefined): string {
  if (!Array.isArray(v) || v.length <= 32) return Array.isArray(v) ? `(${v.map(brief).join(", ")})` : describe(v);
  return `(${v.slice(0, 16).map(brief).join(", ")}, ... ${v.length} elements)`;
}

function clip(text: string): string {
  return text.length > 24 ? `${text.slice(0, 20)}...` : text;
}
