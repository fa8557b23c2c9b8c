// torchvision's own modules against the specs, output for output: torchvision
// builds the model, seeded random values go into every tensor of its
// state_dict (layer scales, biases and BatchNorm statistics included, so no
// tensor is trivial), and netc's ONNX model of the spec gets the same tensors
// in stateDictOrder's order, by position only: if the spec's order, layouts or
// semantics differed from torchvision's, the outputs would. ShuffleNet v2 0.5x
// is the spec itself at 64x64; ConvNeXt is lib/convnext.net at reduced widths
// beside torchvision's ConvNeXt class with the same block settings (ConvNeXt-T
// differs from it only in the four widths and depths).

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import type { IrGraph } from "../../src/ir/graph.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";
import type { NodeWeights, WeightSet } from "../../src/ir/weights.js";
import { randomInput, session, tempDir } from "../onnx/harness.js";
import { needTorchvision, runs } from "../requirements.js";

// argv: model kind, input size, classes, then a folder with input.f32; writes
// weights.f32 (the state_dict in order, as float32), output.f64 and shapes.json.
const SCRIPT = String.raw`
import json, sys, numpy as np, torch
from torchvision.models import shufflenet_v2_x0_5
from torchvision.models.convnext import ConvNeXt, CNBlockConfig
kind, size, classes, folder = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.manual_seed(0)
if kind == "shufflenet_v2_x0_5":
    model = shufflenet_v2_x0_5(num_classes=classes)
else:
    setting = [CNBlockConfig(16, 32, 1), CNBlockConfig(32, 64, 1), CNBlockConfig(64, 128, 2), CNBlockConfig(128, None, 1)]
    model = ConvNeXt(setting, stochastic_depth_prob=0.1, num_classes=classes)
model = model.eval().double()
g = torch.Generator().manual_seed(1)
sd = model.state_dict()
with torch.no_grad():
    for name, t in sd.items():
        if name.endswith("num_batches_tracked"):
            continue
        r = torch.rand(t.shape, generator=g, dtype=t.dtype)
        if name.endswith("running_var") or name.endswith("layer_scale"):
            t.copy_(0.5 + r)  # layer scales between 0.5 and 1.5, not torchvision's 1e-6
        elif name.endswith("running_mean") or t.dim() == 1:
            t.add_(r - 0.5)
        # Every value exactly a float32, as netc's side holds it.
        t.copy_(t.float().double())
tensors = [(k, v) for k, v in sd.items() if not k.endswith("num_batches_tracked")]
np.concatenate([v.flatten().float().numpy() for _, v in tensors]).tofile(folder + "/weights.f32")
x = torch.from_numpy(np.fromfile(folder + "/input.f32", dtype=np.float32).astype(np.float64)).reshape(2, 3, size, size)
with torch.no_grad():
    model(x).numpy().astype(np.float64).tofile(folder + "/output.f64")
json.dump([[k, list(v.shape)] for k, v in tensors], open(folder + "/shapes.json", "w"))
`;

const CONVNEXT_MINI = `import "lib/convnext.net"
network MiniConvNeXt(classes = 10, size = 32) {
  input image (3, size, size)
  ConvNeXtFeatures(16, 32, 64, 128, 1, 1, 2, 1, 0.1)
  ConvNeXtHead(classes)
}
`;

function graphOf(text: string, file: string): IrGraph {
  const r = checkText(text, file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
}

/** torchvision's flat state_dict as netc's weights, tensor by tensor in stateDictOrder. */
function weightsFrom(graph: IrGraph, flat: Float32Array, theirs: [string, number[]][]): WeightSet {
  const order = stateDictOrder(graph);
  expect(order.map((t) => t.shape.join("x"))).toEqual(theirs.map(([, s]) => s.join("x")));
  const out: WeightSet = new Map();
  let at = 0;
  for (const t of order) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const w: NodeWeights = out.get(t.node) ?? {};
    w[t.tensor] = flat.slice(at, at + n);
    out.set(t.node, w);
    at += n;
  }
  expect(at).toBe(flat.length);
  return out;
}

const cases = [
  {
    name: "shufflenet_v2_x0_5",
    size: 64,
    classes: 1000,
    graph: () => graphOf(readFileSync("specs/zoo/shufflenet-v2-x0-5.net", "utf8").replace(/size = 224/, "size = 64"), "specs/zoo/shufflenet-v2-x0-5.net"),
  },
  { name: "convnext", size: 32, classes: 10, graph: () => graphOf(CONVNEXT_MINI, "specs/zoo/mini-convnext.net") },
];

describe.runIf(runs(needTorchvision(), "the zoo's outputs against torchvision"))("zoo outputs = torchvision's with the same weights", () => {
  for (const c of cases) {
    test(`${c.name} at ${c.size}x${c.size}`, async () => {
      const graph = c.graph();
      const dir = tempDir();
      const input = randomInput(2 * 3 * c.size * c.size, 5);
      writeFileSync(join(dir, "input.f32"), input);
      execFileSync("/usr/bin/python3", ["-c", SCRIPT, c.name, String(c.size), String(c.classes), dir], { stdio: ["ignore", "ignore", "pipe"] });
      const theirs = JSON.parse(readFileSync(join(dir, "shapes.json"), "utf8")) as [string, number[]][];
      const flat = new Float32Array(new Uint8Array(readFileSync(join(dir, "weights.f32"))).buffer);
      const weights = weightsFrom(graph, flat, theirs);
      const want = new Float64Array(new Uint8Array(readFileSync(join(dir, "output.f64"))).buffer);

      const s = await session(emitOnnx(graph, { weights, preprocess: false }).model);
      const nchw = (await import("onnxruntime-node")).Tensor;
      const y = (await s.run({ [s.inputNames[0]!]: new nchw("float32", input, [2, 3, c.size, c.size]) }))[s.outputNames[0]!]!;
      const got = y.data as Float32Array;
      expect(got.length).toBe(want.length);
      const scale = Math.max(...Array.from(want, Math.abs));
      const worst = Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i]!)));
      expect(scale).toBeGreaterThan(0);
      expect(worst / scale).toBeLessThan(1e-4);
      await s.release();
    }, 120_000);
  }
});
