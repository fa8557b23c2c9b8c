// Compile targets through the one Backend interface: every registered backend
// is offered by `netc compile --help`, and what a backend cannot express is a
// located diagnostic (exit 1, nothing written), not a thrown error.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backends } from "../../src/emit/backend.js";

const root = join(new URL(".", import.meta.url).pathname, "../..");
function netc(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, "bin/netc.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("netc compile backends", () => {
  it("lists every registered backend, with its description and options, in --help", () => {
    const r = netc(["compile", "--help"]);
    expect(r.code).toBe(0);
    expect(backends.length).toBeGreaterThanOrEqual(2);
    for (const b of backends) {
      expect(r.stdout).toMatch(new RegExp(`^  ${b.name} +${b.description.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
      for (const o of b.options) expect(r.stdout).toContain(o.flags);
    }
    expect(r.stdout).toContain(`choices: ${backends.map((b) => `"${b.name}"`).join(", ")}`);
  });

  it("rejects a target that is not registered (exit 2)", () => {
    const r = netc(["compile", "specs/googlenet.net", "--target", "caffe"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("caffe");
  });

  it("reports a grouped convolution the tfjs target cannot express at its spec location, in an imported block", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-backend-"));
    writeFileSync(join(dir, "lib.net"), "block Grouped(c) {\n  conv 3x3 c groups=2 pad=1\n}\n");
    writeFileSync(
      join(dir, "spec.net"),
      'import "lib.net"\n\nnetwork G {\n  input 8x8x8\n  a = conv 3x3 8 pad=1 groups=4\n  b = Grouped(8)\n  flatten\n  dense 10\n}\n',
    );
    const out = join(dir, "out");
    const r = netc(["compile", join(dir, "spec.net"), "--target", "tfjs", "--out", out]);
    expect(r.code).toBe(1);
    const heads = r.stderr.split("\n").filter((l) => l.includes(" error "));
    expect(heads).toEqual([
      `${join(dir, "spec.net")}:5:7: error NET6001: a: the tfjs target expects a convolution with groups=1 or groups equal to its input channels (8), but this one has groups=4, which tf.layers cannot express. Compile it with --target onnx, or use groups=1 or groups=8.`,
      expect.stringMatching(new RegExp(`^${join(dir, "lib.net").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:3: error NET6001: b: .*groups=2`)),
    ]);
    expect(r.stderr).toContain("   2 |   conv 3x3 c groups=2 pad=1");
    expect(r.stderr).not.toMatch(/compile failed|at .*\.js:\d+/);
    expect(existsSync(out)).toBe(false);
    // The same spec compiles for ONNX, which has grouped convolutions.
    expect(netc(["compile", join(dir, "spec.net"), "--target", "onnx", "--out", dir]).code).toBe(0);
    expect(existsSync(join(dir, "spec.onnx"))).toBe(true);
  });
});
