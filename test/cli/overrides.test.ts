// `--set name=value` and `--input CxHxW` on compile, summary, check and verify:
// they replace a network parameter's default and the spec's input shape.

import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { onnx } from "../../src/emit/onnx/proto.js";
import { netc, tmp } from "./helpers.js";

const spec = "specs/zoo/resnet18.net";

describe("--set and --input", () => {
  test("summary --set classes=10 --input 3x320x320", () => {
    const r = netc(["summary", spec, "--set", "classes=10", "--input", "3x320x320", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { input: { shape: number[] }; layers: { output: number[] }[] } & Record<string, unknown>;
    expect(JSON.stringify(j)).toContain("[3,320,320]");
    expect(r.stdout).not.toContain("1000");
    // 11,689,512 parameters at 1000 classes; the head loses 990 x 513.
    expect(JSON.stringify(j)).toContain(String(11_689_512 - 990 * 513));
  });

  test("an unknown parameter is NET2080 at the network's name, with the ones it has", () => {
    const r = netc(["check", spec, "--set", "clases=10"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error NET2080: --set clases: expected a parameter of network 'ResNet18' (classes, size), but it has no parameter 'clases'.");
  });

  test("an input of another rank is NET2081", () => {
    const r = netc(["summary", spec, "--input", "10"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error NET2081: --input 10: expected CxHxW as the spec's input 'image' has, but found 1 dimensions.");
  });

  test("malformed flags are usage errors", () => {
    for (const [args, message] of [
      [["--set", "classes"], "--set classes: expected name=value, e.g. --set classes=10"],
      [["--set", "classes=ten"], "--set classes=ten: expected a number for 'classes', but found 'ten'"],
      [["--input", "3x0x5"], "--input 3x0x5: expected CxHxW (e.g. 3x320x320) or a feature count, in whole numbers from 1"],
    ] as const) {
      for (const command of args[0] === "--set" && message.includes("ten") ? ["check", "summary", "verify"] : ["check"]) {
        const r = netc([command, spec, ...args]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`netc: ${message}\n`);
      }
    }
  });

  test("the spec's written costs and sizes describe it as written: not checked under overrides", () => {
    // googlenet-torchvision.net annotates its aux heads' parameters at 1000 classes.
    expect(netc(["check", "specs/googlenet-torchvision.net", "--set", "classes=10", "--input", "3x256x256"]).code).toBe(0);
  });

  test("a bad value reaches the checker's own diagnostic", () => {
    const r = netc(["check", spec, "--set", "classes=0"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error NET\d+/);
  });

  test("compile --input writes a model of that size", () => {
    const out = join(tmp(), "r.onnx");
    // --fixed-size: the override's size in the graph's input itself.
    const r = netc(["compile", spec, "--target", "onnx", "--set", "classes=3", "--input", "3x40x48", "--fixed-size", "-o", out]);
    expect(r.code).toBe(0);
    const g = onnx.ModelProto.decode(readFileSync(out)).graph!;
    expect(g.input[0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([0, 3, 40, 48]);
    expect(g.output[0]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue))).toEqual([0, 3]);
    // By default ResNet's height and width are symbolic; the override's size is the one netc infer feeds.
    const dyn = join(tmp(), "r.onnx");
    expect(netc(["compile", spec, "--target", "onnx", "--set", "classes=3", "--input", "3x40x48", "-o", dyn]).code).toBe(0);
    const m = onnx.ModelProto.decode(readFileSync(dyn));
    expect(m.graph!.input[0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(["N", 3, "height", "width"]);
    expect(m.metadataProps.find((p) => p.key === "netc.input_shape")?.value).toBe("3x40x48");
  });
});
