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
import type { CompactTokens } from "./lexer.js";

export const MAX_DEPTH = 32;
const MAX_OPERATORS = 1000;

/** Operator token types, by tokenTypeIdx. */
const OPERATORS: boolean[] = [];
for (const t of [T.Plus, T.Minus, T.Star, T.Slash, T.Percent, T.EqEq, T.NotEq, T.Lt, T.LtEq, T.Gt, T.GtEq, T.And, T.Or, T.Not]) OPERATORS[t.tokenTypeIdx!] = true;
const idx = (t: TokenType) => t.tokenTypeIdx!;
const [IMPORT, BLOCK, NETWORK, NL, LPAREN, RPAREN, LBRACE, RBRACE, SEMI] = [T.Import, T.Block, T.Network, T.NL, T.LParen, T.RParen, T.LBrace, T.RBrace, T.Semi].map(idx) as [number, number, number, number, number, number, number, number, number];

/** How a token is named in messages: `'conv'`, `the end of the line`. */
export function describeToken(tok: IToken): string {
  if (tok.tokenType === T.NL) return "the end of the line";
  if (tok.tokenType.name === "EOF" || tok.image === "") return "the end of the file";
  const image = tok.image.length > 40 ? tok.image.slice(0, 37) + "..." : tok.image;
  return `'${image}'`;
}

/**
 * The prepass over the lexer's tokens. Its output is the indices of the tokens
 * kept (`indices[0..count)` into `lexed`) and where each top-level item starts
 * among them.
 */
export function prepass(lexed: CompactTokens, path: string): { indices: Int32Array; count: number; diagnostics: Diagnostic[]; itemStarts: number[] } {
  let indices = new Int32Array(Math.min(lexed.count, 1 << 16) + 16);
  let count = 0;
  const push = (i: number) => {
    if (count === indices.length) {
      const grown = new Int32Array(count * 2 + 16);
      grown.set(indices);
      indices = grown;
    }
    indices[count++] = i;
  };
  const types = lexed.types;
  const lastType = () => (count > 0 ? types[indices[count - 1]!] : -1);
  /** Where each top-level item starts in the output: the parser takes one item at a time. */
  const itemStarts: number[] = [];
  const diagnostics: Diagnostic[] = [];
  // Open brackets, innermost last; a `}` also closes any `(` left open inside it.
  const stack: number[] = [];
  let mode: "outside" | "import" | "item" = "outside";
  let junkReported = false;
  let cutToDepth = -1; // >= 0 while dropping an over-deep region
  let operators = 0;
  let cutOperators = false;
  let cutAt = 0; // brackets open when the operator cut began

  const close = (t: number) => {
    if (t === RPAREN) {
      if (stack[stack.length - 1] === LPAREN) stack.pop();
    } else {
      const brace = stack.lastIndexOf(LBRACE);
      if (brace >= 0) stack.length = brace;
    }
  };
  const span = (i: number) => ({ offset: lexed.starts[i]!, length: lexed.ends[i]! - lexed.starts[i]! });

  for (let i = 0; i < lexed.count; i++) {
    const t = types[i]!;
    if (t === IMPORT || t === BLOCK || t === NETWORK) {
      // These keywords only ever start a top-level item: resynchronise here.
      stack.length = 0;
      cutToDepth = -1;
      cutOperators = false;
      operators = 0;
      mode = t === IMPORT ? "import" : "item";
      junkReported = false;
      itemStarts.push(count);
      push(i);
      continue;
    }
    if (mode === "outside") {
      if (t === NL) {
        if (count > 0 && lastType() !== NL) push(i);
      } else if (!junkReported) {
        junkReported = true;
        diagnostics.push(diag("NET1006", path, span(i), { found: describeToken(lexed.token(i)) }));
      }
      continue;
    }
    const opener = t === LPAREN || t === LBRACE;
    const closer = t === RPAREN || t === RBRACE;
    if (cutToDepth >= 0) {
      if (opener) stack.push(t);
      else if (closer) close(t);
      if (stack.length <= cutToDepth) cutToDepth = -1;
      continue;
    }
    // The operator count runs over a whole statement, parentheses included:
    // `(1)+(1)+...` builds as deep a tree as `1+1+...`.
    const endsStatement = t === SEMI || t === LBRACE || t === RBRACE || (t === NL && stack[stack.length - 1] !== LPAREN);
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
      if (t !== RPAREN) continue;
      const kept = stack.length <= cutAt;
      close(t);
      if (!kept) continue;
      cutAt = stack.length;
    } else if (OPERATORS[t] && ++operators > MAX_OPERATORS) {
      diagnostics.push(diag("NET1010", path, span(i), { limit: MAX_OPERATORS }));
      cutOperators = true;
      cutAt = stack.length;
      continue;
    }
    if (opener) {
      if (stack.length >= MAX_DEPTH) {
        diagnostics.push(diag("NET1005", path, span(i), { limit: MAX_DEPTH }));
        cutToDepth = stack.length;
        stack.push(t);
        continue;
      }
      stack.push(t);
    } else if (closer) {
      close(t);
    } else if (t === NL) {
      if (stack[stack.length - 1] === LPAREN) continue;
      if (lastType() === NL) continue;
      if (mode === "import" && stack.length === 0) mode = "outside";
    }
    push(i);
    if (mode === "item" && t === RBRACE && stack.length === 0) mode = "outside";
  }
  return { indices, count, diagnostics, itemStarts };
}
