// `netc diff OLD NEW`: per-layer changes and the breaking verdict, on minimal
// specs, with files and git:REF:path operands.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { netc, tmp } from "./helpers.js";

/** conv (with BatchNorm), pool, flatten, dense: every kind of change has a place. */
const BASE = `network Small(classes = 10) {
  input x 3x16x16
  c1 = conv 3x3 8 pad=1 bn relu
  pool = maxpool 2x2/2
  drop = dropout 0.2
  flatten
  fc = dense classes
}
`;

function specs(files: Record<string, string>): string {
  const d = tmp("netc-diff-");
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(d, name, ".."), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

function diff(newText: string, extra: string[] = []) {
  const d = specs({ "old.net": BASE, "new.net": newText });
  return netc(["diff", "old.net", "new.net", ...extra], { cwd: d });
}

describe("netc diff", () => {
  it("says nothing changed and exits 0 for the same network", () => {
    const r = diff(BASE);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no layer changed");
    expect(r.stdout).toContain("PyTorch state_dict loads (matched by order); netc weights export loads (matched by name)");
    expect(r.stdout).toContain("no breaking changes");
  });

  it("a layer whose weights change shape is breaking: exit 1, the layer, its shapes, its parameters and MACs", () => {
    const r = diff(BASE.replace("conv 3x3 8", "conv 3x3 16"), ["--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.breaking).toBe(true);
    expect(j.breakingChanges.map((b: { kind: string; layer?: string }) => `${b.kind}:${b.layer ?? ""}`)).toEqual(["weights:c1", "weights:c1/bn", "weights:fc"]);
    const c1 = j.layers.find((l: { name: string }) => l.name === "c1");
    // 3x3x3x8 weights (no bias before BatchNorm) and BatchNorm gamma, beta -> 3x3x3x16; MACs = weights x 16 x 16 pixels.
    expect(c1).toMatchObject({ status: "changed", old: { shape: [8, 16, 16], params: 216 + 16, macs: 216 * 256 }, new: { shape: [16, 16, 16], params: 432 + 32, macs: 432 * 256 } });
    expect(c1.fields).toEqual(expect.arrayContaining(["shape", "params", "macs", "weights"]));
    expect(j.checkpoint.pytorch.loads).toBe(false);
    expect(j.checkpoint.netc.loads).toBe(false);
  });

  it("input and output shape changes are breaking even where no weight changes", () => {
    const input = diff(BASE.replace("3x16x16", "3x32x32"), ["--json"]);
    const j = JSON.parse(input.stdout);
    expect(input.code).toBe(1);
    expect(j.breakingChanges[0]).toMatchObject({ kind: "input", message: "the input shape changed: 3x16x16 -> 3x32x32" });
    const output = JSON.parse(diff(BASE.replace("classes = 10", "classes = 5"), ["--json"]).stdout);
    expect(output.breakingChanges[0]).toMatchObject({ kind: "output", message: "the output shape changed: 10 -> 5" });
  });

  it("renaming a layer, changing a rate or adding a layer without weights is not breaking, and each is listed", () => {
    const r = diff(BASE.replace("pool = maxpool", "downsample = maxpool").replace("dropout 0.2", "dropout 0.5").replace("  flatten", "  act = relu\n  flatten"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\+ downsample\s+added: maxpool, 8x8x8/);
    expect(r.stdout).toMatch(/- pool\s+removed: maxpool, 8x8x8/);
    expect(r.stdout).toMatch(/~ drop\s+rate 0\.2 -> 0\.5/);
    expect(r.stdout).toMatch(/\+ act\s+added: relu, 8x8x8/);
    expect(r.stdout).toContain("no breaking changes");
  });

  it("a new layer with weights breaks the checkpoint: the loader's message says which tensor", () => {
    const r = diff(BASE.replace("  flatten", "  mix = conv 1x1 8\n  flatten"));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\+ mix\s+added: conv, 8x8x8, params 72, MACs 4\.1K/);
    expect(r.stdout).toContain("PyTorch state_dict does not load; netc weights export does not load");
    expect(r.stdout).toContain("a PyTorch checkpoint of OLD: tensor 5: the spec's mix.weight expects shape [8,8,1,1], the file's 'old:fc.weight' has [10,512]");
  });

  it("removing a layer with weights breaks a PyTorch checkpoint (by order) though a netc checkpoint loads by name", () => {
    const d = specs({ "old.net": BASE.replace("  flatten", "  mix = conv 1x1 8\n  flatten"), "new.net": BASE });
    const r = netc(["diff", "old.net", "new.net", "--json"], { cwd: d });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.checkpoint).toMatchObject({ pytorch: { loads: false }, netc: { loads: true, by: "name" } });
    expect(j.layers).toEqual([expect.objectContaining({ name: "mix", status: "removed" })]);
  });

  it("--format github-actions: breaking changes as errors and other changes as notices, at NEW's lines", () => {
    const r = diff(BASE.replace("conv 3x3 8", "conv 3x3 16").replace("dropout 0.2", "dropout 0.5"), ["--format", "github-actions"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toContain("::error file=new.net,line=3,col=8,title=netc diff (breaking)::c1: its weights no longer fit: [weight 8x3x3x3] -> [weight 16x3x3x3]");
    expect(lines).toContain("::error file=new.net,line=7,col=8,title=netc diff (breaking)::fc: its weights no longer fit: [weight 10x512, bias 10] -> [weight 10x1024, bias 10]");
    expect(lines).toContain("::notice file=new.net,line=4,col=10,title=netc diff (changed)::pool: output 8x8x8 -> 16x8x8");
    expect(lines).toContain("::notice file=new.net,line=5,col=10,title=netc diff (changed)::drop: output 8x8x8 -> 16x8x8; rate 0.2 -> 0.5");
    expect(lines.every((l) => l.startsWith("::"))).toBe(true);
  });

  it("usage errors exit 2; a spec with errors exits 1 with its diagnostics", () => {
    const d = specs({ "old.net": BASE, "bad.net": BASE.replace("dense classes", "dense classes <- 99") });
    expect(netc(["diff", "old.net"], { cwd: d }).code).toBe(2);
    expect(netc(["diff", "old.net", "missing.net"], { cwd: d }).code).toBe(2);
    expect(netc(["diff", "old.net", "old.net", "--format", "sarif"], { cwd: d }).code).toBe(2);
    const bad = netc(["diff", "old.net", "bad.net"], { cwd: d });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("bad.net:6:");
    expect(bad.stdout).toBe("");
  });
});

const hasGit = (() => {
  try {
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    if (process.env.NETC_REQUIRE_ALL === "1") throw new Error("NETC_REQUIRE_ALL is set but git is missing (apt-get install git)");
    console.warn("skipping netc diff with git:REF:path: git is missing (apt-get install git)");
    return false;
  }
})();

describe.runIf(hasGit)("netc diff git:REF:path", () => {
  const LIB = "block Twice(c) {\n  conv 3x3 c pad=1 relu\n  conv 3x3 c pad=1 relu\n}\n";
  const NET = 'import "lib/blocks.net"\n\nnetwork N(classes = 10) {\n  input x 1x8x8\n  trunk = Twice(4)\n  flatten\n  fc = dense classes\n}\n';

  function repo(): string {
    const d = specs({ "specs/lib/blocks.net": LIB, "specs/n.net": NET });
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=netc", "-c", "user.email=netc@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: d, stdio: "pipe" });
    git("init", "-q");
    git("add", ".");
    git("commit", "-q", "-m", "one");
    // The working tree changes the imported library only.
    writeFileSync(join(d, "specs/lib/blocks.net"), LIB.replace("conv 3x3 c pad=1 relu\n}", "conv 3x3 8 pad=1 relu\n}"));
    return d;
  }

  it("reads OLD and its imports from the commit, NEW from the working tree", () => {
    const d = repo();
    const r = netc(["diff", "git:HEAD:specs/n.net", "specs/n.net"], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("N (git:HEAD:specs/n.net) -> N (specs/n.net)");
    expect(r.stdout).toMatch(/~ {3}trunk\/conv2\s+output 4x8x8 -> 8x8x8; params 148 -> 296 \(\+148\)/);
    expect(r.stdout).toContain("trunk/conv2: its weights no longer fit: [weight 4x4x3x3, bias 4] -> [weight 8x4x3x3, bias 8]");
    // Both sides from git, a path relative to the working folder as git reads ./path: nothing changed.
    const same = netc(["diff", "git:HEAD:./n.net", "git:HEAD:specs/n.net"], { cwd: join(d, "specs") });
    expect(same.stderr).toBe("");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("no layer changed");
  });

  it("names git files as git:REF:path in diagnostics; a bad ref or path is a usage error (exit 2)", () => {
    const d = repo();
    writeFileSync(join(d, "specs/broken.net"), "network B {\n  input x 1x8x8\n  conv 3x3 4 pad=1\n  dense 10 <- 7\n}\n");
    execFileSync("git", ["-c", "user.name=netc", "-c", "user.email=netc@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-am", "two"], { cwd: d, stdio: "pipe" });
    execFileSync("git", ["-c", "user.name=netc", "-c", "user.email=netc@example.invalid", "-c", "commit.gpgsign=false", "add", "specs/broken.net"], { cwd: d, stdio: "pipe" });
    execFileSync("git", ["-c", "user.name=netc", "-c", "user.email=netc@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "three"], { cwd: d, stdio: "pipe" });
    const broken = netc(["diff", "git:HEAD:specs/broken.net", "specs/n.net"], { cwd: d });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^git:HEAD:specs\/broken\.net:4:/m);
    const noRef = netc(["diff", "git:no-such-ref:specs/n.net", "specs/n.net"], { cwd: d });
    expect(noRef.code).toBe(2);
    expect(noRef.stderr).toContain("'no-such-ref' names no commit");
    expect(netc(["diff", "git:--help:specs/n.net", "specs/n.net"], { cwd: d }).code).toBe(2);
    expect(netc(["diff", "git:HEAD", "specs/n.net"], { cwd: d }).code).toBe(2);
    const missing = netc(["diff", "git:HEAD~1:specs/nothing.net", "specs/n.net"], { cwd: d });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read 'git:HEAD~1:specs/nothing.net'");
  });
});
