// Mutations of real specs: the shipped specs, the baseline cases, the test
// fixtures and the language reference's examples. Token-level edits (insert,
// delete, duplicate, swap, replace) plus hostile transformations: extreme
// numbers, deep nesting, long lines, unicode, odd quoted names, huge repeat
// counts, long parenthesised operator chains, top-level garbage.

import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { EXTREME_NUMBERS, HOSTILE_NAMES, ODD_NAMES } from "./generate.js";

/** Every .net file under specs/ and test/, plus the ```net blocks of grammar/README.md. */
export function loadCorpus(root) {
  const out = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries.sort()) {
      const p = join(dir, e);
      if (e === "node_modules" || e.startsWith(".")) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (e.endsWith(".net") && st.size < 256 * 1024) out.push({ name: p.slice(root.length + 1), text: readFileSync(p, "utf8") });
    }
  };
  walk(join(root, "specs"));
  walk(join(root, "test"));
  try {
    const readme = readFileSync(join(root, "grammar/README.md"), "utf8");
    let i = 0;
    for (const m of readme.matchAll(/```net\n([\s\S]*?)```/g)) out.push({ name: `grammar/README.md#${i++}`, text: m[1] });
  } catch {
    // a corpus without the reference still works
  }
  return out;
}

const TOKEN = /\s+|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"?|\d+(?:x\d+)+|[\p{L}_][\p{L}\p{N}_]*|\d*\.?\d+(?:[eE][+-]?\d+)?[KMG]?|->|<-|==|!=|<=|>=|./gsu;

export function tokens(text) {
  return text.match(TOKEN) ?? [];
}

const INSERTS = ["{", "}", "(", ")", "x", "/", "=", "->", "<-", "\n", ";", ",", "seq {", "concat {", "add relu {", "repeat 3 {", "repeat 3 as i {", "if true {", "else {",
  "from", "weight", "params", "macs", "~", "tol", "%", '"', "conv 3x3", "Inception(", "import", "block", "network", "input", "defaults", "train", "stem", "head",
  "///", "//", "not", "and", "or", "==", "*", "-", "+", "\t", "\r", "\r\n", "\u00a0", "\ufeff"];
const UNICODE = ["\u2028", "\u2029", "\u0000", "\u0008", "\u007f", "\u200b", "\u202e", "\ud800", "\udc00", "\ud83d\ude00", "é", "ß", "\u0301", "\uffff", "\ufffe", "𝔁", "٣", "Ⅻ", "\u3000"];

/** Applies 1 to `max` random mutations to `text`. */
export function mutate(r, text, max = 6) {
  let toks = tokens(text);
  const n = r.range(1, max);
  for (let m = 0; m < n; m++) {
    const at = toks.length ? r.int(toks.length) : 0;
    switch (r.int(16)) {
      case 0: // delete a run of tokens
        toks.splice(at, r.range(1, 4));
        break;
      case 1: // insert a structural token
        toks.splice(at, 0, " ", r.pick(INSERTS), " ");
        break;
      case 2: { // duplicate a run
        const len = r.range(1, 30);
        toks.splice(at, 0, ...toks.slice(at, at + len));
        break;
      }
      case 3: { // swap two tokens
        const b = r.int(Math.max(1, toks.length));
        [toks[at], toks[b]] = [toks[b], toks[at]];
        break;
      }
      case 4: // replace a number
        toks = replaceWhere(r, toks, (t) => /^\d/.test(t), () => r.pick(EXTREME_NUMBERS));
        break;
      case 5: // replace a name with a hostile one
        toks = replaceWhere(r, toks, (t) => /^[\p{L}_]/u.test(t), () => r.pick([...HOSTILE_NAMES, ...ODD_NAMES]));
        break;
      case 6: { // deep nesting around a token
        const depth = r.pick([10, 10, 33, 33, 100, 1000, 5000]);
        const [open, close] = r.pick([["seq { ", " }"], ["(", ")"], ["concat { ", " }"], ["repeat 2 { ", " }"], ["if true { ", " }"]]);
        toks.splice(at, 0, open.repeat(depth));
        if (r.chance(0.8)) toks.splice(Math.min(toks.length, at + 2), 0, close.repeat(depth));
        break;
      }
      case 7: { // a long line or a long operator chain
        const unit = r.pick(["(1)+", "1+", "x ", "conv 1x1 8; ", "-", "not ", "(", "1x", "9", "a.", " ", "seq { }"]);
        toks.splice(at, 0, unit.repeat(r.pick([10, 100, 100, 999, 1001, 2000, 6000])) + r.pick(["1", "", ")"]));
        break;
      }
      case 8: // unicode
        toks.splice(at, 0, r.pick(UNICODE));
        break;
      case 9: // huge repeat counts
        toks.splice(at, 0, ` repeat ${r.pick(["10000", "10001", "9999999999", "1e20", "2147483648", "0", "1e4"])} ${r.chance(0.5) ? "as i " : ""}{ ${r.pick(["relu", "conv 1x1 8", "repeat 10000 { relu }", "identity"])} }\n`);
        break;
      case 10: // an odd statement name
        toks.splice(at, 0, `\n${r.pick(ODD_NAMES)} = ${r.pick(["conv 1x1 8", "relu", "seq { conv 1x1 8 }", "dense 10"])}\n`);
        break;
      case 11: // garbage lines
        toks.splice(at, 0, `\n${r.pick(["x", "}", ")", "?", "block B", "@@@", "conv (", "= ="])}\n`.repeat(r.pick([1, 1, 10, 10, 200, 1500])));
        break;
      case 12: // split a token in two
        if (toks[at] && toks[at].length > 1) {
          const k = r.range(1, toks[at].length - 1);
          toks.splice(at, 1, toks[at].slice(0, k), r.pick([" ", "\n", ""]), toks[at].slice(k));
        }
        break;
      case 13: // move a line
        toks.splice(at, 0, toks.splice(r.int(Math.max(1, toks.length)), r.range(1, 10)).join(""));
        break;
      case 14: // truncate
        toks = toks.slice(0, at);
        break;
      default: // replace a token by another one from the file
        if (toks.length) toks[at] = r.pick(toks);
    }
  }
  return toks.join("");
}

function replaceWhere(r, toks, test, make) {
  const idx = [];
  toks.forEach((t, i) => test(t) && idx.push(i));
  if (idx.length) toks[r.pick(idx)] = make();
  return toks;
}
