// A pass over the token stream between the lexer and the parser. It
//  - drops NEWLINE tokens inside `( ... )`, so argument lists may span lines,
//    and collapses runs of NEWLINE;
//  - cuts nesting deeper than MAX_DEPTH (NET1005; parentheses and braces both
//    count) and statements with more than MAX_OPERATORS operators (NET1010):
//    chevrotain's recursive descent (and every recursive walk over the AST
//    after it) would otherwise overflow the stack. Together they bound the
//    depth of every expression tree by MAX_OPERATORS + MAX_DEPTH;
//  - reports text at the top level that is not an import, block or network
//    (NET1006) and drops it up to the next such keyword, so that the parser
//    only sees well-delimited top-level items.

import type { IToken, TokenType } from "chevrotain";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import * as T from "./lexer.js";

export const MAX_DEPTH = 32;
const MAX_OPERATORS = 1000;

const OPERATORS = new Set<TokenType>([
  T.Plus, T.Minus, T.Star, T.Slash, T.Percent,
  T.EqEq, T.NotEq, T.Lt, T.LtEq, T.Gt, T.GtEq, T.And, T.Or, T.Not,
]);

/** How a token is named in messages: `'conv'`, `the end of the line`. */
export function describeToken(tok: IToken): string {
  if (tok.tokenType === T.NL) return "the end of the line";
  if (tok.tokenType.name === "EOF" || tok.image === "") return "the end of the file";
  const image = tok.image.length > 40 ? tok.image.slice(0, 37) + "..." : tok.image;
  return `'${image}'`;
}

export function prepass(tokens: IToken[], path: string): { tokens: IToken[]; diagnostics: Diagnostic[]; itemStarts: number[] } {
  const out: IToken[] = [];
  /** Where each top-level item starts in `out`: the parser takes one item at a time. */
  const itemStarts: number[] = [];
  const diagnostics: Diagnostic[] = [];
  // Open brackets, innermost last; a `}` also closes any `(` left open inside it.
  const stack: TokenType[] = [];
  let mode: "outside" | "import" | "item" = "outside";
  let junkReported = false;
  let cutToDepth = -1; // >= 0 while dropping an over-deep region
  let operators = 0;
  let cutOperators = false;
  let cutAt = 0; // brackets open when the operator cut began

  const close = (t: TokenType) => {
    if (t === T.RParen) {
      if (stack[stack.length - 1] === T.LParen) stack.pop();
    } else {
      const brace = stack.lastIndexOf(T.LBrace);
      if (brace >= 0) stack.length = brace;
    }
  };

  for (const tok of tokens) {
    const t = tok.tokenType;
    if (t === T.Import || t === T.Block || t === T.Network) {
      // These keywords only ever start a top-level item: resynchronise here.
      stack.length = 0;
      cutToDepth = -1;
      cutOperators = false;
      operators = 0;
      mode = t === T.Import ? "import" : "item";
      junkReported = false;
      itemStarts.push(out.length);
      out.push(tok);
      continue;
    }
    if (mode === "outside") {
      if (t === T.NL) {
        if (out.length > 0 && out[out.length - 1]!.tokenType !== T.NL) out.push(tok);
      } else if (!junkReported) {
        junkReported = true;
        diagnostics.push(diag("NET1006", path, { offset: tok.startOffset, length: tok.image.length }, { found: describeToken(tok) }));
      }
      continue;
    }
    const opener = t === T.LParen || t === T.LBrace;
    const closer = t === T.RParen || t === T.RBrace;
    if (cutToDepth >= 0) {
      if (opener) stack.push(t);
      else if (closer) close(t);
      if (stack.length <= cutToDepth) cutToDepth = -1;
      continue;
    }
    // The operator count runs over a whole statement, parentheses included:
    // `(1)+(1)+...` builds as deep a tree as `1+1+...`.
    const endsStatement = t === T.Semi || t === T.LBrace || t === T.RBrace || (t === T.NL && stack[stack.length - 1] !== T.LParen);
    if (endsStatement) {
      operators = 0;
      cutOperators = false;
    } else if (cutOperators) {
      // Dropped up to the end of the statement, except the ')' that close
      // parentheses opened before the cut (they keep the kept part whole).
      if (opener) {
        stack.push(t);
        continue;
      }
      if (t !== T.RParen) continue;
      const kept = stack.length <= cutAt;
      close(t);
      if (!kept) continue;
      cutAt = stack.length;
    } else if (OPERATORS.has(t) && ++operators > MAX_OPERATORS) {
      diagnostics.push(diag("NET1010", path, { offset: tok.startOffset, length: tok.image.length }, { limit: MAX_OPERATORS }));
      cutOperators = true;
      cutAt = stack.length;
      continue;
    }
    if (opener) {
      if (stack.length >= MAX_DEPTH) {
        diagnostics.push(diag("NET1005", path, { offset: tok.startOffset, length: tok.image.length }, { limit: MAX_DEPTH }));
        cutToDepth = stack.length;
        stack.push(t);
        continue;
      }
      stack.push(t);
    } else if (closer) {
      close(t);
    } else if (t === T.NL) {
      if (stack[stack.length - 1] === T.LParen) continue;
      if (out[out.length - 1]?.tokenType === T.NL) continue;
      if (mode === "import" && stack.length === 0) mode = "outside";
    }
    out.push(tok);
    if (mode === "item" && t === T.RBrace && stack.length === 0) mode = "outside";
  }
  return { tokens: out, diagnostics, itemStarts };
}
