// Issue 14: model.py keeps the spec's structure. A block is an nn.Module class
// defined once and built once per call, with the spec's parameter names; the
// module tree (so the state_dict) is still exactly `netc weights`' list; every
// spec's model.py is already as black formats it.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { pytorchModel } from "../../src/emit/pytorch/model-code.js";
import { pyLines } from "../../src/emit/pytorch/python-format.js";
import { specTensors } from "../../src/weights/map.js";
import { root, tmp } from "../cli/helpers.js";
import { needBlack, needTorch, runs } from "../requirements.js";

const modelPy = (spec: string) => {
  const graph = checkFile(join(root, spec), diskHost).graph!;
  const r = pytorchModel(graph, { specPath: spec, netcVersion: "test" });
  expect(r.diagnostics).toEqual([]);
  return { graph, code: r.code };
};

const ALL = [
  ...["googlenet", "googlenet-torchvision", "inception-fashion"].map((s) => `specs/${s}.net`),
  ...[
    "alexnet", "convnext-small", "convnext-tiny", "densenet121", "efficientnet-b0", "efficientnet-b1", "efficientnet-v2-s",
    "inception-v3", "mnasnet1-0", "mobilenet-v2", "mobilenet-v3-large", "mobilenet-v3-small", "regnet-x-400mf",
    "regnet-y-400mf", "resnet18", "resnet50", "resnext50-32x4d", "shufflenet-v2-x0-5", "shufflenet-v2-x1-0",
    "squeezenet1-1", "vgg16", "wide-resnet50-2",
  ].map((s) => `specs/zoo/${s}.net`),
];

describe("model.py: a class per block", () => {
  test("googlenet-torchvision: class Inception defined once with the spec's parameters, built 9 times", () => {
    const { code } = modelPy("specs/googlenet-torchvision.net");
    expect(code.match(/^class Inception\(nn\.Module\):$/gm)).toHaveLength(1);
    expect(code).toContain("    def __init__(self, in_channels, c1, r3, c3, r5, c5, proj):\n");
    expect(code.match(/ = Inception\(/g)).toHaveLength(9);
    expect(code).toContain("        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)\n");
    expect(code).toContain("        self.b2.conv2 = nn.Conv2d(r3, c3, 3, padding=1, bias=False)\n");
    expect(code).toContain("        inception3a = self.inception3a(stem_maxpool2)\n");
    // The two aux heads: one class, its input channels the only difference.
    expect(code).toContain("        self.aux1 = Aux(512)\n");
    expect(code).not.toContain("self.inception3a.b1");
  });

  test("nested blocks are nested classes; numbers that follow a parameter are written from it", () => {
    const { code } = modelPy("specs/zoo/convnext-tiny.net");
    expect(code).toContain("class CNBlock(nn.Module):");
    expect(code).toContain("        self.residual.dense1 = nn.Linear(in_channels, 4 * in_channels)\n");
    // The drop rate differs between calls: a constructor parameter kept on the module.
    expect(code).toMatch(/drop_path\(residual_layer_scale, self\.p, self\.training\)/);
    expect(code).toMatch(/self\.add_module\("0", CNBlock\(in_channels, \w+\)\)/);
  });

  test("same spec, same text", () => {
    expect(modelPy("specs/zoo/inception-v3.net").code).toBe(modelPy("specs/zoo/inception-v3.net").code);
  });

  test("pyLines splits as black does", () => {
    const long = "self.features.stage1.conv1 = nn.Conv2d(in_channels, out_channels_of_a_long_name, 3, padding=1)";
    expect(pyLines(8, long)).toEqual([
      "        self.features.stage1.conv1 = nn.Conv2d(",
      "            in_channels, out_channels_of_a_long_name, 3, padding=1",
      "        )",
    ]);
    expect(pyLines(4, "x = 1")).toEqual(["    x = 1"]);
  });

  test.runIf(runs(needTorch(), "model.py's module tree against netc weights"))("googlenet-torchvision: the module tree's state_dict keys are netc weights' list, in order", () => {
    const { graph, code } = modelPy("specs/googlenet-torchvision.net");
    const dir = tmp("netc-blocks-");
    writeFileSync(join(dir, "model.py"), code);
    const py = `import json, sys\nsys.path.insert(0, ${JSON.stringify(dir)})\nimport model\nm = model.Model()\nprint(json.dumps([[k, list(v.shape)] for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")]))\n`;
    const r = spawnSync("/usr/bin/python3", ["-c", py], { encoding: "utf8", maxBuffer: 16 << 20 });
    expect(r.stderr).toBe("");
    const keys = JSON.parse(r.stdout) as [string, number[]][];
    expect(keys).toEqual(specTensors(graph).map((t) => [t.path.replaceAll("/", "."), t.shape]));
    expect(keys.map((k) => k[0])).toContain("inception3a.b2.conv1.weight");
  }, 60_000);

  test.runIf(runs(needBlack(), "black --check on generated model.py"))("every spec's model.py compiles and is as black formats it", () => {
    const dir = tmp("netc-black-");
    const files: string[] = [];
    for (const spec of ALL) {
      const name = spec.replace(/^.*\//, "").replace(/\.net$/, "").replace(/-/g, "_");
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(join(dir, name, "model.py"), modelPy(spec).code);
      files.push(join(dir, name, "model.py"));
    }
    const compiled = spawnSync("/usr/bin/python3", ["-m", "py_compile", ...files], { encoding: "utf8" });
    expect(compiled.stderr).toBe("");
    const black = spawnSync("/usr/bin/python3", ["-m", "black", "--check", "--diff", "-q", ...files], { encoding: "utf8", maxBuffer: 16 << 20 });
    expect(black.stdout + black.stderr).toBe("");
    expect(black.status).toBe(0);
  }, 180_000);
});
