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
    // Help text wraps at the terminal width: compare with whitespace runs as one space.
    expect(r.stdout.replace(/\s+/g, " ")).toContain(`choices: ${backends.map((b) => `"${b.name}"`).join(", ")}`);
  });

  it("rejects a target that is not registered (exit 2)", () => {
    const r = netc(["compile", "specs/googlenet.net", "--target", "caffe"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("caffe");
  });

  it("reports what the tfjs target cannot express at its spec location, in an imported block", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-backend-"));
    writeFileSync(join(dir, "lib.net"), "block Mixed(n) {\n  add { flatten; seq { flatten; dense n } }\n}\n");
    writeFileSync(
      join(dir, "spec.net"),
      'import "lib.net"\n\nnetwork G {\n  input image 8x8x8\n  a = add { flatten; seq { flatten; dense 512 } }\n  b = Mixed(512) from image\n}\n',
    );
    const out = join(dir, "out");
    const r = netc(["compile", join(dir, "spec.net"), "--target", "tfjs", "--out", out]);
    expect(r.code).toBe(1);
    const heads = r.stderr.split("\n").filter((l) => l.includes(" error "));
    expect(heads).toEqual([
      `${join(dir, "spec.net")}:5:7: error NET6002: a: the tfjs target expects the vectors an add or mul combines to be in one feature order, but 'a/b1/flatten1' and 'a/b2/dense1' differ: tf.layers flattens a feature map in height, width, channel order and netc in channel, height, width order. Add the feature maps before flattening, or put a dense layer after each flatten.`,
      expect.stringMatching(new RegExp(`^${join(dir, "lib.net").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:3: error NET6002: b: `)),
    ]);
    expect(r.stderr).toContain("   2 |   add { flatten; seq { flatten; dense n } }");
    expect(r.stderr).not.toMatch(/compile failed|at .*\.js:\d+/);
    expect(existsSync(out)).toBe(false);
    // The same spec compiles for ONNX, which flattens in the IR's order.
    expect(netc(["compile", join(dir, "spec.net"), "--target", "onnx", "--out", dir]).code).toBe(0);
    expect(existsSync(join(dir, "spec.onnx"))).toBe(true);
  });
});
