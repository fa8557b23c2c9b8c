// `train --init FILE`: the generated training program starts from a checkpoint's
// weights. The table model.ts carries (src/runtime/init-table.ts) converts each
// tensor as toTfjsWeights does, byte for byte; and a state_dict that PyTorch
// saved (a tiny network written in PyTorch, independent of netc) goes through
// the generated train.js untouched (a learning rate of 1e-30 moves no float32
// weight): the ONNX graph compiled from the checkpoint it saves gives PyTorch's
// outputs.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, test } from "vitest";
import { checkFile, checkText } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { tfjsSources } from "../../src/emit/tfjs/index.js";
import { toTfjsWeights } from "../../src/runtime/checkpoint-layout.js";
import { readCheckpointTensors } from "../../src/runtime/checkpoint.js";
import { initTable, toTfjsTensor } from "../../src/runtime/init-table.js";
import { loadWeights } from "../../src/weights/read-weights.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { randomWeights } from "../onnx/harness.js";
import { writeIdxFixture } from "../tfjs/fixtures.js";
import { needTorch, runs } from "../requirements.js";

const root = join(new URL(".", import.meta.url).pathname, "../..");
const built = existsSync(join(root, "dist", "weights", "init.js"));

describe("the init table", () => {
  const graphs = [
    // aux heads, flatten into dense (C,H,W order), BatchNorm
    { file: "specs/googlenet-torchvision.net", params: { classes: 10 } },
    // depthwise convolutions, hardswish SE
    { file: "specs/zoo/mobilenet-v3-small.net", params: { classes: 10, size: 32 } },
    // layer scale, LayerNorm at every pixel and on the pooled vector
    { file: "specs/zoo/convnext-tiny.net", params: { classes: 10, size: 32 } },
    // grouped convolutions
    { file: "specs/zoo/regnet-x-400mf.net", params: { classes: 10, size: 32 } },
  ];
  for (const g of graphs) {
    test(`gives toTfjsWeights' tensors: ${g.file}`, () => {
      const r = checkFile(g.file, diskHost, { params: g.params });
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const graph = r.graph!;
      const weights = randomWeights(graph, 5);
      const want = toTfjsWeights(graph, weights);
      const table = initTable(graph);
      const got = new Map(
        table.map((t) => {
          const dot = t.path.lastIndexOf(".");
          const node = t.path.slice(0, dot);
          const torch = t.path.slice(dot + 1);
          const w = weights.get(node)!;
          const key = { weight: w.kernel ?? w.gamma, bias: w.bias ?? w.beta, running_mean: w.mean, running_var: w.variance, layer_scale: w.gamma }[torch]!;
          return [t.tfjs, toTfjsTensor(t, key)];
        }),
      );
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [k, v] of want) {
        expect(got.get(k)!.shape, k).toEqual(v.shape);
        expect(Buffer.from(got.get(k)!.data.buffer).equals(Buffer.from(v.data.buffer)), k).toBe(true);
      }
    }, 60_000);
  }

  test("a vector's feature order after a flatten", () => {
    const text = "network V(classes = 3) {\n  input x 2x3x3\n  conv 3x3 4 pad=1\n  flatten\n  bn\n  dense classes\n}\n";
    const graph = checkText(text, "/tmp/v.net").graph!;
    const table = initTable(graph);
    expect(table.find((t) => t.tfjs.endsWith("/gamma"))!.flatten).toEqual([4, 9]);
    const weights = randomWeights(graph, 2);
    const want = toTfjsWeights(graph, weights);
    const bn = table.find((t) => t.tfjs.endsWith("/moving_variance"))!;
    const node = bn.path.slice(0, bn.path.lastIndexOf("."));
    expect(Array.from(toTfjsTensor(bn, weights.get(node)!.variance!).data)).toEqual(Array.from(want.get(bn.tfjs)!.data));
  });
});

const torch = runs(needTorch(), "train --init from a PyTorch checkpoint");

const SPEC = `network Tiny(classes = 5) {
  input x 1x8x8
  conv1 = conv 3x3 4 pad=1
  relu
  maxpool 2x2/2
  conv2 = conv 3x3 6 pad=1
  relu
  flatten
  fc = dense classes
}
`;

// The same network in PyTorch, seeded; its eval output on a seeded batch.
const PYTHON = `
import sys, torch
import torch.nn as nn, torch.nn.functional as F
out = sys.argv[1]
class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, padding=1)
        self.fc = nn.Linear(6 * 4 * 4, 5)
    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        return self.fc(torch.flatten(F.relu(self.conv2(x)), 1))
torch.manual_seed(0)
m = Tiny().eval()
torch.save(m.state_dict(), out + "/tiny.pt")
torch.manual_seed(1)
other = nn.Sequential(nn.Conv2d(1, 3, 3), nn.Linear(3, 5))
torch.save(other.state_dict(), out + "/other.pt")
x = torch.randn(2, 1, 8, 8, generator=torch.Generator().manual_seed(2))
with torch.no_grad():
    y = m(x)
x.numpy().astype("float32").tofile(out + "/in.bin")
y.numpy().astype("float32").tofile(out + "/out.bin")
`;

const floats = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe.runIf(torch && built)("generated train.js --init", () => {
  test("starts from a torch.save'd state_dict, and from a tfjs checkpoint; a file of another network is one error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-train-init-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules", "netc"));
    execFileSync("/usr/bin/python3", ["-c", PYTHON, dir], { stdio: "pipe" });
    const graph = checkText(SPEC, join(dir, "tiny.net")).graph!;
    const files = await tfjsSources(graph, { js: true, specPath: "tiny.net", netcVersion: "test" });
    for (const [name, text] of files) writeFileSync(join(dir, name), text);
    writeIdxFixture(join(dir, "data"), { count: 40, size: 8, classes: 5 });
    const train = (...args: string[]) =>
      spawnSync(process.execPath, ["train.js", "--data", "data", "--epochs", "1", "--batch-size", "8", "--optimizer", "sgd", "--lr", "1e-30", "--quiet", ...args], {
        cwd: dir,
        encoding: "utf8",
      });

    const first = train("--init", "tiny.pt", "--save", "ckpt");
    expect(first.stderr.replace(/^.*WebAssembly.*\n/gm, "")).toBe("");
    expect(first.status).toBe(0);

    // The checkpoint it saved, compiled to ONNX, gives PyTorch's outputs.
    const loaded = await loadWeights(join(dir, "ckpt"), graph);
    const session = await ort.InferenceSession.create(emitOnnx(graph, { weights: loaded.weights }).model);
    const x = floats(join(dir, "in.bin"));
    const y = (await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", x, [2, 1, 8, 8]) }))[session.outputNames[0]!]!.data as Float32Array;
    await session.release();
    const want = floats(join(dir, "out.bin"));
    const scale = Math.max(...Array.from(want, Math.abs));
    const diff = Math.max(...Array.from(want, (v, i) => Math.abs(v - y[i]!)));
    expect(scale).toBeGreaterThan(0.01);
    expect(diff / scale).toBeLessThan(1e-5);

    // Without --init the program starts from its seeded weights: different outputs' weights.
    const seeded = train("--save", "ckpt-seeded");
    expect(seeded.status).toBe(0);
    const a = readCheckpointTensors(join(dir, "ckpt"));
    const s = readCheckpointTensors(join(dir, "ckpt-seeded"));
    expect(Array.from(s.get("fc/kernel")!.data)).not.toEqual(Array.from(a.get("fc/kernel")!.data));

    // A tfjs checkpoint as --init: the same weights again.
    const again = train("--init", "ckpt", "--save", "ckpt2");
    expect(again.status).toBe(0);
    const b = readCheckpointTensors(join(dir, "ckpt2"));
    for (const [k, v] of a) expect(Array.from(b.get(k)!.data), k).toEqual(Array.from(v.data));

    // Another network's state_dict: one line naming the tensor, both shapes and the index; exit 1.
    const bad = train("--init", "other.pt", "--save", "ckpt3");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^error: other\.pt: tensor 0: the spec's conv1\.weight expects shape \[4,1,3,3\], the file's '0\.weight' has \[3,1,3,3\]/m);
    expect(existsSync(join(dir, "ckpt3"))).toBe(false);
  }, 180_000);
});
