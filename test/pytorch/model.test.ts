// `netc compile --target pytorch`: the generated model.py, run by Debian's
// PyTorch, against netc's ONNX model on onnxruntime with the same weights.
// run_model.py gives the module seeded random weights (BatchNorm statistics
// too) and saves its state_dict with torch.save; netc's `--weights` reads that
// file into the ONNX model. Both see the same raw pixels (model.py's
// preprocess(), the ONNX graph's first nodes). Checked per spec: py_compile,
// state_dict keys, order and shapes equal to `netc weights` (dots for
// slashes), parameters equal to `netc summary`'s (with aux heads), outputs
// within 1e-4 of the largest.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkFile, checkText } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { specTensors } from "../../src/weights/map.js";
import { OPS, pyString, pytorchModel } from "../../src/emit/pytorch/model-code.js";
import { netc, root, tmp } from "../cli/helpers.js";
import { runOrt } from "../onnx/harness.js";
import { needTorch, needTorchvision, runs } from "../requirements.js";

const torchReady = runs(needTorch(), "the PyTorch target's model.py against netc's ONNX");
const torchvisionReady = runs(needTorchvision(), "the PyTorch target's model.py against torchvision's models");

// Every spec in specs/, classes=10 and 64x64 where a `size` parameter allows
// (the others at their own size). Left out for their size alone (their ops are
// all in the list): VGG16 (134M parameters at classes=10), AlexNet (57M),
// Wide ResNet-50-2 (67M), ConvNeXt-Small (same blocks as ConvNeXt-Tiny).
const SPECS: [string, Record<string, number>][] = [
  ["specs/inception-fashion.net", {}],
  ["specs/googlenet.net", { classes: 10 }],
  ["specs/googlenet-torchvision.net", { classes: 10 }],
  ["specs/zoo/inception-v3.net", { classes: 10 }],
  ...[
    "convnext-tiny",
    "densenet121",
    "efficientnet-b0",
    "efficientnet-b1",
    "efficientnet-v2-s",
    "mnasnet1-0",
    "mobilenet-v2",
    "mobilenet-v3-large",
    "mobilenet-v3-small",
    "regnet-x-400mf",
    "regnet-y-400mf",
    "resnet18",
    "resnet50",
    "resnext50-32x4d",
    "shufflenet-v2-x0-5",
    "shufflenet-v2-x1-0",
    "squeezenet1-1",
  ].map((s): [string, Record<string, number>] => [`specs/zoo/${s}.net`, { classes: 10, size: 64 }]),
];

// BatchNorm's gamma is drawn from [g, 2g), g = 0.6 (run_model.py). EfficientNetV2-S
// at 64x64 is chaotic there: a 1e-7 relative nudge of the input moves its
// float64 outputs by 24%, so float32 runs agree with nothing (as `netc verify`'s
// noise floor finds). At g = 0.5 a nudge moves them by 8e-8 while the two
// samples' outputs still differ by 2e-3, far above the tolerance.
const GAMMA: Record<string, string> = { "specs/zoo/efficientnet-v2-s.net": "0.5" };

const setArgs = (params: Record<string, number>) => Object.entries(params).flatMap(([k, v]) => ["--set", `${k}=${v}`]);

describe("netc compile --target pytorch", () => {
  for (const [spec, params] of SPECS) {
    test.runIf(torchReady)(`${spec}: same state_dict as netc weights, same parameters, same outputs as the ONNX model`, async () => {
      const dir = tmp("netc-pytorch-");
      const c = netc(["compile", spec, "--target", "pytorch", "--out", dir, ...setArgs(params)]);
      expect(c.stderr).toBe(`wrote ${join(dir, "model.py")}\nwrote ${join(dir, "train.py")}\n`);
      const py = spawnSync("/usr/bin/python3", ["-m", "py_compile", join(dir, "model.py")], { encoding: "utf8" });
      expect(py.stderr).toBe("");
      const batch = 2;
      const r = spawnSync("/usr/bin/python3", [join(root, "test/pytorch/run_model.py"), join(dir, "model.py"), dir, String(batch), GAMMA[spec] ?? "0.6"], { encoding: "utf8", maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(r.stderr);
      const got = JSON.parse(r.stdout) as { keys: [string, number[]][]; params: number; output: number[] };

      const graph = checkFile(join(root, spec), diskHost, { params }).graph!;
      const keys = got.keys.filter(([k]) => !k.endsWith(".num_batches_tracked"));
      expect(keys).toEqual(specTensors(graph).map((t) => [t.path.replaceAll("/", "."), t.shape]));
      expect(got.params).toBe(graph.paramsWithAux);
      expect(got.output).toEqual([batch, ...graph.nodes[graph.output]!.shape]);

      const f32 = (f: string) => {
        const b = readFileSync(join(dir, f));
        return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      };
      const ours = f32("output.f32");
      const input = f32("input.f32");
      const onnxPath = join(dir, "m.onnx");
      const o = netc(["compile", spec, "--target", "onnx", "--weights", join(dir, "state.pt"), "-o", onnxPath, ...setArgs(params)]);
      expect(o.code, o.stderr).toBe(0);
      const ort = await runOrt(onnxPath, graph.inputName, [batch, ...graph.inputShape], input);
      const scale = Math.max(...Array.from(ort.data, Math.abs));
      const diff = Math.max(...Array.from(ort.data, (v, i) => Math.abs(v - ours[i]!)));
      expect(diff / scale).toBeLessThan(1e-4);
    }, 300_000);
  }

  // torchvision's own modules as the reference: their state_dict loads into
  // model.py by position (same order and shapes, netc's names), and both give
  // the same outputs, bit for bit.
  for (const [spec, name] of [
    ["resnet18", "resnet18"],
    ["mobilenet-v3-small", "mobilenet_v3_small"],
    ["convnext-tiny", "convnext_tiny"],
    ["shufflenet-v2-x0-5", "shufflenet_v2_x0_5"],
    ["efficientnet-b0", "efficientnet_b0"],
    ["regnet-y-400mf", "regnet_y_400mf"],
  ]) {
    test.runIf(torchvisionReady)(`specs/zoo/${spec}.net is torchvision's ${name}: its state_dict loads by position, same outputs`, () => {
      const dir = tmp("netc-pytorch-");
      expect(netc(["compile", `specs/zoo/${spec}.net`, "--target", "pytorch", "--out", dir, "--set", "classes=10", "--set", "size=64"]).code).toBe(0);
      const r = spawnSync("/usr/bin/python3", [join(root, "test/pytorch/torchvision_positional.py"), join(dir, "model.py"), name!, "10", "64"], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(r.stderr);
      expect(Number(r.stdout.trim())).toBe(0);
    }, 120_000);
  }

  test("what PyTorch cannot express is a located error, and nothing is written: NET6010, NET6011", () => {
    const dir = tmp("netc-pytorch-");
    // TF's 'same' split on an even size pads only the bottom and right.
    writeFileSync(join(dir, "p.net"), "network P {\n  input x 1x8x8\n  avgpool 3x3/2 pad=same\n  flatten\n  dense 10\n}\n");
    const p = netc(["compile", join(dir, "p.net"), "--target", "pytorch", "--out", join(dir, "out")]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain(
      "p.net:3:3: error NET6010: avgpool1: the PyTorch target expects layers torch.nn.functional expresses, but found an average pooling with padding [0, 0, 1, 1] (top, left, bottom, right), which F.avg_pool2d's symmetric padding cannot express.",
    );
    writeFileSync(join(dir, "q.net"), "network Q {\n  input x 1x8x8\n  forward = conv 3x3 4 pad=1\n  b = seq {\n    training = conv 3x3 4 pad=1 bn\n  }\n  flatten\n  dense 10\n}\n");
    const q = netc(["compile", join(dir, "q.net"), "--target", "pytorch", "--out", join(dir, "out")]);
    expect(q.code).toBe(1);
    expect(q.stderr.split("\n").filter((l) => l.includes(" error "))).toEqual([
      `${join(dir, "q.net")}:3:13: error NET6011: forward: the PyTorch target expects path names a submodule can take, but 'forward' is an attribute of every torch.nn.Module. Rename the statement.`,
      `${join(dir, "q.net")}:5:16: error NET6011: b/training: the PyTorch target expects path names a submodule can take, but 'training' is an attribute of every torch.nn.Module. Rename the statement.`,
    ]);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("one entry per IR op in OPS", () => {
    expect(Object.keys(OPS).sort()).toEqual(
      ["input", "conv", "batchnorm", "lrn", "maxpool", "avgpool", "globalavgpool", "globalmaxpool", "adaptiveavgpool", "dropout", "flatten", "dense", "layernorm", "groupnorm", "act", "concat", "add", "mul", "scale", "droppath", "slice", "shuffle"].sort(),
    );
  });

  test.runIf(torchReady)("spec text reaches model.py only as Python string literals and one-line comments", () => {
    const dir = tmp("netc-pytorch-");
    const hostile = 'a"b\\c\nimport os\u2028é✓';
    expect(
      spawnSync("/usr/bin/python3", ["-c", `import sys; sys.stdout.write(${pyString(hostile)})`], { encoding: "utf8" }).stdout,
    ).toBe(hostile);
    const graph = checkText("network T {\n  input x 1x8x8\n  conv 3x3 4 pad=1\n  flatten\n  dense 10\n}\n", "/tmp/t.net").graph!;
    const { code } = pytorchModel(graph, { specPath: "x.net\nimport os; os.system('boom')\r\u2028", netcVersion: "0" });
    writeFileSync(join(dir, "model.py"), code);
    const r = spawnSync("/usr/bin/python3", ["-c", `import ast, sys; t = ast.parse(open(sys.argv[1]).read()); print(sum(isinstance(n, (ast.Import, ast.ImportFrom)) for n in t.body))`, join(dir, "model.py")], { encoding: "utf8" });
    // The prelude's four imports, no other.
    expect(r.stdout.trim()).toBe("4");
  });
});
