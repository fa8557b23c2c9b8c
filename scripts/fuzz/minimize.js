// Shrinks a failing case while it still fails the same way: drops other files,
// then lines, then tokens of the entry file (delta debugging, greedy).

import { runCase } from "./engine.js";
import { tokens } from "./mutate.js";

export function minimize(netc, c, category, budgetMs = 20_000) {
  const start = performance.now();
  const fails = (files) => {
    if (performance.now() - start > budgetMs) return false;
    try {
      return runCase(netc, { ...c, files }).failures.some((f) => f.category === category);
    } catch {
      return false;
    }
  };
  let files = new Map(c.files);
  for (const p of [...files.keys()]) {
    if (p === c.entry) continue;
    const without = new Map(files);
    without.delete(p);
    if (fails(without)) files = without;
  }
  const shrink = (split, join) => {
    let parts = split(files.get(c.entry));
    for (let size = Math.max(1, parts.length >> 1); size >= 1; size = size === 1 ? 0 : size >> 1) {
      for (let i = 0; i + size <= parts.length; ) {
        const candidate = [...parts.slice(0, i), ...parts.slice(i + size)];
        const next = new Map(files).set(c.entry, join(candidate));
        if (fails(next)) {
          parts = candidate;
          files = next;
        } else i += size;
      }
    }
  };
  shrink((t) => t.split("\n"), (ps) => ps.join("\n"));
  shrink((t) => tokens(t), (ps) => ps.join(""));
  return { ...c, files };
}
