// The machine formats of diagnostics: GitHub Actions workflow commands and SARIF 2.1.0.
// No SARIF schema or validator is available offline, so the log is checked
// structurally against the parts of the 2.1.0 schema that consumers rely on.
import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/diagnostics/catalogue.js";
import { escapeData, escapeProperty, githubCommand, sarifLog } from "../../src/cli/formats.js";
import type { Located } from "../../src/cli/report.js";
import { netc } from "./helpers.js";

const located: Located = {
  file: "specs/a,b:c.net",
  line: 3,
  column: 5,
  endLine: 3,
  endColumn: 9,
  severity: "error",
  code: "NET3001",
  message: "100% wrong:\r\nsecond, line",
  related: [{ file: "specs/lib.net", line: 1, column: 2, endLine: 1, endColumn: 4, message: "declared here" }],
};

describe("github-actions", () => {
  it("escapes as GitHub's toolkit does: %, CR, LF in data; also : and , in properties", () => {
    expect(escapeData("a%b\r\nc:d,e")).toBe("a%25b%0D%0Ac:d,e");
    expect(escapeProperty("a%b\r\nc:d,e")).toBe("a%25b%0D%0Ac%3Ad%2Ce");
    expect(githubCommand(located)).toBe(
      "::error file=specs/a%2Cb%3Ac.net,line=3,col=5,endLine=3,endColumn=9,title=NET3001::100% wrong:%0D%0Asecond, line%0Anote: specs/lib.net:1:2: declared here".replace("100%", "100%25"),
    );
  });
  it("maps severities and leaves out positions netc does not have", () => {
    expect(githubCommand({ ...located, severity: "warning", related: [] })).toMatch(/^::warning /);
    expect(githubCommand({ ...located, severity: "info", related: [] })).toMatch(/^::notice /);
    expect(githubCommand({ ...located, line: null, column: null, endLine: null, endColumn: null, related: [] })).toMatch(/^::error file=specs\/a%2Cb%3Ac\.net,title=NET3001::/);
  });
  it("netc check prints one command per diagnostic on stdout", () => {
    const r = netc(["check", "--format", "github-actions", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^::error file=specs\/broken\/beginner-googlenet\.net,line=31,col=16,endLine=31,endColumn=\d+,title=NET3001::inception2 /);
    expect(lines[0]).toContain("%0Anote: specs/broken/beginner-googlenet.net:12:48: the block declares its input here");
  });
});

describe("sarif", () => {
  it("is a SARIF 2.1.0 log with the catalogue as rules and 1-based regions relative to SRCROOT", () => {
    const log = sarifLog([located, { ...located, file: "/abs/x y.net", line: null, column: null, endLine: null, endColumn: null, related: [] }]);
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0]!;
    const rules = run.tool.driver.rules;
    expect(run.tool.driver.name).toBe("netc");
    const live = Object.entries(catalogue).filter(([, e]) => !("retired" in e && e.retired));
    expect(rules.map((r) => r.id)).toEqual(live.map(([id]) => id).sort());
    for (const r of rules) {
      expect(r.id).toMatch(/^NET\d{4}$/);
      expect(r.shortDescription.text.length).toBeGreaterThan(0);
      expect(["error", "warning", "note"]).toContain(r.defaultConfiguration.level);
    }
    expect(run.originalUriBaseIds.SRCROOT.uri).toMatch(/^file:\/\/.*\/$/);
    const [a, b] = run.results;
    expect(a).toMatchObject({
      ruleId: "NET3001",
      level: "error",
      message: { text: located.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: "specs/a%2Cb%3Ac.net", uriBaseId: "SRCROOT" }, region: { startLine: 3, startColumn: 5, endLine: 3, endColumn: 9 } } }],
      relatedLocations: [{ id: 0, message: { text: "declared here" }, physicalLocation: { artifactLocation: { uri: "specs/lib.net" }, region: { startLine: 1, startColumn: 2 } } }],
    });
    expect(rules[a!.ruleIndex!]!.id).toBe("NET3001");
    // No text of the file: no region, an absolute path as a file: URI.
    expect(b!.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "file:///abs/x%20y.net" } });
  });
  it("netc check prints one log for all files, an empty one when all is well", () => {
    const r = netc(["check", "--format", "sarif", "specs/googlenet.net", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as ReturnType<typeof sarifLog>;
    expect(log.runs[0]!.results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.region?.startLine])).toEqual([
      ["NET3001", 31],
      ["NET3002", 34],
    ]);
    const clean = JSON.parse(netc(["check", "--format", "sarif", "specs/googlenet.net"]).stdout) as ReturnType<typeof sarifLog>;
    expect(clean.runs[0]!.results).toEqual([]);
    // --json is short for --format json where diagnostics are the output.
    expect(netc(["check", "--json", "specs/broken/beginner-googlenet.net"]).stdout).toBe(netc(["check", "--format", "json", "specs/broken/beginner-googlenet.net"]).stdout);
  });
  it("summary prints its table on stdout and the diagnostics in the format asked for on stderr", () => {
    const r = netc(["summary", "--format", "sarif", "specs/broken/beginner-googlenet.net"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect((JSON.parse(r.stderr) as ReturnType<typeof sarifLog>).runs[0]!.results).toHaveLength(2);
    const j = netc(["summary", "--format", "json", "specs/inception-fashion.net"]);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toHaveProperty("layers");
    expect(JSON.parse(j.stderr)).toMatchObject({ errors: 0, warnings: 0, diagnostics: [] });
    const gh = netc(["compile", "specs/broken/beginner-googlenet.net", "--target", "onnx", "--format", "github-actions"]);
    expect(gh.code).toBe(1);
    expect(gh.stdout.trim().split("\n").map((l) => l.slice(0, 9))).toEqual(["::error f", "::error f"]);
  });
});
