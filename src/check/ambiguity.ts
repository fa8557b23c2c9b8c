// Bare words that mean two things at once: an op's flag or attribute key, and a
// parameter, `<-` name or repeat index in scope (`conv k 16` in a block with a
// parameter `k` is kernel=16). The grammar decides each case one way; NET2050
// says which, so a spec never silently means something else than it reads.
//
// The cases, each decided as the grammar always has:
//   flag        `conv 3x3 c bn` with `bn` in scope      -> the flag
//   key value   `conv k 16` with `k` in scope           -> the attribute (kernel=16)
//   symbol      `conv 3x3 c pad=same` with `same` in scope -> the name (its value)

import type { Ident, Span } from "../syntax/ast.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Fix } from "../diagnostics/diagnostic.js";
import type { Binding, EvalContext, Value } from "./values.js";
import { describe } from "./values.js";

export function kindOf(b: Binding): string {
  switch (b.kind) {
    case "inputName":
      return "input name (bound by '<-')";
    case "index":
      return "repeat index";
    default:
      return "parameter";
  }
}

/** A flag's setting as `key=value` text: `act=relu`, `bias=false`. */
const shown = (v: Value) => (typeof v === "string" ? v : describe(v));

function fix(title: string, file: string, span: Span, newText: string): Fix {
  return { title, edits: [{ file, span, newText }] };
}

/**
 * How to write the name's value instead of the flag: `slot=name` for the op's
 * next bare-value key (`out=relu`; a parenthesised `(relu)` right after the op
 * name would read as a block call), or nothing when no bare value is left to fill.
 */
function valueWay(name: string, kind: string, slot: string | undefined, file: string, span: Span): { text: string; fixes: Fix[] } {
  if (!slot) return { text: "", fixes: [] };
  const written = `${slot}=${name}`;
  return { text: `Write '${written}' for the ${kind}'s value`, fixes: [fix(`Use the ${kind}'s value: ${written}`, file, span, written)] };
}

/** A bare word read as the flag `[key, value]` of `owner` while a name of that spelling is in scope. */
export function flagShadows(word: Ident, flag: [string, Value], owner: string, slot: string | undefined, ctx: EvalContext): void {
  const b = ctx.env.lookup(word.name);
  if (!b) return;
  const kind = kindOf(b);
  const explicit = typeof flag[1] === "boolean" || typeof flag[1] === "number" ? `${flag[0]}=${describe(flag[1])}` : undefined;
  const value = valueWay(word.name, kind, slot, ctx.file, word.span);
  const fixes = [...value.fixes];
  if (explicit) fixes.push(fix(`Keep the flag: ${explicit}`, ctx.file, word.span, explicit));
  ctx.diagnostics.push(diag("NET2050", ctx.file, word.span, {
    name: word.name,
    reading: `${owner}'s flag (${flag[0]}=${shown(flag[1])})`,
    kind,
    chosen: "the flag",
    advice: value.text
      ? `${value.text}; ${explicit ? `'${explicit}' keeps the flag` : `rename the ${kind} to keep the flag`}.`
      : `${explicit ? `'${explicit}' says the flag plainly; ` : ""}rename the ${kind} to avoid the clash.`,
  }, { fixes }));
}

/** `key value` (`k 16`) read as an attribute while `key` is also a name in scope. */
export function keyShadows(key: Ident, canonical: string, valueText: string, attrSpan: Span, owner: string, ctx: EvalContext): void {
  const b = ctx.env.lookup(key.name);
  if (!b) return;
  const kind = kindOf(b);
  const explicit = `${canonical}=${valueText}`;
  // `conv k 16` most likely means PyTorch's Conv2d(.., 16, k): the kernel is k, 16 the channels.
  const named = `${canonical}=${key.name}`;
  ctx.diagnostics.push(diag("NET2050", ctx.file, key.span, {
    name: key.name,
    reading: `${owner}'s attribute '${canonical}' (a name followed by a number reads as 'key value', here ${explicit})`,
    kind,
    chosen: "the attribute",
    advice: `Write '${named}' to give ${canonical} the ${kind}'s value, or '${explicit}' to keep this reading.`,
  }, {
    fixes: [
      fix(`Give ${canonical} the ${kind}'s value: ${named}`, ctx.file, key.span, named),
      fix(`Keep the attribute: ${explicit}`, ctx.file, attrSpan, explicit),
    ],
  }));
}

/** `pad=same` where `same` is also a name in scope: the name wins, and the symbol cannot be written. */
export function symbolShadowed(word: Ident, what: string, ctx: EvalContext): void {
  const b = ctx.env.lookup(word.name);
  if (!b) return;
  const kind = kindOf(b);
  ctx.diagnostics.push(diag("NET2050", ctx.file, word.span, {
    name: word.name,
    reading: `a value of ${what}`,
    kind,
    chosen: `the ${kind} (${describe(b.value)})`,
    advice: `Rename the ${kind} to use '${word.name}' as ${what}.`,
  }));
}
