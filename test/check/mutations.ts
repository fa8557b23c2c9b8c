// Random edits of a real spec, shared by the checker and formatter property
// tests: each is a short list of deletions, insertions, swaps and duplications.
import fc from "fast-check";

/** Pieces inserted by `insert`: brackets, operators, names that hit corners (prototype members, '/' in names). */
export const inserts = [
  "{", "}", "(", ")", "x", "/", "=", "->", "<-", "0", "-1", "1e999", "99999999999999999999", "\n", ";", "seq {", "concat {",
  "repeat 3 {", "from", "weight", "\"", "conv 3x3", "Inception(", ",", "params ~", "tol", "(1)+", "not ", "- ", "* (2)",
  "valueOf(1)", "toString", "__proto__", "constructor", "\"x/bn\" = ", "\"a/b\" = conv 1x1 8\n", " bn", " tol 1e300G%",
  " tol 2.5%", "1e-3", "0x1", "159K", " /// doc\n", " // c\n", "if true {", "} else {", "and", "==",
];

export const mutation = (text: string): fc.Arbitrary<string> =>
  fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 12 }) }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), s: fc.constantFrom(...inserts) }),
      fc.record({ kind: fc.constant("swap" as const), at: fc.nat(), other: fc.nat() }),
      fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
    ),
    { minLength: 1, maxLength: 6 },
  ).map((edits) => {
    let t = text;
    for (const e of edits) {
      const at = t.length ? e.at % t.length : 0;
      if (e.kind === "delete") t = t.slice(0, at) + t.slice(at + e.len);
      else if (e.kind === "insert") t = t.slice(0, at) + e.s + t.slice(at);
      else if (e.kind === "duplicate") t = t.slice(0, at) + t.slice(at, at + e.len) + t.slice(at);
      else {
        const b = t.length ? e.other % t.length : 0;
        const [x, y] = [Math.min(at, b), Math.max(at, b)];
        t = t.slice(0, x) + (t[y] ?? "") + t.slice(x + 1, y) + (t[x] ?? "") + t.slice(y + 1);
      }
    }
    return t;
  });
