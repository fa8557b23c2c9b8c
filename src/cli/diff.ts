// Unified diff of two texts by lines (`netc fmt --diff`), as `git diff` prints
// it: `--- a/NAME`, `+++ b/NAME`, hunks with 3 lines of context, and
// "\ No newline at end of file" where a side lacks one. The edit script is
// Myers' O(ND) shortest one; past MAX_D differences (a file rewritten end to
// end) the middle is replaced whole, still a correct diff, in bounded memory.

type Edit = { op: " " | "-" | "+"; line: string };

const MAX_D = 2000;

/** Lines of a text; the last one carries a marker when the text does not end with a newline, so it differs from the same line with one. */
function lines(text: string): string[] {
  if (text === "") return [];
  const out = text.split("\n");
  if (out[out.length - 1] === "") out.pop();
  else out[out.length - 1] += NO_NEWLINE;
  return out;
}
const NO_NEWLINE = "\n\\ No newline at end of file";

export function diffLines(a: string[], b: string[]): Edit[] {
  // Common head and tail cost nothing and keep D (and memory) small.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const same = (from: string[], i: number, j: number): Edit[] => from.slice(i, j).map((line) => ({ op: " ", line }));
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  return [...same(a, 0, head), ...middle, ...same(a, a.length - tail, a.length)];
}

function myers(a: string[], b: string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    if (d > MAX_D) return [...a.map((line) => ({ op: "-" as const, line })), ...b.map((line) => ({ op: "+" as const, line }))];
    trace.push(v.slice(off - d - 1, off + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) x++, y++;
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  return [];
}

function backtrack(a: string[], b: string[], trace: Int32Array[]): Edit[] {
  const edits: Edit[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    // trace[d] holds v[-d-1 .. d+1] as it was before step d.
    const v = (k: number) => trace[d]![k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v(k - 1) < v(k + 1)) ? k + 1 : k - 1;
    const prevX = v(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) edits.push({ op: " ", line: a[--x]! }), y--;
    if (d > 0) {
      if (x === prevX) edits.push({ op: "+", line: b[--y]! });
      else edits.push({ op: "-", line: a[--x]! });
    }
  }
  return edits.reverse();
}

/** The unified diff from `before` to `after`, or "" when they are equal. */
export function unifiedDiff(before: string, after: string, name: string, context = 3): string {
  if (before === after) return "";
  const edits = diffLines(lines(before), lines(after));
  const out = [`--- a/${name}`, `+++ b/${name}`];
  // Old and new line numbers (1-based) of each edit.
  const at: { a: number; b: number }[] = [];
  let la = 1;
  let lb = 1;
  for (const e of edits) {
    at.push({ a: la, b: lb });
    if (e.op !== "+") la++;
    if (e.op !== "-") lb++;
  }
  let i = 0;
  while (i < edits.length) {
    if (edits[i]!.op === " ") {
      i++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` after the last change within 2*context of the next.
    const start = Math.max(0, i - context);
    let end = i;
    for (let j = i; j < edits.length; j++) {
      if (edits[j]!.op !== " ") end = j;
      else if (j - end > 2 * context) break;
    }
    const stop = Math.min(edits.length, end + context + 1);
    const hunk = edits.slice(start, stop);
    const oldCount = hunk.filter((e) => e.op !== "+").length;
    const newCount = hunk.filter((e) => e.op !== "-").length;
    // An empty side is numbered by the line before it, as diff -u does.
    const oldStart = oldCount === 0 ? at[start]!.a - 1 : at[start]!.a;
    const newStart = newCount === 0 ? at[start]!.b - 1 : at[start]!.b;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const e of hunk) out.push(`${e.op}${e.line}`);
    i = stop;
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`;
}
