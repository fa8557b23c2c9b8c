// Reads the attributes written after an op (and the network defaults that apply)
// against the op table, evaluating expressions and checking types and ranges.

import type { Attr, Expr, Span } from "../syntax/ast.js";
import { diag } from "../diagnostics/catalogue.js";
import { ACTIVATION_PARAMS, ACTIVATIONS, type Activation } from "../ir/graph.js";
import { findAttr, findFlag, type AttrSpec, type OpSpec, type Resolved } from "./ops.js";
import { suggest } from "./suggest.js";
import { describe, evaluate, type EvalContext, type Value } from "./values.js";
import { flagShadows, keyShadows, symbolShadowed } from "./ambiguity.js";

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

/** Each op's initial values (op.initial, itself a dictionary), listed once. */
const initials = new WeakMap<OpSpec, [string, Value][]>();
function initialEntries(op: OpSpec): [string, Value][] {
  let list = initials.get(op);
  if (!list) initials.set(op, (list = Object.entries(op.initial)));
  return list;
}

export interface AttrSource {
  attrs: Attr[];
  ctx: EvalContext;
  /** Defaults may name attributes that only some ops of a group have. */
  lenient: boolean;
}

/**
 * Resolves attributes; later sources override earlier ones (defaults first,
 * the layer's own attributes last). Returns undefined when a required value is
 * missing or wrong (diagnostics already reported).
 */
export function readAttrs(op: OpSpec, sources: AttrSource[], opSpan: Span, main: EvalContext): Resolved | undefined {
  const out: Resolved = Object.create(NO_MEMBERS) as Resolved;
  for (const [k, v] of initialEntries(op)) out[k] = v;
  let ok = true;
  // The source being read: `set` and `positional` (made once per call) act on it.
  let src = sources[0]!;
  // Keys of the op table (a handful): a list is cheaper than a set per source.
  let seen: string[] = [];
  let nextValue = 0;
  const set = (key: string, v: Value | undefined, span: Span) => {
    if (v === undefined) {
      ok = false;
      return;
    }
    const again = seen.includes(key);
    if (!src.lenient && again) {
      src.ctx.diagnostics.push(diag("NET4006", src.ctx.file, span, { name: key, op: op.name }));
      return;
    }
    if (!again) seen.push(key);
    const spec = findAttr(op, key);
    const checked = spec ? checkType(spec, v, span, src.ctx, op) : v;
    if (checked === undefined) ok = false;
    else {
      out[spec?.key ?? key] = checked;
    }
  };
  const positional = (expr: Expr, span: Span) => {
    const key = op.values[nextValue++];
    if (!key) {
      src.ctx.diagnostics.push(diag("NET4005", src.ctx.file, span, { op: op.name, detail: `unexpected value '${exprText(expr, src)}': ${op.name} takes ${op.values.length ? `only ${op.values.length} bare value(s) (${op.values.join(", ")})` : "no bare values"}; use key=value.` }));
      ok = false;
      return;
    }
    const v = evalFor(findAttr(op, key), expr, src.ctx);
    // `dwconv 3x3 64` reads like a channel count but multiplies the channels by 64.
    if (key === "multiplier" && !src.lenient && v !== undefined) {
      src.ctx.diagnostics.push(diag("NET4014", src.ctx.file, span, { value: describe(v) }, {
        fixes: [
          { title: "Keep it as multiplier=...", edits: [{ file: src.ctx.file, span: { offset: span.offset, length: 0 }, newText: "multiplier=" }] },
          { title: "Remove it (keep the channel count)", edits: [{ file: src.ctx.file, span, newText: "" }] },
        ],
      }));
    }
    set(key, v, span);
  };
  for (const source of sources) {
    src = source;
    seen = [];
    nextValue = 0;
    for (const attr of src.attrs) {
      switch (attr.kind) {
        case "dimsAttr": {
          if (!op.dims) {
            src.ctx.diagnostics.push(diag("NET4005", src.ctx.file, attr.span, { op: op.name, detail: `takes no kernel size, but '${attr.dims.values.join("x")}' is given.` }));
            ok = false;
            break;
          }
          const v = attr.dims.values;
          if (v.length !== 2) {
            src.ctx.diagnostics.push(diag("NET4002", src.ctx.file, attr.dims.span, { what: `The size of ${op.name}`, expected: "height x width, such as 3x3", found: v.join("x") }));
            ok = false;
            break;
          }
          set(op.dims[0], v, attr.dims.span);
          if (attr.stride && op.dims[1].startsWith("_")) {
            src.ctx.diagnostics.push(diag("NET4005", src.ctx.file, attr.stride.span, { op: op.name, detail: "takes no stride: write the size alone, e.g. '4x4'." }));
            ok = false;
          } else if (attr.stride) {
            const s = evaluate(attr.stride, src.ctx);
            set(op.dims[1], typeof s === "number" ? [s, s] : s, attr.stride.span);
          }
          break;
        }
        case "valueAttr":
          // `conv 3x3 64 leakyrelu(0.2)`: the activation flag with its number.
          if (actCall(attr.value) && op.attrs.some((x) => x.type === "act")) set("act", readActCall(attr.value!, src.ctx), attr.span);
          else positional(attr.value, attr.span);
          break;
        case "flagAttr": {
          const name = attr.name.name;
          const flag = findFlag(op, name);
          if (flag) {
            if (!src.lenient) flagShadows(attr.name, flag, op.name, op.values[nextValue], src.ctx);
            set(flag[0], flag[1], attr.span);
          } else if (src.ctx.env.lookup(name)) positional({ kind: "name", name, span: attr.name.span }, attr.span);
          else if (!src.lenient) {
            const candidates = [...Object.keys(op.flags), ...attrWords(op), ...src.ctx.env.names()];
            src.ctx.diagnostics.push(diag("NET2013", src.ctx.file, attr.span, { name, op: op.name, hint: suggest(name, candidates) + takes(op) }));
            ok = false;
          }
          break;
        }
        case "namedAttr": {
          const spec = findAttr(op, attr.key.name);
          if (!spec) {
            if (!src.lenient) {
              // `conv 1x1 c 2`: a name before a number reads as `key value`.
              const slot = op.values[nextValue];
              const asName = attr.spaced && src.ctx.env.lookup(attr.key.name)
                ? ` A name followed by a number reads as 'key value'${slot ? `: write '${slot}=${attr.key.name}' for the value of '${attr.key.name}'` : ""}.`
                : suggest(attr.key.name, attrWords(op));
              src.ctx.diagnostics.push(diag("NET2013", src.ctx.file, attr.key.span, { name: attr.key.name, op: op.name, hint: asName + takes(op) }));
              ok = false;
            }
            break;
          }
          if (attr.spaced && !src.lenient) keyShadows(attr.key, spec.key, valueText(attr.value), attr.span, op.name, src.ctx);
          set(spec.key, evalFor(spec, attr.value, src.ctx, !src.lenient ? op.name : undefined), attr.span);
          break;
        }
      }
    }
  }
  for (const key of op.required) {
    if (out[key] === undefined && ok) {
      const how = op.dims?.[0] === key ? "e.g. 3x3" : op.values.includes(key) ? `as a bare value after '${op.name}'` : `as ${key}=...`;
      main.diagnostics.push(diag("NET4005", main.file, opSpan, { op: op.name, detail: `missing ${findAttr(op, key)?.doc ?? key} (${key}, ${how}).` }));
      ok = false;
    }
  }
  return ok ? out : undefined;
}

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
const attrWordLists = new WeakMap<OpSpec, string[]>();
function attrWords(op: OpSpec): string[] {
  let words = attrWordLists.get(op);
  if (!words) attrWordLists.set(op, (words = op.attrs.flatMap((x) => [x.key, ...(x.aliases ?? [])])));
  return words;
}

/** What an op takes, listed after an unknown attribute or flag (the op table is fixed: once per op). */
const takesText = new WeakMap<OpSpec, string>();
function takes(op: OpSpec): string {
  let text = takesText.get(op);
  if (text === undefined) takesText.set(op, (text = listTakes(op)));
  return text;
}

function listTakes(op: OpSpec): string {
  const flags = Object.keys(op.flags);
  const attrs = op.attrs.map((x) => (x.aliases?.length ? `${x.key} (${x.aliases.join(", ")})` : x.key));
  const parts = [flags.length ? `the flags ${flags.join(", ")}` : "", attrs.length ? `the attributes ${attrs.join(", ")}` : ""].filter(Boolean);
  return ` ${op.name} takes ${parts.length ? parts.join(" and ") : "no attributes"}.`;
}

/** A spaced attribute's value as `key=value` would write it: `16`, `(3, 3)`. */
function valueText(e: Expr | undefined): string {
  if (e?.kind === "number") return e.text;
  if (e?.kind === "tuple") return `(${e.items.map(valueText).join(", ")})`;
  return "...";
}

function checkType(spec: AttrSpec, v: Value, span: Span, ctx: EvalContext, op: OpSpec): Value | undefined {
  const what = `${op.name} ${spec.key}`;
  const fail = (expected: string) => {
    ctx.diagnostics.push(diag("NET4001", ctx.file, span, { what, expected, found: describe(v) }));
    return undefined;
  };
  // Sizes beyond int32 overflow every framework's tensor indexing.
  const int = (x: Value): x is number =>
    typeof x === "number" && Number.isInteger(x) && x >= (spec.min ?? -INT32_MAX) && x <= INT32_MAX;
  const minText = spec.min !== undefined ? ` from ${spec.min} to ${INT32_MAX}` : "";
  switch (spec.type) {
    case "int":
      return int(v) ? v : fail(`a whole number${minText}`);
    case "number":
      return typeof v === "number" && v >= (spec.min ?? -Infinity) ? v : fail(`a number${minText}`);
    case "rate":
      return typeof v === "number" && v >= 0 && v < 1 ? v : fail("a number from 0 to below 1");
    case "bool":
      return typeof v === "boolean" ? v : fail("true or false");
    case "pair":
      if (int(v)) return [v, v];
      if (Array.isArray(v) && v.length === 2 && v.every(int)) return v;
      return fail(`a whole number${minText} or a pair (h, w)`);
    case "pads": {
      if (v === "same" || v === "valid") return v;
      const nonNeg = (x: Value) => typeof x === "number" && Number.isInteger(x) && x >= 0;
      if (nonNeg(v)) return v;
      if (Array.isArray(v) && (v.length === 2 || v.length === 4) && v.every(nonNeg)) return v;
      return fail("'same', 'valid', a whole number >= 0, (h, w) or (top, left, bottom, right)");
    }
    case "act":
      if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && ACTIVATION_PARAMS[v[0] as Activation] && typeof v[1] === "number") return v;
      return typeof v === "string" && symbols.act!.includes(v) ? (symbolAliases[v] ?? v) : fail(`one of ${ACTIVATIONS.join(", ")}, none or linear (or leakyrelu(slope), elu(alpha))`);
  }
}

function exprText(expr: Expr, src: AttrSource): string {
  void src;
  return expr.kind === "number" ? expr.text : expr.kind === "name" ? expr.name : expr.kind === "call" ? `${expr.callee.name}(...)` : "value";
}
