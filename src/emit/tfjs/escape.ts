// The only way spec-derived text (names, file and import paths, source
// snippets) enters generated JS/TS: as a string literal or as comment text.
// Names come from quoted strings that may hold anything, so both must be
// closed against breaking out: a string literal is JSON with the characters
// JSON leaves raw that still matter in a .js file escaped; comment text cannot
// end its comment (`*/`), start a new line (a `//` comment ends at any JS line
// terminator) or close an enclosing <script> element.

/** A JS string literal whose value is exactly `s`. */
export function stringLiteral(s: string): string {
  // JSON.stringify already escapes quotes, backslashes, control characters and
  // lone surrogates; U+2028/2029 are legal in ES2019 strings but not in older
  // parsers, and `<`/`>` would let the text close a <script> element.
  return JSON.stringify(s).replace(/[\u2028\u2029<>]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// Line terminators (JS: LF, CR, U+2028, U+2029), every other C0/C1 control and
// DEL (some tools treat U+0085, VT and FF as line breaks), and lone surrogates
// (not representable in the UTF-8 file).
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r" };

/** `s` as text inside a `//` or `/* *\/` comment, on one line, unable to end the comment. */
export function commentText(s: string): string {
  return s
    .replace(UNSAFE, (c) => NAMED[c] ?? `\\u{${c.charCodeAt(0).toString(16)}}`)
    .replace(/\*\//g, "*\\/")
    .replace(/<\//g, "<\\/")
    .replace(/<!--/g, "<\\!--");
}

/** A `//` comment line with `text` (escaped). */
export function lineComment(text: string): string {
  return `// ${commentText(text)}`;
}

// In a JSDoc comment `@` starts a tag anywhere on a line (TypeScript reads
// `@type {T}` in a .js file as the function's type), and `{@link}` a link.
const docText = (s: string) => commentText(s).replace(/@/g, "\\@");

/** A one-line JSDoc comment with `text` (escaped). */
export function docLine(text: string): string {
  return `/** ${docText(text)} */`;
}

/** A JSDoc comment, one escaped line per entry of `lines`. */
export function docComment(lines: string[]): string[] {
  return ["/**", ...lines.map((l) => ` * ${docText(l)}`), " */"];
}
