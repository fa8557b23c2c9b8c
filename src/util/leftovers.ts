// Temporary files are named `.NAME.netc-PID-RANDOM.tmp` (and `.bak` for the
// backup of a file being replaced in a multi-file write), next to NAME. A run
// killed with SIGKILL cannot remove its own; the next write to NAME removes
// those whose process is gone, and the `.NAME.PID.tmp` files of older netc
// versions too. Files of a live process are left alone: it may still be writing.

import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync, unlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { errnoOf } from "./output-error.js";

/** Temporary and backup paths of writes in progress in this process. */
export const inProgress = new Set<string>();

export function scratchName(real: string, kind: "tmp" | "bak"): string {
  return join(dirname(real), `.${basename(real)}.netc-${process.pid}-${randomBytes(4).toString("hex")}.${kind}`);
}

export function removeLeftovers(real: string): void {
  const dir = dirname(real);
  const base = basename(real).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^\\.${base}\\.(?:netc-(\\d+)-[0-9a-f]+\\.(?:tmp|bak)|(\\d+)\\.tmp)$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m) continue;
    const p = join(dir, name);
    const pid = Number(m[1] ?? m[2]);
    // Our own pid and not in progress: a dead run that had the same pid.
    if (inProgress.has(p) || (pid !== process.pid && alive(pid))) continue;
    try {
      if (lstatSync(p).isFile()) unlinkSync(p);
    } catch {
      // gone already, or not ours to remove: the write goes on regardless
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) !== "ESRCH";
  }
}
