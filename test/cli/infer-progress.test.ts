// netc infer shows its stages and runs on stderr, only on a terminal (a pseudo-
// terminal from util-linux's `script`), and never with --json or into a pipe.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { netc, root, tmp, TINY } from "./helpers.js";
import { writeFileSync } from "node:fs";

const hasScript = spawnSync("script", ["--version"]).status === 0;
let model = "";

beforeAll(() => {
  const d = tmp("netc-infer-");
  writeFileSync(join(d, "tiny.net"), TINY);
  model = join(d, "tiny.onnx");
  expect(netc(["compile", join(d, "tiny.net"), "--target", "onnx", "-o", model]).code).toBe(0);
}, 60_000);

/** Runs netc under a pseudo-terminal; stdout and stderr both arrive in the transcript. */
function onTerminal(args: string[]) {
  const command = [process.execPath, join(root, "bin/netc.js"), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  return spawnSync("script", ["-qec", command, "/dev/null"], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

describe("infer progress", () => {
  it("is silent when stderr is not a terminal", () => {
    const r = netc(["infer", model, "--runs", "3"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/median of 3 runs/);
  }, 60_000);
  it.runIf(hasScript)("names the stages and counts the runs on a terminal, and stays out of --json", () => {
    const r = onTerminal(["infer", model, "--runs", "3", "--batch", "2"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("loading ");
    expect(r.stdout).toMatch(/timed runs .*\d\/3/);
    expect(r.stdout).toMatch(/median of 3 runs/);
    const j = onTerminal(["infer", model, "--runs", "3", "--json"]);
    expect(j.status).toBe(0);
    expect(j.stdout).not.toContain("timed runs");
    expect(JSON.parse(j.stdout.trim())).toMatchObject({ runs: 3 });
  }, 60_000);
});
