// Symbolic sizes: where global pooling comes before the head, the ONNX graph
// takes any input height and width (`netc compile`'s default; `--dynamic-size`
// requires it, `--fixed-size` opts out). At each size, the graph with symbolic dims
// gives what the graph compiled for that size (--input) gives, same weights;
// networks that need the spec's size are refused with the node that does.

import { describe, expect, test } from "vitest";
import { checkFile, checkText, type Overrides } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { checkDynamicSize } from "../../src/emit/onnx/sizes.js";
import { onnx } from "../../src/emit/onnx/proto.js";
import { readModelInput } from "../../src/infer/model-input.js";
import { netc, tmp } from "../cli/helpers.js";
import { pythonCheck, randomInput, randomWeights, runOrt } from "./harness.js";
import { join } from "node:path";
import { readFileSync, writeFileSync } from "node:fs";

// A small ConvNeXt (the zoo's blocks, narrower), written beside the zoo so its import resolves.
const CONVNEXT_MINI = `import "lib/convnext.net"
network MiniConvNeXt(classes = 10, size = 32) {
  input image (3, size, size)
  ConvNeXtFeatures(16, 32, 64, 128, 1, 1, 2, 1, 0.1)
  ConvNeXtHead(classes)
}
`;

const graphAt = (file: string, o: Overrides) => {
  const r = file.endsWith("mini-convnext.net") ? checkText(CONVNEXT_MINI, file, diskHost, o) : checkFile(file, diskHost, o);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
};

const cases = [
  // BasicBlocks: strided convs, a floor max pooling, adaptive pooling to 1x1
  { file: "specs/zoo/resnet18.net", params: { classes: 10, size: 64 }, sizes: [[64, 64], [75, 50]], check: false },
  // ceil-mode max poolings (Fire modules, concat); small enough for onnx.checker's full check
  { file: "specs/zoo/squeezenet1-1.net", params: { classes: 10, size: 64 }, sizes: [[64, 64], [70, 81]], check: true },
  // channel shuffle and channel slices (lowered with the input's own shape)
  { file: "specs/zoo/shufflenet-v2-x0-5.net", params: { classes: 10, size: 64 }, sizes: [[64, 64], [72, 90]], check: true },
  // LayerNorm at every pixel, layer scales
  { file: "specs/zoo/mini-convnext.net", params: { classes: 10, size: 32 }, sizes: [[32, 32], [64, 48]], check: true },
];

describe("symbolic input height and width", () => {
  for (const c of cases) {
    test(`${c.file} at ${c.sizes.map((s) => s.join("x")).join(" and ")}`, async () => {
      const base = graphAt(c.file, { params: c.params });
      const weights = randomWeights(base, 3);
      const dynamic = emitOnnx(base, { weights, size: "dynamic" }).model;
      const input = onnx.ModelProto.decode(dynamic).graph!.input[0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
      expect(input).toEqual(["N", 3, "height", "width"]);
      const path = join(tmp("netc-dynamic-"), "m.onnx");
      writeFileSync(path, dynamic);
      // netc infer's default size: the spec's, kept in the model's metadata.
      expect(readModelInput(path).shape).toEqual([3, c.params.size, c.params.size]);
      if (c.check) pythonCheck(path);
      for (const [h, w] of c.sizes) {
        const fixed = graphAt(c.file, { params: c.params, input: [3, h!, w!] });
        const x = randomInput(2 * 3 * h! * w!, h! * w!);
        const ours = await runOrt(dynamic, base.inputName, [2, 3, h!, w!], x);
        const ref = await runOrt(emitOnnx(fixed, { weights }).model, fixed.inputName, [2, 3, h!, w!], x);
        expect(ours.dims).toEqual(ref.dims);
        const scale = Math.max(...Array.from(ref.data, Math.abs));
        const diff = Math.max(...Array.from(ref.data, (v, i) => Math.abs(v - ours.data[i]!)));
        expect(diff / scale).toBeLessThan(1e-5);
      }
    }, 120_000);
  }

  test("GroupNorm at any size", async () => {
    const text = "network G(classes = 5) {\n  input x 3x16x16\n  conv 3x3 8 pad=1\n  groupnorm 4\n  relu\n  conv 3x3/2 8 pad=1\n  globalavgpool\n  flatten\n  dense classes\n}\n";
    const base = checkText(text, "/tmp/g.net").graph!;
    expect(checkDynamicSize(base).ok).toBe(true);
    const weights = randomWeights(base, 4);
    const dynamic = emitOnnx(base, { weights, size: "dynamic" }).model;
    for (const [h, w] of [[16, 16], [21, 13]] as const) {
      const fixed = checkText(text, "/tmp/g.net", undefined, { input: [3, h, w] }).graph!;
      const x = randomInput(2 * 3 * h * w, h + w);
      const ours = await runOrt(dynamic, base.inputName, [2, 3, h, w], x);
      const ref = await runOrt(emitOnnx(fixed, { weights }).model, fixed.inputName, [2, 3, h, w], x);
      const scale = Math.max(...Array.from(ref.data, Math.abs));
      const diff = Math.max(...Array.from(ref.data, (v, i) => Math.abs(v - ours.data[i]!)));
      expect(diff / scale).toBeLessThan(1e-5);
    }
    const path = join(tmp("netc-dynamic-"), "g.onnx");
    writeFileSync(path, dynamic);
    pythonCheck(path);
  });

  test("a flatten of the feature map, or adaptive pooling to more than 1x1, needs the spec's size", () => {
    const flat = checkText("network F(classes = 10) {\n  input x 1x8x8\n  conv 3x3 4 pad=1\n  flatten\n  dense classes\n}\n", "/tmp/f.net").graph!;
    const r = checkDynamicSize(flat);
    expect(r.ok ? "" : `${r.node.name}: ${r.detail}`).toBe("flatten1: 'flatten' on a [C, H, W] map (4x8x8 at the spec's size), lowered with its sizes fixed");
    expect(() => emitOnnx(flat, { size: "dynamic" })).toThrow(/flatten1: the ONNX graph cannot take any input height and width/);
    const alex = checkDynamicSize(checkFile("specs/zoo/alexnet.net").graph!);
    expect(alex.ok ? "" : alex.detail).toBe("an adaptive pooling to 6x6, lowered with windows for the spec's size");
  });

  test("compile --dynamic-size says which node blocks it (NET5030)", () => {
    const dir = tmp();
    writeFileSync(join(dir, "f.net"), "network F(classes = 10) {\n  input x 1x8x8\n  conv 3x3 4 pad=1\n  flatten\n  dense classes\n}\n");
    const r = netc(["compile", join(dir, "f.net"), "--target", "onnx", "--dynamic-size", "-o", join(dir, "f.onnx")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("f.net:4:3: error NET5030: flatten1: the ONNX graph cannot take any input height and width");
  });

  const dims = (path: string) => {
    const g = onnx.ModelProto.decode(readFileSync(path)).graph!;
    const of = (v: (typeof g.input)[number]) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    return { input: of(g.input[0]!), output: of(g.output[0]!) };
  };

  test("netc compile's default: symbolic where the network allows it, fixed elsewhere without a word", () => {
    const dir = tmp();
    const squeeze = join(dir, "s.onnx");
    const r = netc(["compile", "specs/zoo/squeezenet1-1.net", "--target", "onnx", "--set", "classes=10", "--set", "size=64", "-o", squeeze]);
    expect(r.code, r.stderr).toBe(0);
    expect(dims(squeeze)).toEqual({ input: ["N", 3, "height", "width"], output: ["N", 10] });
    expect(readModelInput(squeeze).shape).toEqual([3, 64, 64]);
    pythonCheck(squeeze);

    writeFileSync(join(dir, "f.net"), "network F(classes = 10) {\n  input x 1x8x8\n  conv 3x3 4 pad=1\n  flatten\n  dense classes\n}\n");
    const flat = netc(["compile", join(dir, "f.net"), "--target", "onnx", "-o", join(dir, "f.onnx")]);
    expect(flat.code, flat.stderr).toBe(0);
    expect(flat.stderr).not.toContain("NET5030");
    expect(dims(join(dir, "f.onnx"))).toEqual({ input: ["N", 1, 8, 8], output: ["N", 10] });

    const fixed = join(dir, "s-fixed.onnx");
    expect(netc(["compile", "specs/zoo/squeezenet1-1.net", "--target", "onnx", "--set", "classes=10", "--set", "size=64", "--fixed-size", "-o", fixed]).code).toBe(0);
    expect(dims(fixed)).toEqual({ input: ["N", 3, 64, 64], output: ["N", 10] });
  });

  test("--fixed-size and --dynamic-size together are refused (NET5040)", () => {
    const dir = tmp();
    const r = netc(["compile", "specs/zoo/squeezenet1-1.net", "--target", "onnx", "--fixed-size", "--dynamic-size", "-o", join(dir, "s.onnx")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error NET5040: --fixed-size and --dynamic-size contradict each other");
  });
});
