// Tokens of the .net language and the chevrotain lexer that produces them.
// The lexer never throws: unknown characters are reported (NET1003) and
// skipped, malformed numbers (NET1004) and unterminated strings (NET1002) still
// become tokens so that the parser can carry on.

import { createToken, Lexer, type IToken, type TokenType } from "./chevrotain.js";
import type { Comment } from "./ast.js";
import { diag } from "../diagnostics/catalogue.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

// Identifier characters need the regex `u` flag, which chevrotain drops from
// plain patterns; such tokens use a custom sticky matcher instead. The token
// definitions document the patterns and give the parser its token types;
// lex() below scans with the same patterns by first character.
const IDENT_CHAR = "[\\p{L}\\p{N}_]";

function unicode(source: string) {
  const re = new RegExp(source, "uy");
  return {
    exec(text: string, offset: number): RegExpExecArray | null {
      re.lastIndex = offset;
      return re.exec(text);
    },
  };
}

export const Ident = createToken({
  name: "Ident",
  pattern: unicode(`[\\p{L}_]${IDENT_CHAR}*`),
  line_breaks: false,
  label: "a name",
});

// Keywords are not matched by patterns: without first-character optimisation
// (see above) every pattern is tried at every position, and 26 keyword regexes
// tried before Ident made lexing 3x slower. The lexer matches an Ident, then
// lex() retypes it by a table lookup.
const keywordByImage = new Map<string, TokenType>();
function keyword(word: string): TokenType {
  const t = createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: Lexer.NA, label: `'${word}'` });
  keywordByImage.set(word, t);
  return t;
}

export const Import = keyword("import");
export const Block = keyword("block");
export const Network = keyword("network");
export const Input = keyword("input");
export const Defaults = keyword("defaults");
export const Train = keyword("train");
export const Stem = keyword("stem");
export const Body = keyword("body");
export const Head = keyword("head");
export const Seq = keyword("seq");
export const Concat = keyword("concat");
export const Add = keyword("add");
export const Mul = keyword("mul");
export const Repeat = keyword("repeat");
export const As = keyword("as");
export const From = keyword("from");
export const Weight = keyword("weight");
export const Params = keyword("params");
export const Macs = keyword("macs");
export const Tol = keyword("tol");
export const True = keyword("true");
export const False = keyword("false");
// Conditionals (`if stride != 1 or cin != cout { ... } else { identity }`).
export const If = keyword("if");
export const Else = keyword("else");
export const And = keyword("and");
export const Or = keyword("or");
export const Not = keyword("not");

export const KEYWORDS = [
  Import, Block, Network, Input, Defaults, Train, Stem, Body, Head, Seq, Concat, Add, Mul,
  Repeat, As, From, Weight, Params, Macs, Tol, True, False, If, Else, And, Or, Not,
];

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\f\v\u00a0\ufeff]+/, group: Lexer.SKIPPED });
export const NL = createToken({ name: "NL", pattern: /\n/, line_breaks: true, label: "a new line" });
export const DocComment = createToken({ name: "DocComment", pattern: /\/\/\/(?!\/)[^\n]*/, group: "comments" });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n]*/, group: "comments" });

export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n]|\\[^\n])*"/, label: "a string" });
// Same category as StringLit so the parser accepts it; the lexer reports it.
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n]|\\[^\n])*\\?/,
  categories: [StringLit],
  label: "a string",
});

// Dims must win over Number (`3x3` is one token), and a number running into
// identifier characters (`3x`, `12ab`, `1e5q`) is one bad token, not two.
export const Dims = createToken({
  name: "Dims",
  pattern: unicode(`\\d+(?:x\\d+)+(?!${IDENT_CHAR})`),
  line_breaks: false,
  label: "dimensions such as 3x3",
});
export const NumberLit = createToken({
  name: "NumberLit",
  pattern: unicode(`(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?[KMG]?(?!${IDENT_CHAR})`),
  line_breaks: false,
  label: "a number",
});
export const BadNumber = createToken({
  name: "BadNumber",
  pattern: unicode(`(?:\\d+\\.?\\d*|\\.\\d+)${IDENT_CHAR}*`),
  line_breaks: false,
  categories: [NumberLit],
  label: "a number",
});

const punct = (name: string, pattern: RegExp, label: string) => createToken({ name, pattern, label });
export const LBrace = punct("LBrace", /\{/, "'{'");
export const RBrace = punct("RBrace", /\}/, "'}'");
export const LParen = punct("LParen", /\(/, "'('");
export const RParen = punct("RParen", /\)/, "')'");
export const Comma = punct("Comma", /,/, "','");
export const Semi = punct("Semi", /;/, "';'");
export const Equals = punct("Equals", /=/, "'='");
export const Colon = punct("Colon", /:/, "':'");
export const Arrow = punct("Arrow", /->/, "'->'");
export const BackArrow = punct("BackArrow", /<-/, "'<-'");
export const Slash = punct("Slash", /\//, "'/'");
export const Star = punct("Star", /\*/, "'*'");
export const Plus = punct("Plus", /\+/, "'+'");
export const Minus = punct("Minus", /-/, "'-'");
export const Percent = punct("Percent", /%/, "'%'");
export const Tilde = punct("Tilde", /~/, "'~'");
// Comparisons. `<-` is always the input arrow: write `a < -1` with a space.
export const EqEq = punct("EqEq", /==/, "'=='");
export const NotEq = punct("NotEq", /!=/, "'!='");
export const LtEq = punct("LtEq", /<=/, "'<='");
export const GtEq = punct("GtEq", />=/, "'>='");
export const Lt = punct("Lt", /</, "'<'");
export const Gt = punct("Gt", />/, "'>'");

// Order matters: chevrotain takes the first pattern that matches.
export const allTokens: TokenType[] = [
  WhiteSpace, NL, DocComment, LineComment, StringLit, UnterminatedString,
  Dims, NumberLit, BadNumber,
  ...KEYWORDS, Ident,
  LBrace, RBrace, LParen, RParen, Comma, Semi, EqEq, NotEq, Equals, Colon, Arrow, BackArrow,
  LtEq, GtEq, Lt, Gt, Slash, Star, Plus, Minus, Percent, Tilde,
];

export interface LexResult {
  tokens: IToken[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

// The scanner below dispatches on the first character instead of trying every
// pattern at every offset (chevrotain's lexer without its first-character
// optimisation, which the unicode patterns rule out): 5-10x faster on large
// files. It produces exactly the tokens the patterns above define, in their
// priority order (the token types still come from createToken, for the parser).
const STRING = /"(?:[^"\\\n]|\\[^\n])*"/y;
const UNTERMINATED = /"(?:[^"\\\n]|\\[^\n])*\\?/y;
const DIMS = new RegExp(`\\d+(?:x\\d+)+(?!${IDENT_CHAR})`, "uy");
const NUMBER = new RegExp(`(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?[KMG]?(?!${IDENT_CHAR})`, "uy");
const BAD_NUMBER = new RegExp(`(?:\\d+\\.?\\d*|\\.\\d+)${IDENT_CHAR}*`, "uy");
const IDENT = new RegExp(`[\\p{L}_]${IDENT_CHAR}*`, "uy");
const ASCII_IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

const PUNCT: (TokenType | undefined)[] = [];
for (const [ch, t] of [["{", LBrace], ["}", RBrace], ["(", LParen], [")", RParen], [",", Comma], [";", Semi], ["=", Equals], [":", Colon],
  ["<", Lt], [">", Gt], ["/", Slash], ["*", Star], ["+", Plus], ["-", Minus], ["%", Percent], ["~", Tilde]] as const) PUNCT[ch.charCodeAt(0)] = t;
/** Two-character punctuation, tried before the one-character kind. */
const PUNCT2 = new Map<string, TokenType>([["==", EqEq], ["!=", NotEq], ["->", Arrow], ["<-", BackArrow], ["<=", LtEq], [">=", GtEq]]);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0xfeff;
}

function sticky(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  return re.test(text) ? re.lastIndex : -1;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAsciiIdent = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || isDigit(c);

/** End of the token scan() found last (a module variable: no allocation per token). */
let scanEnd = 0;

/** The type of the token starting at `at` (its end in scanEnd), or undefined when none does. Whitespace is typed WhiteSpace. */
function scan(text: string, at: number): TokenType | undefined {
  const c = text.charCodeAt(at);
  if (c === 32 || isSpace(c)) {
    let end = at + 1;
    while (end < text.length && isSpace(text.charCodeAt(end))) end++;
    scanEnd = end;
    return WhiteSpace;
  }
  if (c === 10) {
    scanEnd = at + 1;
    return NL;
  }
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
    let end = at + 1;
    while (end < text.length && isAsciiIdent(text.charCodeAt(end))) end++;
    // Past ASCII (größe), the unicode pattern decides.
    scanEnd = end < text.length && text.charCodeAt(end) >= 128 ? sticky(IDENT, text, at) : end;
    return Ident;
  }
  if (isDigit(c)) {
    let end = at + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    const next = end < text.length ? text.charCodeAt(end) : -1;
    // A plain whole number followed by something that cannot continue a number or a name.
    if (next < 128 && !isAsciiIdent(next) && next !== 46) {
      scanEnd = end;
      return NumberLit;
    }
  }
  if (isDigit(c) || c === 46) {
    if ((scanEnd = sticky(DIMS, text, at)) >= 0) return Dims;
    if ((scanEnd = sticky(NUMBER, text, at)) >= 0) return NumberLit;
    if ((scanEnd = sticky(BAD_NUMBER, text, at)) >= 0) return BadNumber;
    return undefined;
  }
  if (c === 47 && text.charCodeAt(at + 1) === 47) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    scanEnd = end;
    return text.charCodeAt(at + 2) === 47 && text.charCodeAt(at + 3) !== 47 ? DocComment : LineComment;
  }
  if (c === 34) {
    if ((scanEnd = sticky(STRING, text, at)) >= 0) return StringLit;
    scanEnd = sticky(UNTERMINATED, text, at);
    return UnterminatedString;
  }
  if (c >= 128) return (scanEnd = sticky(IDENT, text, at)) >= 0 ? Ident : undefined;
  const second = text.charCodeAt(at + 1);
  if (second === 61 || second === 45 || second === 62) {
    const two = PUNCT2.get(text.slice(at, at + 2));
    if (two) {
      scanEnd = at + 2;
      return two;
    }
  }
  scanEnd = at + 1;
  return PUNCT[c];
}

// Offsets only: nothing reads token lines or columns (positions.ts computes
// them at the edges), and four fewer fields per token is less to allocate.
function token(image: string, type: TokenType, start: number): IToken {
  return { image, startOffset: start, endOffset: start + image.length - 1, tokenTypeIdx: type.tokenTypeIdx!, tokenType: type };
}

/**
 * The tokens of a text, without an object per token: each token's type (its
 * tokenTypeIdx), start and end offsets in typed arrays. A large file's token
 * objects, made all at once and held while it is parsed, were a third of its
 * memory and most of the young generation's copying; parse.ts makes the
 * objects (token()) for one item or piece at a time, which die young.
 */
export class CompactTokens {
  count = 0;
  types: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;

  constructor(
    readonly text: string,
    capacity: number,
  ) {
    this.types = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  push(type: TokenType, start: number, end: number): void {
    if (this.count === this.types.length) {
      const n = this.count * 2 + 16;
      const types = new Uint8Array(n);
      types.set(this.types);
      const starts = new Int32Array(n);
      starts.set(this.starts);
      const ends = new Int32Array(n);
      ends.set(this.ends);
      this.types = types;
      this.starts = starts;
      this.ends = ends;
    }
    this.types[this.count] = type.tokenTypeIdx!;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  type(i: number): TokenType {
    return TYPE_BY_IDX[this.types[i]!]!;
  }

  image(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  /** Token i as an object (a new one on every call). */
  token(i: number): IToken {
    const start = this.starts[i]!;
    return token(this.text.slice(start, this.ends[i]), TYPE_BY_IDX[this.types[i]!]!, start);
  }
}

const TYPE_BY_IDX: TokenType[] = [];
for (const t of allTokens) TYPE_BY_IDX[t.tokenTypeIdx!] = t;
if (TYPE_BY_IDX.length > 256) throw new Error("token types no longer fit in a byte");

/**
 * `from` and `to` lex part of the text: `from` where lexing the whole text
 * starts a token and `to` where one starts or the end: the tokens are those of
 * the whole text there.
 */
export function lex(text: string, path: string, from = 0, to = text.length): LexResult {
  const compact = lexCompact(text, path, from, to);
  const tokens: IToken[] = new Array<IToken>(compact.tokens.count);
  for (let i = 0; i < tokens.length; i++) tokens[i] = compact.tokens.token(i);
  return { tokens, comments: compact.comments, diagnostics: compact.diagnostics };
}

export interface CompactLexResult {
  tokens: CompactTokens;
  comments: Comment[];
  diagnostics: Diagnostic[];
}

export function lexCompact(text: string, path: string, from = 0, to = text.length): CompactLexResult {
  const tokens = new CompactTokens(text, Math.min(1 << 16, (to - from) >> 2) + 16);
  const commentTokens: IToken[] = [];
  const errors: { offset: number; length: number }[] = [];
  for (let at = from; at < to; ) {
    const type = scan(text, at);
    if (!type) {
      // Unknown characters: one error for the run up to where a token can start.
      let end = at + 1;
      while (end < text.length && !scan(text, end)) end++;
      errors.push({ offset: at, length: end - at });
      at = end;
      continue;
    }
    const end = scanEnd;
    if (type === DocComment || type === LineComment) commentTokens.push(token(text.slice(at, end), type, at));
    else if (type === Ident) tokens.push(keywordByImage.get(text.slice(at, end)) ?? Ident, at, end);
    else if (type !== WhiteSpace) tokens.push(type, at, end);
    at = end;
  }
  const diagnostics: Diagnostic[] = [];
  for (const e of errors) {
    const length = Math.max(1, e.length);
    const run = text.slice(e.offset, e.offset + length);
    const char = Array.from(run)[0] ?? "";
    diagnostics.push(diag("NET1003", path, { offset: e.offset, length }, { char: printable(char) }));
  }
  for (let i = 0; i < tokens.count; i++) {
    const type = tokens.types[i];
    if (type === UnterminatedString.tokenTypeIdx) {
      diagnostics.push(diag("NET1002", path, { offset: tokens.starts[i]!, length: tokens.ends[i]! - tokens.starts[i]! }));
    } else if (type === BadNumber.tokenTypeIdx) {
      const image = tokens.image(i);
      const reason = /^\d+x/.test(image)
        ? "dimensions are written as whole numbers joined by 'x', like 3x3"
        : "a number cannot run into a name; add a space between them";
      diagnostics.push(diag("NET1004", path, { offset: tokens.starts[i]!, length: image.length }, { text: image, reason }));
    } else if (type === StringLit.tokenTypeIdx) {
      for (const bad of badEscapes(tokens.image(i))) {
        diagnostics.push(diag("NET1008", path, { offset: tokens.starts[i]! + bad.offset, length: bad.length }, { escape: bad.text }));
      }
    }
  }
  const comments: Comment[] = commentTokens.map((t) => ({
    span: spanOf(t),
    text: t.image,
    doc: t.tokenType === DocComment,
  }));
  return { tokens, comments, diagnostics };
}

function printable(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `\\u{${code.toString(16)}}` : ch;
}

export function spanOf(t: IToken): { offset: number; length: number } {
  return { offset: t.startOffset, length: t.image.length };
}

const ESCAPE = /\\(u\{[0-9a-fA-F]{1,6}\}|[^\n])/g;

/** Decodes the body of a string token (quotes included or not). */
export function decodeString(image: string): string {
  let body = image.startsWith('"') ? image.slice(1) : image;
  if (body.endsWith('"') && image.length >= 2) body = body.slice(0, -1);
  return body.replace(ESCAPE, (m, e: string) => {
    if (e === "n") return "\n";
    if (e === "t") return "\t";
    if (e === '"' || e === "\\") return e;
    if (e.startsWith("u{")) {
      const cp = parseInt(e.slice(2, -1), 16);
      return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return m;
  });
}

function badEscapes(image: string): { offset: number; length: number; text: string }[] {
  const out: { offset: number; length: number; text: string }[] = [];
  for (const m of image.matchAll(ESCAPE)) {
    const e = m[1]!;
    const ok = e === "n" || e === "t" || e === '"' || e === "\\" || (e.startsWith("u{") && parseInt(e.slice(2, -1), 16) <= 0x10ffff);
    if (!ok) out.push({ offset: m.index, length: m[0].length, text: m[0] });
  }
  return out;
}

const SUFFIX: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9 };

/** Value and integer-ness of a number token; NaN for malformed ones. */
export function numberValue(image: string): { value: number; integer: boolean } {
  // Plain whole numbers (most of them) skip the pattern.
  if (/^\d{1,15}$/.test(image)) return { value: Number(image), integer: true };
  const m = /^((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([KMG]?)$/.exec(image);
  if (!m) return { value: NaN, integer: false };
  const base = m[1]!;
  const mult = m[2] ? SUFFIX[m[2]]! : 1;
  return { value: Number(base) * mult, integer: !/[.eE]/.test(base) };
}
