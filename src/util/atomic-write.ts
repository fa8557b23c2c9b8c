import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";

/**
 * mkdir -p, one level at a time. Node 20's `mkdirSync(dir, { recursive: true })`
 * spins forever where mkdir answers ENOENT for an existing parent (inside
 * /proc, for one); this version fails with the error instead.
 */
export function ensureDir(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
  } catch {
    // missing: create it below
  }
  const parent = dirname(dir);
  if (parent !== dir) ensureDir(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

/**
 * Writes several files so that either all of them appear or none does: each is
 * written to a temporary sibling first and renamed into place only after every
 * write succeeded. A failed compile leaves no half-written file behind.
 */
export function writeFilesAtomic(files: { path: string; data: string | Uint8Array }[]): void {
  const temps: { tmp: string; path: string }[] = [];
  try {
    for (const f of files) {
      ensureDir(dirname(f.path));
      const tmp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.tmp`);
      temps.push({ tmp, path: f.path });
      writeFileSync(tmp, f.data);
    }
  } catch (e) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    throw e;
  }
  for (const t of temps) renameSync(t.tmp, t.path);
}
