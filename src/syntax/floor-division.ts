// NET1020: `conv 3x3 64 // 2` is Python's floor division to a Python user, but
// `//` starts a comment, so the layer silently gets 64 channels. The rule, kept
// narrow so that ordinary trailing comments (`conv 3x3 64  // the stem`) never
// trip it:
//   - a line comment (`//`, never a `///` doc comment) follows, on the same
//     line, a token that can end an operand: a number, `)`, or a name the
//     enclosing block or network declares (below);
//   - the comment's text is nothing but an arithmetic expression: operands
//     joined by + - * / %, with parentheses (`// 2`, `// c + 1`, `// (g * 2)`);
//   - its first operand is a number, or a name the enclosing block or network
//     declares (a parameter, a `<-` name, a repeat index), and every name in it
//     is such a name: `// stem` and `// c1 is the stem` stay comments.

import type { IToken } from "chevrotain";
import type { CompactTokens } from "./lexer.js";
import type * as A from "./ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { diag } from "../diagnostics/catalogue.js";

/** Warnings kept per file: one spelling repeated a thousand times needs saying a few times, and the file's syntax-diagnostic cap (100, then NET1017, an error) is never reached by warnings alone. */
const MAX_WARNINGS = 20;
const OPERAND_END = new Set(["NumberLit", "Ident", "RParen"]);
const OPERATOR = new Set(["Plus", "Minus", "Star", "Slash", "Percent"]);
const PART = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?[KMG]?|\.\d+)|([\p{L}_][\p{L}\p{N}_]*)|([-+*/%])|([()]))/uy;

/** The operands of `text` when it is an arithmetic expression, else undefined. */
function expression(text: string): { numbers: string[]; names: string[] } | undefined {
  const numbers: string[] = [];
  const names: string[] = [];
  let wantOperand = true;
  let depth = 0;
  let at = 0;
  for (;;) {
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (at >= text.length) break;
    PART.lastIndex = at;
    const m = PART.exec(text);
    if (!m) return undefined;
    at = PART.lastIndex;
    const [, number, name, op, paren] = m;
    if (number !== undefined || name !== undefined) {
      if (!wantOperand) return undefined;
      if (number !== undefined) numbers.push(number);
      else names.push(name!);
      wantOperand = false;
    } else if (op !== undefined) {
      if (wantOperand) return undefined;
      wantOperand = true;
    } else if (paren === "(") {
      if (!wantOperand) return undefined;
      depth++;
    } else {
      if (wantOperand || depth === 0) return undefined;
      depth--;
    }
  }
  return !wantOperand && depth === 0 ? { numbers, names } : undefined;
}

/** Names an item declares for its expressions: parameters, `<-` names, repeat indices. */
function declaredNames(item: A.TopLevel): Set<string> {
  const names = new Set<string>();
  if (item.kind !== "block" && item.kind !== "network") return names;
  for (const p of item.params) names.add(p.name.name);
  if (item.kind === "block") {
    for (const a of item.annotations) if (a.kind === "shapeAnnotation" && a.direction === "in") for (const e of a.exprs) if (e.kind === "name") names.add(e.name);
  }
  // Repeat indices anywhere in the item: a loop over the tree (its depth is bounded by the prepass, but a stack needs no bound).
  const stack: unknown[] = [item];
  while (stack.length > 0) {
    const n = stack.pop();
    if (Array.isArray(n)) stack.push(...n);
    else if (n && typeof n === "object") {
      const r = n as Partial<A.RepeatLayer>;
      if (r.kind === "repeat" && r.index) names.add(r.index.name);
      for (const [k, v] of Object.entries(n)) if (k !== "span" && v && typeof v === "object") stack.push(v);
    }
  }
  return names;
}

/**
 * What floorDivisionComments reads of the lexer's tokens (the compact list:
 * no token objects but these few are made): the line comments that could be a
 * floor division (after an operand, their text an expression) and the two
 * tokens before each. Given these as its tokens and comments, it finds
 * the same neighbours (the tokens kept are consecutive in the full list).
 */
export function floorDivisionCandidates(tokens: CompactTokens, comments: A.Comment[]): { tokens: IToken[]; comments: A.Comment[] } {
  const near: IToken[] = [];
  const kept: A.Comment[] = [];
  const keep = (i: number) => {
    if (i >= 0 && (near.length === 0 || near[near.length - 1]!.startOffset < tokens.starts[i]!)) near.push(tokens.token(i));
  };
  let t = 0;
  for (const c of comments) {
    if (c.doc) continue;
    while (t < tokens.count && tokens.starts[t]! < c.span.offset) t++;
    if (t === 0 || !OPERAND_END.has(tokens.type(t - 1).name) || !expression(c.text.slice(2))) continue;
    keep(t - 2);
    keep(t - 1);
    kept.push(c);
  }
  return { tokens: near, comments: kept };
}

/** Tokens are in source order without comments; `items` the file's top-level items. */
export function floorDivisionComments(tokens: IToken[], comments: A.Comment[], items: A.TopLevel[], path: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  let t = 0;
  const declared = new Map<A.TopLevel, Set<string>>();
  // Comments and items are both in source order: one pass over each.
  let i = 0;
  for (const c of comments) {
    if (out.length >= MAX_WARNINGS) break;
    if (c.doc) continue;
    while (t < tokens.length && tokens[t]!.startOffset < c.span.offset) t++;
    const prev = tokens[t - 1];
    if (!prev || !OPERAND_END.has(prev.tokenType.name)) continue;
    const rest = c.text.slice(2);
    const expr = expression(rest);
    if (!expr) continue;
    while (i < items.length && items[i]!.span.offset + items[i]!.span.length <= c.span.offset) i++;
    const item = items[i];
    if (!item || item.span.offset > c.span.offset) continue;
    if (!declared.has(item)) declared.set(item, declaredNames(item));
    const known = declared.get(item)!;
    if (!expr.names.every((n) => known.has(n))) continue;
    // `relu // 2`: a flag is no operand.
    if (prev.tokenType.name === "Ident" && !known.has(prev.image)) continue;
    const divisor = rest.trim();
    // A lone operand before `//` (not part of `a * b // c`) can be rewritten exactly.
    const before = tokens[t - 2];
    const alone = prev.tokenType.name !== "RParen" && !(before && (OPERATOR.has(before.tokenType.name) || before.tokenType.name === "RParen"));
    const suggestion = alone ? `div(${prev.image}, ${divisor})` : `div(a, ${divisor})`;
    const fixes = alone
      ? [{ title: `Floor-divide: ${suggestion}`, edits: [{ file: path, span: { offset: prev.startOffset, length: c.span.offset + c.span.length - prev.startOffset }, newText: suggestion }] }]
      : [];
    const same = alone ? `, the same as 'floor(${prev.image} / ${divisor})'` : ", with the whole left side as a";
    out.push(diag("NET1020", path, c.span, { rest: divisor, suggestion: `'${suggestion}'${same}` }, { fixes }));
  }
  return out;
}
