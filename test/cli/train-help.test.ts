// The generated train.js answers --help with its usage (exit 0), as every
// command-line program does; a bad option still prints usage and exits 2.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { helpRequested, trainHelp } from "../../src/runtime/train-args.js";

const root = join(new URL(".", import.meta.url).pathname, "../..");
const defaults = { optimizer: "adam", learningRate: 0.001, momentum: 0, decay: 1, decayEvery: 1, batchSize: 32, epochs: 3, weightDecay: 0, validationSplit: 0.1 } as const;

describe("train --help", () => {
  it("is recognised as an option, not as the value of another option", () => {
    expect(helpRequested(["--help"])).toBe(true);
    expect(helpRequested(["--epochs", "2", "-h"])).toBe(true);
    expect(helpRequested(["--data", "--help"])).toBe(false);
    expect(helpRequested(["--epochs", "2"])).toBe(false);
  });
  it("lists every option with the spec's defaults", () => {
    const h = trainHelp(defaults);
    for (const o of ["--data", "--epochs", "--batch-size", "--limit", "--seed", "--save", "--lr", "--optimizer", "--quiet", "--help"]) expect(h).toContain(o);
    expect(h).toContain("(default 3)");
    expect(h).toContain("(default adam)");
  });

  it.runIf(existsSync(join(root, "dist", "runtime", "index.js")))("the generated program prints it and exits 0; a bad option exits 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-train-help-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "netc"));
    const r = checkFile(join(root, "specs/inception-fashion.net"));
    const files = await tfjsSources(r.graph!, { js: true, specPath: "fashion.net", netcVersion: "test" });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    const help = spawnSync(process.execPath, ["train.js", "--help"], { cwd: dir, encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: train /);
    expect(help.stdout).toContain("--batch-size N");
    expect(help.stderr).toBe("");
    const bad = spawnSync(process.execPath, ["train.js", "--frobnicate"], { cwd: dir, encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: .*frobnicate/);
  }, 60_000);
});
