// Runs the built CLI (dist/, built by `npx tsc -p tsconfig.json`) as a user would.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = join(new URL(".", import.meta.url).pathname, "../..");
export const bin = join(root, "bin/netc.js");

export function netc(args: string[], opts: { cwd?: string; input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: opts.cwd ?? root,
    input: opts.input,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "", FORCE_COLOR: "", ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const tmp = (prefix = "netc-cli-") => mkdtempSync(join(tmpdir(), prefix));

export const TINY = "network Tiny(classes = 10) {\n  input x 1x8x8\n  conv 3x3 4 pad=1\n  flatten\n  dense classes\n}\n";
