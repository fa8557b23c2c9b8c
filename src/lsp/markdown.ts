// The only way spec-derived text (names, `///` docs, import paths, source
// snippets) enters hover markdown. A spec opened in the editor may come from
// anyone, and markdown is rich: links, images, `command:` URIs, raw HTML,
// headings, tables. Text is therefore shown as text: every ASCII punctuation
// character is backslash-escaped (CommonMark lets any of them be escaped, and
// an escaped character never starts markup, an autolink or an HTML tag), and
// code goes into code spans or fences longer than any backtick run inside.

const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
// Line breaks of any convention, within one line shown as a space.
const BREAK = /\r\n?|[\n\u0085\u2028\u2029]/g;
// Other controls and lone surrogates.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function clean(s: string): string {
  return s.replace(UNSAFE, "\ufffd");
}

/** `s` as literal inline text (one line; safe in a table cell and inside `**...**`). */
export function text(s: string): string {
  return clean(s.replace(BREAK, " ")).replace(PUNCTUATION, "\\$&");
}

/**
 * A `///` doc as literal text: its lines stay lines (a blank line still starts a
 * new paragraph), leading indentation is dropped so no line becomes a code block.
 */
export function doc(s: string): string {
  return s
    .split(/\r\n?|\n/)
    .map((line) => text(line.trimStart()))
    .join("\n");
}

function longestRun(s: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** `s` as an inline code span (one line), whatever backticks it holds. */
export function code(s: string): string {
  const body = clean(s.replace(BREAK, " "));
  const fence = "`".repeat(longestRun(body, "`") + 1);
  // A span that starts or ends with a backtick or a space needs padding, which CommonMark strips.
  const pad = /^[` ]|[` ]$/.test(body) ? " " : "";
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** `s` as a fenced code block in language `lang` (a fixed word, not spec text). */
export function fenced(s: string, lang: string): string {
  const body = clean(s.replace(/\r\n?/g, "\n"));
  const fence = "`".repeat(Math.max(3, longestRun(body, "`") + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}
