// "Did you mean" hints from edit distance.

import { oncePer } from "../util/once-per.js";

/** One row of the distance table, reused by every call (grown when a name is longer). */
let row = new Int32Array(64);

/**
 * Levenshtein distance of `a` and `b`, or `limit` or more when it is at least
 * `limit` (the search stops once every entry of a row reaches it: entries never
 * shrink down the table).
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  if (row.length < b.length + 1) row = new Int32Array(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    let least = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      let v = prev + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      if (cur + 1 < v) v = cur + 1;
      if (row[j - 1]! + 1 < v) v = row[j - 1]! + 1;
      row[j] = v;
      if (v < least) least = v;
      prev = cur;
    }
    if (least >= limit) return least;
  }
  return row[b.length]!;
}

/** " Did you mean 'conv'?" or "" when nothing is close. */
export function suggest(name: string, candidates: Iterable<string>): string {
  // One- and two-letter names are close to everything: a hint would be noise.
  if (name.length <= 2) return "";
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(name.length / 3)) + 1;
  const lower = name.toLowerCase();
  // A network can declare thousands of names: skip the ones whose length alone rules them out.
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestD) continue;
    const d = editDistance(lower, c.toLowerCase(), bestD);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best ? ` Did you mean '${best}'?` : "";
}

/** Each fixed list's names in lower case, made at its first use. */
const lowered = oncePer((fixed: readonly string[]) => fixed.map((c) => c.toLowerCase()));

/**
 * suggest() among a list that never changes (the op table's names, an op's
 * words): its lower-case forms are made once (a spec of many errors asks about
 * the same lists thousands of times). The same answer as suggest().
 */
export function suggestAmong(name: string, fixed: readonly string[]): string {
  if (name.length <= 2) return "";
  const low = lowered(fixed);
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(name.length / 3)) + 1;
  const lower = name.toLowerCase();
  for (let i = 0; i < fixed.length; i++) {
    const c = fixed[i]!;
    if (Math.abs(c.length - name.length) >= bestD) continue;
    const d = editDistance(lower, low[i]!, bestD);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best ? ` Did you mean '${best}'?` : "";
}
