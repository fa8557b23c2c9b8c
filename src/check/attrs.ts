// Reads the attributes written after an op (and the network defaults that apply)
// against the op table, evaluating expressions and checking types and ranges.

import type { Attr, Expr, Span } from "../syntax/ast.js";
import { diag } from "../diagnostics/catalogue.js";
import { ACTIVATION_PARAMS, ACTIVATIONS, type Activation } from "../ir/graph.js";
import { findAttr, findFlag, type AttrSpec, type OpSpec, type Resolved } from "./ops.js";
import { suggest, suggestAmong } from "./suggest.js";
import { describe, Env, evaluate, type EvalContext, type Value } from "./values.js";
import { flagShadows, keyShadows, symbolShadowed } from "./ambiguity.js";
import { oncePer } from "../util/once-per.js";

const INT32_MAX = 2147483647;

/** Symbols an attribute may be given as a bare word (`pad=same`, `act=relu`). */
const symbols: Partial<Record<AttrSpec["type"], string[]>> = {
  pads: ["same", "valid"],
  act: [...ACTIVATIONS, "none", "linear", "swish"],
};

/** Words that name another symbol (`linear` is no activation, `swish` is SiLU). */
const symbolAliases: Record<string, string> = { linear: "none", swish: "silu" };

/**
 * The prototype of resolved attributes: it has no members, so (as with
 * Object.create(null)) no key reaches Object.prototype's, but objects built on
 * it stay in V8's fast mode where Object.create(null) makes a dictionary.
 */
const NO_MEMBERS: object = Object.create(null);

/**
 * Per op, a constructor of its resolved attributes (prototype NO_MEMBERS) and its
 * initial values (op.initial, itself a dictionary), listed once. Objects of one
 * op's constructor get room for that op's keys in the object itself, where
 * Object.create(NO_MEMBERS) grows a separate property store key by key (a spec
 * of many statements reads attributes tens of thousands of times).
 */
interface OpResolved {
  make: new () => Resolved;
  keys: string[];
  values: Value[];
  /** A bit per attribute key of the op (the keys a source sets are mostly these). */
  bits: Map<string, number>;
}
const opResolved = oncePer((op: OpSpec): OpResolved => {
  const make = function (this: Resolved) {} as unknown as new () => Resolved;
  make.prototype = NO_MEMBERS;
  const entries = Object.entries(op.initial);
  const bits = new Map<string, number>();
  op.attrs.forEach((x, i) => {
    if (i < 30 && !bits.has(x.key)) bits.set(x.key, 1 << i);
  });
  return { make, keys: entries.map((e) => e[0]), values: entries.map((e) => e[1]), bits };
});

export interface AttrSource {
  attrs: Attr[];
  ctx: EvalContext;
  /** Defaults may name attributes that only some ops of a group have. */
  lenient: boolean;
}

/**
 * One readAttrs call: the op, what is resolved so far, and the source being read
 * (its context and leniency). A class rather than closures and source objects:
 * readAttrs runs once per op statement.
 */
class AttrReader {
  ok = true;
  lenient = false;
  /** Keys this source set: a bit per key of the op's table, a list for any other key. */
  seenBits = 0;
  seenOther: string[] | undefined = undefined;
  nextValue = 0;

  constructor(
    public op: OpSpec,
    public table: OpResolved,
    public out: Resolved,
    public ctx: EvalContext,
  ) {}

  /** Whether this source set `key` before; marks it set. */
  private again(key: string): boolean {
    const bit = this.table.bits.get(key);
    if (bit !== undefined) {
      if ((this.seenBits & bit) !== 0) return true;
      this.seenBits |= bit;
      return false;
    }
    if (this.seenOther?.includes(key)) return true;
    (this.seenOther ??= []).push(key);
    return false;
  }

  set(key: string, v: Value | undefined, span: Span): void {
    if (v === undefined) {
      this.ok = false;
      return;
    }
    const { op, ctx } = this;
    const again = this.again(key);
    if (!this.lenient && again) {
      ctx.diagnostics.push(diag("NET4006", ctx.file, span, { name: key, op: op.name }));
      return;
    }
    const spec = findAttr(op, key);
    const checked = spec ? checkType(spec, v, span, ctx, op) : v;
    if (checked === undefined) this.ok = false;
    else {
      this.out[spec?.key ?? key] = checked;
    }
  }

  positional(expr: Expr, span: Span): void {
    const { op, ctx } = this;
    const key = op.values[this.nextValue++];
    if (!key) {
      ctx.diagnostics.push(diag("NET4005", ctx.file, span, { op: op.name, detail: `unexpected value '${exprText(expr)}': ${bareValues(op)}` }));
      this.ok = false;
      return;
    }
    const v = evalFor(findAttr(op, key), expr, ctx);
    // `dwconv 3x3 64` reads like a channel count but multiplies the channels by 64.
    if (key === "multiplier" && !this.lenient && v !== undefined) {
      ctx.diagnostics.push(diag("NET4014", ctx.file, span, { value: describe(v) }, {
        fixes: [
          { title: "Keep it as multiplier=...", edits: [{ file: ctx.file, span: { offset: span.offset, length: 0 }, newText: "multiplier=" }] },
          { title: "Remove it (keep the channel count)", edits: [{ file: ctx.file, span, newText: "" }] },
        ],
      }));
    }
    this.set(key, v, span);
  }

  /** Reads one source's attributes; a later source overrides an earlier one. */
  read(attrs: Attr[], ctx: EvalContext, lenient: boolean): void {
    this.ctx = ctx;
    this.lenient = lenient;
    this.seenBits = 0;
    this.seenOther = undefined;
    this.nextValue = 0;
    const op = this.op;
    for (let i = 0; i < attrs.length; i++) {
      const attr = attrs[i]!;
      switch (attr.kind) {
        case "dimsAttr": {
          if (!op.dims) {
            ctx.diagnostics.push(diag("NET4005", ctx.file, attr.span, { op: op.name, detail: `takes no kernel size, but '${attr.dims.values.join("x")}' is given.` }));
            this.ok = false;
            break;
          }
          const v = attr.dims.values;
          if (v.length !== 2) {
            ctx.diagnostics.push(diag("NET4002", ctx.file, attr.dims.span, { what: `The size of ${op.name}`, expected: "height x width, such as 3x3", found: v.join("x") }));
            this.ok = false;
            break;
          }
          this.set(op.dims[0], v, attr.dims.span);
          if (attr.stride && op.dims[1].startsWith("_")) {
            ctx.diagnostics.push(diag("NET4005", ctx.file, attr.stride.span, { op: op.name, detail: "takes no stride: write the size alone, e.g. '4x4'." }));
            this.ok = false;
          } else if (attr.stride) {
            const s = evaluate(attr.stride, ctx);
            this.set(op.dims[1], typeof s === "number" ? [s, s] : s, attr.stride.span);
          }
          break;
        }
        case "valueAttr":
          // `conv 3x3 64 leakyrelu(0.2)`: the activation flag with its number.
          if (actCall(attr.value) && hasActAttr(op)) this.set("act", readActCall(attr.value!, ctx), attr.span);
          else this.positional(attr.value, attr.span);
          break;
        case "flagAttr": {
          const name = attr.name.name;
          const flag = findFlag(op, name);
          if (flag) {
            if (!lenient) flagShadows(attr.name, flag, op.name, op.values[this.nextValue], ctx);
            this.set(flag[0], flag[1], attr.span);
          } else if (ctx.env.lookup(name)) this.positional({ kind: "name", name, span: attr.name.span }, attr.span);
          else if (!lenient) {
            ctx.diagnostics.push(diag("NET2013", ctx.file, attr.span, { name, op: op.name, hint: suggestFlag(name, op, ctx) + takes(op) }));
            this.ok = false;
          }
          break;
        }
        case "namedAttr": {
          const spec = findAttr(op, attr.key.name);
          if (!spec) {
            if (!lenient) {
              // `conv 1x1 c 2`: a name before a number reads as `key value`.
              const slot = op.values[this.nextValue];
              const asName = attr.spaced && ctx.env.lookup(attr.key.name)
                ? ` A name followed by a number reads as 'key value'${slot ? `: write '${slot}=${attr.key.name}' for the value of '${attr.key.name}'` : ""}.`
                : suggestAmong(attr.key.name, attrWords(op));
              ctx.diagnostics.push(diag("NET2013", ctx.file, attr.key.span, { name: attr.key.name, op: op.name, hint: asName + takes(op) }));
              this.ok = false;
            }
            break;
          }
          if (attr.spaced && !lenient) keyShadows(attr.key, spec.key, valueText(attr.value), attr.span, op.name, ctx);
          this.set(spec.key, evalFor(spec, attr.value, ctx, !lenient ? op.name : undefined), attr.span);
          break;
        }
      }
    }
  }
}

/**
 * Resolves attributes: the defaults that apply (in order, lenient), then the
 * statement's own `attrs` in `ctx`; later sources override earlier ones.
 * Returns undefined when a required value is missing or wrong (diagnostics
 * already reported).
 */
export function readAttrs(op: OpSpec, defaults: readonly AttrSource[], attrs: Attr[], opSpan: Span, ctx: EvalContext): Resolved | undefined {
  const init = opResolved(op);
  const out: Resolved = new init.make();
  for (let i = 0; i < init.keys.length; i++) out[init.keys[i]!] = init.values[i]!;
  // The spare reader when there is one (readAttrs does not call itself; if it did, the inner call would make its own).
  let r = spareReader;
  spareReader = undefined;
  if (r) {
    r.op = op;
    r.table = init;
    r.out = out;
    r.ctx = ctx;
    r.ok = true;
  } else r = new AttrReader(op, init, out, ctx);
  for (let i = 0; i < defaults.length; i++) r.read(defaults[i]!.attrs, defaults[i]!.ctx, defaults[i]!.lenient);
  r.read(attrs, ctx, false);
  for (let i = 0; i < op.required.length; i++) {
    const key = op.required[i]!;
    if (out[key] === undefined && r.ok) {
      const how = op.dims?.[0] === key ? "e.g. 3x3" : op.values.includes(key) ? `as a bare value after '${op.name}'` : `as ${key}=...`;
      ctx.diagnostics.push(diag("NET4005", ctx.file, opSpan, { op: op.name, detail: `missing ${findAttr(op, key)?.doc ?? key} (${key}, ${how}).` }));
      r.ok = false;
    }
  }
  const ok = r.ok;
  // A spare reader keeps nothing of this call alive (a context holds its elaboration's diagnostics).
  r.out = NO_RESULT;
  r.ctx = NO_CONTEXT;
  spareReader = r;
  return ok ? out : undefined;
}

let spareReader: AttrReader | undefined;
/** What a spare reader holds in place of a result it no longer needs. */
const NO_RESULT: Resolved = Object.freeze(Object.create(NO_MEMBERS) as Resolved);
const NO_CONTEXT: EvalContext = Object.freeze({ file: "", env: new Env(), diagnostics: [] });

/** "conv takes only 1 bare value(s) (out); use key=value.", after an unexpected bare value (once per op). */
const bareValues = oncePer(
  (op: OpSpec) => `${op.name} takes ${op.values.length ? `only ${op.values.length} bare value(s) (${op.values.join(", ")})` : "no bare values"}; use key=value.`,
);

/** Whether an op has an activation attribute (the op table is fixed: once per op). */
const hasActAttr = oncePer((op: OpSpec) => op.attrs.some((x) => x.type === "act"));

/** What an unknown flag may have meant: the op's flags, its attribute words, then the names in scope. */
function suggestFlag(name: string, op: OpSpec, ctx: EvalContext): string {
  const names = ctx.env.names();
  const own = flagWords(op);
  return names.length === 0 ? suggestAmong(name, own) : suggest(name, [...own, ...names]);
}

/** An op's flags, then its attribute keys and their aliases (the op table is fixed: once per op; not to be changed). */
const flagWords = oncePer((op: OpSpec): string[] => [...Object.keys(op.flags), ...attrWords(op)]);

/** `ownerOp` (conv, for "conv's pad"): warn when a symbol such as `same` is shadowed by a name in scope. */
function evalFor(spec: AttrSpec | undefined, expr: Expr | undefined, ctx: EvalContext, ownerOp?: string): Value | undefined {
  if (spec && expr?.kind === "name" && Object.hasOwn(symbols, spec.type) && symbols[spec.type]!.includes(expr.name)) {
    if (!ctx.env.lookup(expr.name)) return symbolAliases[expr.name] ?? expr.name;
    if (ownerOp !== undefined) symbolShadowed({ kind: "ident", name: expr.name, span: expr.span }, `${ownerOp}'s ${spec.key}`, ctx);
  }
  if (spec?.type === "act" && actCall(expr)) return readActCall(expr!, ctx);
  return evaluate(expr, ctx);
}

/** `leakyrelu(0.2)`, `elu(0.5)`: an activation with its number (or `relu(1)`, refused by readActCall). */
function actCall(expr: Expr | undefined): boolean {
  return expr?.kind === "call" && (ACTIVATIONS as readonly string[]).includes(expr.callee.name);
}

/** The activation a bare word names (`relu`, `swish`, `linear`), or undefined. */
export function actSymbol(word: string): string | undefined {
  return symbols.act!.includes(word) ? (symbolAliases[word] ?? word) : undefined;
}

/** An activation value: a name (or a string from a block parameter), or a parameterised activation call. */
export function readActValue(expr: Expr | undefined, ctx: EvalContext): Value | undefined {
  if (actCall(expr)) return readActCall(expr!, ctx);
  if (expr?.kind === "name" && symbols.act!.includes(expr.name) && !ctx.env.lookup(expr.name)) return symbolAliases[expr.name] ?? expr.name;
  return evaluate(expr, ctx);
}

/** [name, number] for a call `actCall` accepted. */
function readActCall(expr: Expr, ctx: EvalContext): Value | undefined {
  if (expr.kind !== "call") return undefined;
  const name = expr.callee.name;
  const param = ACTIVATION_PARAMS[name as Activation];
  if (!param) {
    const takes = Object.keys(ACTIVATION_PARAMS).map((k) => `${k}(${ACTIVATION_PARAMS[k as Activation]!.key})`).join(" and ");
    ctx.diagnostics.push(diag("NET4001", ctx.file, expr.span, { what: `The activation ${name}`, expected: `written without a number (only ${takes} take one)`, found: `given ${expr.args.length} argument(s)` }));
    return undefined;
  }
  const args = expr.args.map((x) => evaluate(x, ctx));
  if (args.some((x) => x === undefined)) return undefined;
  if (args.length !== 1 || typeof args[0] !== "number") {
    ctx.diagnostics.push(diag("NET4001", ctx.file, expr.span, { what: `The ${param.key} of ${name}(...)`, expected: `one number, as in ${name}(${param.default === 1 ? "0.5" : "0.2"})`, found: args.length === 1 ? describe(args[0]) : `${args.length} arguments` }));
    return undefined;
  }
  return [name, args[0]];
}

/** An op's attribute keys and their aliases, in table order (the op table is fixed: once per op). */
const attrWords = oncePer((op: OpSpec): string[] => op.attrs.flatMap((x) => [x.key, ...(x.aliases ?? [])]));

/** What an op takes, listed after an unknown attribute or flag (the op table is fixed: once per op). */
const takes = oncePer((op: OpSpec): string => {
  const flags = Object.keys(op.flags);
  const attrs = op.attrs.map((x) => (x.aliases?.length ? `${x.key} (${x.aliases.join(", ")})` : x.key));
  const parts = [flags.length ? `the flags ${flags.join(", ")}` : "", attrs.length ? `the attributes ${attrs.join(", ")}` : ""].filter(Boolean);
  return ` ${op.name} takes ${parts.length ? parts.join(" and ") : "no attributes"}.`;
});

/** A spaced attribute's value as `key=value` would write it: `16`, `(3, 3)`. */
function valueText(e: Expr | undefined): string {
  if (e?.kind === "number") return e.text;
  if (e?.kind === "tuple") return `(${e.items.map(valueText).join(", ")})`;
  return "...";
}

/** Sizes beyond int32 overflow every framework's tensor indexing. */
function isInt(x: Value, spec: AttrSpec): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= (spec.min ?? -INT32_MAX) && x <= INT32_MAX;
}

function isNonNeg(x: Value): boolean {
  return typeof x === "number" && Number.isInteger(x) && x >= 0;
}

/** What a type expects, per attribute spec (the op table is fixed: built at the first failure, once per spec). */
const expectedText = oncePer((spec: AttrSpec): string => {
  const minText = spec.min !== undefined ? ` from ${spec.min} to ${INT32_MAX}` : "";
  switch (spec.type) {
    case "int":
      return `a whole number${minText}`;
    case "number":
      return `a number${minText}`;
    case "rate":
      return "a number from 0 to below 1";
    case "bool":
      return "true or false";
    case "pair":
      return `a whole number${minText} or a pair (h, w)`;
    case "pads":
      return "'same', 'valid', a whole number >= 0, (h, w) or (top, left, bottom, right)";
    case "act":
      return `one of ${ACTIVATIONS.join(", ")}, none or linear (or leakyrelu(slope), elu(alpha))`;
  }
});

/** "conv stride": an attribute as NET4001 names it, per op and spec (specs are shared by ops), made once. */
const whatText = oncePer((op: OpSpec) => oncePer((spec: AttrSpec) => `${op.name} ${spec.key}`));

/** Reports a value of the wrong type or range (checkType runs once per attribute: its texts are made here, once). */
function fail(spec: AttrSpec, v: Value, span: Span, ctx: EvalContext, op: OpSpec): undefined {
  ctx.diagnostics.push(diag("NET4001", ctx.file, span, { what: whatText(op)(spec), expected: expectedText(spec), found: describe(v) }));
  return undefined;
}

function checkType(spec: AttrSpec, v: Value, span: Span, ctx: EvalContext, op: OpSpec): Value | undefined {
  switch (spec.type) {
    case "int":
      return isInt(v, spec) ? v : fail(spec, v, span, ctx, op);
    case "number":
      return typeof v === "number" && v >= (spec.min ?? -Infinity) ? v : fail(spec, v, span, ctx, op);
    case "rate":
      return typeof v === "number" && v >= 0 && v < 1 ? v : fail(spec, v, span, ctx, op);
    case "bool":
      return typeof v === "boolean" ? v : fail(spec, v, span, ctx, op);
    case "pair":
      if (isInt(v, spec)) return [v, v];
      if (Array.isArray(v) && v.length === 2 && isInt(v[0]!, spec) && isInt(v[1]!, spec)) return v;
      return fail(spec, v, span, ctx, op);
    case "pads": {
      if (v === "same" || v === "valid") return v;
      if (isNonNeg(v)) return v;
      if (Array.isArray(v) && (v.length === 2 || v.length === 4) && v.every(isNonNeg)) return v;
      return fail(spec, v, span, ctx, op);
    }
    case "act":
      if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && ACTIVATION_PARAMS[v[0] as Activation] && typeof v[1] === "number") return v;
      return typeof v === "string" && symbols.act!.includes(v) ? (symbolAliases[v] ?? v) : fail(spec, v, span, ctx, op);
  }
}

function exprText(expr: Expr): string {
  return expr.kind === "number" ? expr.text : expr.kind === "name" ? expr.name : expr.kind === "call" ? `${expr.callee.name}(...)` : "value";
}
