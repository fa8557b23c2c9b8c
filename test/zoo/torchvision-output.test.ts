// torchvision's own models against netc's ONNX on the same weights: the
// torchvision model (seeded, with random BatchNorm statistics and biases so no
// tensor is trivial) runs in float64, its state_dict goes to netc tensor by
// tensor in stateDictOrder, and onnxruntime's output on netc's ONNX model must
// match within 1e-4 of the largest output. This checks the semantics the
// figures and the weight order cannot: activations, squeeze-and-excitation,
// grouped convolutions, strides and paddings. At 64x64 with 10 classes, to fit
// CI's 2 cores; torchvision's builders take any size and class count.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";
import type { WeightSet } from "../../src/ir/weights.js";
import { runOrt, tempDir } from "../onnx/harness.js";
import { needTorchvision, runs } from "../requirements.js";

const SIZE = 64;
const CLASSES = 10;
const BATCH = 2;

// Writes weights.bin (every state_dict tensor but num_batches_tracked, float32,
// in order), input.bin (float32) and output.bin (float64), and prints the
// tensors' names and shapes.
const SCRIPT = String.raw`
import json, sys, torch
import torchvision.models as models
name, size, classes, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
torch.manual_seed(0)
model = getattr(models, name)(weights=None, num_classes=classes).double().eval()
with torch.no_grad():
    for key, t in model.state_dict().items():
        if key.endswith("num_batches_tracked"):
            continue
        if key.endswith("running_var"):
            t.uniform_(0.5, 1.5)
        elif key.endswith("running_mean") or key.endswith("bias"):
            t.normal_(0, 0.1)
        elif t.dim() == 1:
            t.uniform_(0.5, 1.5)
    x = torch.randn(${BATCH}, 3, size, size, dtype=torch.float64)
    y = model(x)
tensors = [(k, v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")]
with open(out + "/weights.bin", "wb") as f:
    for _, v in tensors:
        f.write(v.float().contiguous().numpy().tobytes())
open(out + "/input.bin", "wb").write(x.float().numpy().tobytes())
open(out + "/output.bin", "wb").write(y.numpy().tobytes())
print(json.dumps([[k, list(v.shape)] for k, v in tensors]))
`;

const cases = [
  { file: "specs/zoo/mobilenet-v3-large.net", torchvision: "mobilenet_v3_large" },
  { file: "specs/zoo/regnet-y-400mf.net", torchvision: "regnet_y_400mf" },
];

describe.runIf(runs(needTorchvision(), "torchvision's outputs against netc's ONNX"))("torchvision's outputs on the same weights", () => {
  for (const { file, torchvision } of cases) {
    test(`${file} = ${torchvision} at ${SIZE}x${SIZE}`, async () => {
      const text = readFileSync(file, "utf8").replace(/size = 224/, `size = ${SIZE}`).replace(/classes = 1000/, `classes = ${CLASSES}`);
      const r = checkText(text, file);
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const graph = r.graph!;

      const dir = tempDir();
      const names = JSON.parse(
        execFileSync("/usr/bin/python3", ["-c", SCRIPT, torchvision, String(SIZE), String(CLASSES), dir], { encoding: "utf8" }),
      ) as [string, number[]][];
      const order = stateDictOrder(graph);
      expect(order.map((t) => t.shape.join())).toEqual(names.map(([, s]) => s.join()));

      const raw = readFileSync(join(dir, "weights.bin"));
      const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
      const weights: WeightSet = new Map();
      let at = 0;
      for (const t of order) {
        const n = t.shape.reduce((a, b) => a * b, 1);
        const w = weights.get(t.node) ?? {};
        w[t.tensor] = all.slice(at, at + n);
        weights.set(t.node, w);
        at += n;
      }
      expect(at).toBe(all.length);

      const inRaw = readFileSync(join(dir, "input.bin"));
      const input = new Float32Array(inRaw.buffer, inRaw.byteOffset, inRaw.byteLength / 4).slice();
      const outRaw = readFileSync(join(dir, "output.bin"));
      const want = new Float64Array(outRaw.buffer.slice(outRaw.byteOffset, outRaw.byteOffset + outRaw.byteLength));

      const { model } = emitOnnx(graph, { weights, preprocess: false });
      const got = await runOrt(model, graph.inputName, [BATCH, 3, SIZE, SIZE], input);
      expect(got.dims.map(Number)).toEqual([BATCH, CLASSES]);
      let maxDiff = 0;
      let maxOut = 0;
      for (let i = 0; i < want.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(got.data[i]! - want[i]!));
        maxOut = Math.max(maxOut, Math.abs(want[i]!));
      }
      expect(maxOut).toBeGreaterThan(0);
      expect(maxDiff / maxOut).toBeLessThanOrEqual(1e-4);
    }, 120_000);
  }
});
