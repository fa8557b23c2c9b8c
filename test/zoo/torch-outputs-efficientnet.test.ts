// torchvision's own EfficientNets against netc's ONNX of the specs, with the
// same weights: torchvision's model is built with seeded random weights (and
// random BatchNorm statistics, so that eps and the folding matter), its
// state_dict is written in order, and netc reads it tensor by tensor in
// stateDictOrder into the spec's weight set. The outputs agree within a relative
// 1e-4, which checks semantics (padding, squeeze-and-excitation, residuals, SiLU,
// eps), not only shapes. Small images and 10 classes keep it quick.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";
import type { NodeWeights, WeightSet } from "../../src/ir/weights.js";
import { runOrt, tempDir } from "../onnx/harness.js";
import { needTorchvision, runs } from "../requirements.js";

const SIZE = 32;
const CLASSES = 10;
const BATCH = 2;

// Writes the state_dict (float32, in order, num_batches_tracked left out), the
// input and torchvision's float64 output to one file; prints the tensor count.
const SCRIPT = String.raw`
import sys, torch, torchvision.models as models
name, size, classes, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.manual_seed(0)
model = getattr(models, name)(weights=None, num_classes=classes).eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.5, 0.5)
            m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 2.0)
    tensors = [v.float().flatten() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")]
    x = torch.randn(${BATCH}, 3, size, size)
    y = model.double()(x.double()).float()
torch.cat(tensors + [x.flatten(), y.flatten()]).numpy().tofile(path)
print(len(tensors))
`;

function specGraph(file: string) {
  const text = readFileSync(file, "utf8").replace(/size = 224/, `size = ${SIZE}`).replace(/classes = 1000/, `classes = ${CLASSES}`);
  const r = checkText(text, file);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
}

describe.runIf(runs(needTorchvision(), "torchvision's EfficientNet outputs against netc's"))("torchvision's weights, netc's graph", () => {
  for (const [spec, name] of [["efficientnet-b0", "efficientnet_b0"], ["efficientnet-v2-s", "efficientnet_v2_s"]] as const) {
    test(`${spec} = torchvision ${name} at ${SIZE}x${SIZE}`, async () => {
      const graph = specGraph(`specs/zoo/${spec}.net`);
      const path = join(tempDir(), `${name}.bin`);
      const count = Number(execFileSync("/usr/bin/python3", ["-c", SCRIPT, name, String(SIZE), String(CLASSES), path], { encoding: "utf8" }));
      const data = new Float32Array(readFileSync(path).buffer.slice(0));
      const order = stateDictOrder(graph);
      expect(order.length).toBe(count);

      const weights: WeightSet = new Map();
      let at = 0;
      for (const t of order) {
        const n = t.shape.reduce((a, b) => a * b, 1);
        const w: NodeWeights = weights.get(t.node) ?? {};
        w[t.tensor] = data.slice(at, at + n);
        weights.set(t.node, w);
        at += n;
      }
      const inputSize = BATCH * 3 * SIZE * SIZE;
      const x = data.slice(at, at + inputSize);
      const want = data.slice(at + inputSize);
      expect(want.length).toBe(BATCH * CLASSES);

      const { model } = emitOnnx(graph, { weights, preprocess: false });
      const { dims, data: got } = await runOrt(model, "image", [BATCH, 3, SIZE, SIZE], x);
      expect(dims).toEqual([BATCH, CLASSES]);
      const scale = Math.max(...want.map(Math.abs));
      const worst = Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i]!)));
      expect(scale).toBeGreaterThan(0);
      expect(worst / scale).toBeLessThan(1e-4);
    }, 120_000);
  }
});
