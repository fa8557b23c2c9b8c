// Spec text printed to a terminal cannot drive it: names and source lines with
// ESC, BEL, C1 controls or bidirectional overrides are shown as visible escapes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../src/cli/report.js";

const root = join(import.meta.dirname, "../..");
const netc = (args: string[]) =>
  spawnSync(process.execPath, [join(root, "bin/netc.js"), ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" } });
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("terminal output", () => {
  it("escapes control and bidi characters, keeps newlines and tabs", () => {
    expect(terminalSafe("a\u001b[31mb\u0007\u009b\u202e\n\tc")).toBe("a\\u{1b}[31mb\\u{7}\\u{9b}\\u{202e}\n\tc");
  });

  it("check and summary print no control characters from names or source lines", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-term-"));
    const spec = join(dir, "esc.net");
    // The name carries ESC ] 0 ; ... BEL (sets the terminal title) written as escapes; the comment carries them raw.
    writeFileSync(spec, 'network N {\n  input 3x8x8\n  // raw \u001b]0;pwned\u0007 \u202e here\n  "a\\u{1b}]0;pwned\\u{7}" = conv 3x3 4 <- 5\n}\n');
    const check = netc(["check", spec]);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain("a\\u{1b}]0;pwned\\u{7} expects 5 input channels");
    expect(check.stdout + check.stderr).not.toMatch(CONTROL);
    writeFileSync(spec, 'network N {\n  input 3x8x8\n  "a\\u{1b}]0;pwned\\u{7}\\u{202e}" = conv 3x3 4\n}\n');
    const summary = netc(["summary", spec]);
    expect(summary.status).toBe(0);
    expect(summary.stdout).toContain("a\\u{1b}]0;pwned\\u{7}\\u{202e}");
    expect(summary.stdout).not.toMatch(CONTROL);
  });

  it("the caret stays under the span when the line holds escaped characters", () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-term-"));
    const spec = join(dir, "caret.net");
    writeFileSync(spec, 'network N {\n  input 3x8x8\n  x = conv 3x3 4 <- 5 // \u001b\n}\n');
    const lines = netc(["check", spec]).stdout.split("\n");
    const src = lines.findIndex((l) => l.includes("x = conv"));
    expect(lines[src + 1]!.indexOf("^")).toBe(lines[src]!.indexOf("<- 5"));
  });
});
