// check --watch re-checks when the spec or one of its imports changes: a real
// child process, real file changes in a temp folder, bounded waits (no timing asserts).
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { bin, root, tmp } from "./helpers.js";

const LIB = "block B(c) {\n  conv 3x3 c pad=1\n}\n";
const MAIN = 'import "lib.net"\nnetwork N {\n  input x 1x8x8\n  b = B(4)\n  flatten\n  dense 10 <- 256\n}\n';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill("SIGTERM");
  child = undefined;
});

/**
 * Resolves when the collected stdout+stderr has `n` watch status lines and
 * `also` holds (the two pipes may deliver in either order), or rejects after `ms`.
 */
function waitFor(out: { text: string }, n: number, also: (text: string) => boolean = () => true, ms = 30_000): Promise<string> {
  return new Promise((done, fail) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if ((out.text.match(/^\[watch\]/gm) ?? []).length >= n && also(out.text)) {
        clearInterval(poll);
        done(out.text);
      } else if (Date.now() - started > ms) {
        clearInterval(poll);
        fail(new Error(`no ${n}th check within ${ms} ms; output so far:\n${out.text}`));
      }
    }, 50);
  });
}

/** Starts `netc check --watch main.net` on a fresh folder; returns the folder and the collected output. */
function start(node: string[] = [], env: Record<string, string> = {}) {
  const d = tmp("netc-watch-");
  writeFileSync(join(d, "lib.net"), LIB);
  writeFileSync(join(d, "main.net"), MAIN);
  child = spawn(process.execPath, [...node, bin, "check", "--watch", "main.net"], { cwd: d, env: { ...process.env, NO_COLOR: "1", ...env } });
  const out = { text: "" };
  child.stdout!.on("data", (b: Buffer) => (out.text += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (out.text += b.toString()));
  return { d, out };
}

it("re-checks after a change to the spec and to an import, and clears no screen when not on a terminal", async () => {
  const { d, out } = start();

  let text = await waitFor(out, 1);
  expect(text).toContain("[watch] no errors");

  // The import now makes 8 channels: the dense layer's declared 256 inputs no longer fit.
  writeFileSync(join(d, "lib.net"), LIB.replace("conv 3x3 c", "conv 3x3 (c * 2)"));
  const broken = /main\.net:6:\d+: error NET3002: .* expects 256 input features but 512 arrive/;
  text = await waitFor(out, 2, (t) => broken.test(t));
  expect(text).toMatch(broken);
  expect(text).toContain("[watch] errors found");

  writeFileSync(join(d, "main.net"), MAIN.replace("<- 256", "<- 512"));
  text = await waitFor(out, 3);
  expect(text.slice(text.lastIndexOf("errors found"))).toContain("[watch] no errors");
  expect(text).not.toContain("\u001b[2J");
}, 120_000);

// CI once missed the first save: fs.watchFile took its first stat on the thread
// pool, after the status line, and on a loaded machine after the save too, so the
// saved file became the baseline. The preload holds the pool's only thread.
it("sees a save made right after the status line while the thread pool is busy", async () => {
  const { d, out } = start(["--require", join(root, "test/cli/busy-pool.cjs")], { UV_THREADPOOL_SIZE: "1" });
  await waitFor(out, 1);
  writeFileSync(join(d, "lib.net"), LIB.replace("conv 3x3 c", "conv 3x3 (c * 2)"));
  const text = await waitFor(out, 2);
  expect(text).toContain("busy-pool: holding the thread pool");
  expect(text).toContain("[watch] errors found");
}, 60_000);
