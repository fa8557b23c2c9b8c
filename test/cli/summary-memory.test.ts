// `netc summary`'s weights and activation memory: hand-computed on a minimal
// spec, and against a measured PyTorch run of torchvision's own models (CPU,
// every tensor an aten op creates tracked from creation to the death of the
// last tensor on its storage: deterministic, so the test asserts the figures).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { needTorchvision, runs } from "../requirements.js";
import { netc, tmp } from "./helpers.js";

// 1x8x8 input -> conv (no bias before BatchNorm) 4x8x8 -> BatchNorm + ReLU -> flatten -> dense 10.
const SMALL = "network M(classes = 10) {\n  input x 1x8x8\n  c1 = conv 3x3 4 pad=1 bn relu\n  flatten\n  fc = dense classes\n}\n";

describe("netc summary: weights and activation memory", () => {
  it("counts trainable and non-trainable parameters, weight bytes and activations by the documented rules", () => {
    const d = tmp("netc-memory-");
    writeFileSync(join(d, "m.net"), SMALL);
    const r = netc(["summary", "--json", "--batch", "3", "m.net"], { cwd: d });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // conv 4x1x3x3 = 36, BatchNorm gamma + beta = 8, dense 10x256 + 10 = 2570.
    const trainable = 36 + 8 + 2570;
    const nonTrainable = 4 + 4; // running mean and variance
    expect(j).toMatchObject({ params: trainable, trainableParams: trainable, nonTrainableParams: nonTrainable, weightsBytes: 4 * (trainable + nonTrainable) });
    const input = 64 * 4;
    const map = 4 * 64 * 4;
    // Inference peak at the BatchNorm: the input (held throughout), the conv's output and the BatchNorm's.
    // Training keeps the conv's input, the BatchNorm's input and its ReLU'd output (which dense reads through flatten).
    expect(j.activations).toEqual({
      batch: 3,
      perImage: { inferencePeak: input + 2 * map, trainingKept: input + 2 * map },
      perBatch: { trainingKept: 2 * 4 * 4 },
      total: { inferencePeak: 3 * (input + 2 * map), trainingKept: 3 * (input + 2 * map) + 32 },
    });
    const text = netc(["summary", "--batch", "3", "m.net"], { cwd: d }).stdout;
    expect(text).toMatch(/^trainable params\s+2,614$/m);
    expect(text).toMatch(/^non-trainable params\s+8\s+BatchNorm running mean and variance/m);
    expect(text).toMatch(/^weights\s+10\.49 kB\s+float32/m);
    expect(text).toMatch(/^activations, batch 3\s+6\.91 kB\s+inference$/m);
  });

  it("--input and --set overrides change the figures; several specs give one JSON object each", () => {
    const big = JSON.parse(netc(["summary", "--json", "--input", "3x448x448", "specs/zoo/resnet18.net"]).stdout);
    const small = JSON.parse(netc(["summary", "--json", "specs/zoo/resnet18.net"]).stdout);
    expect(big.activations.perImage.inferencePeak).toBe(4 * small.activations.perImage.inferencePeak);
    expect(big.weightsBytes).toBe(small.weightsBytes);
    const ten = JSON.parse(netc(["summary", "--json", "--set", "classes=10", "specs/zoo/resnet18.net"]).stdout);
    expect(ten.trainableParams).toBe(small.trainableParams - 990 * 513);
    const two = JSON.parse(netc(["summary", "--json", "specs/zoo/resnet18.net", "specs/zoo/alexnet.net"]).stdout);
    expect(two.map((s: { nonTrainableParams: number }) => s.nonTrainableParams)).toEqual([9600, 0]);
  });
});

// Builds torchvision's model (random weights), runs one forward of a batch of 2 at
// 224x224 in eval mode under no_grad (the peak of live bytes) and one in train mode
// with autograd (the bytes still live after it, less the outputs: what the backward
// pass will read). Parameters and buffers are not counted; the input is, created in
// the tracked region as netc counts it.
const MEASURE = String.raw`
import json, sys, weakref, torch
import torchvision.models as models
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

class Live(TorchDispatchMode):
    def __init__(self, exclude):
        super().__init__()
        self.exclude, self.refs, self.size, self.live, self.peak = exclude, {}, {}, 0, 0
    def track(self, t):
        st = t.storage()
        key, n = st.data_ptr(), st.nbytes()
        if n == 0 or key in self.exclude:
            return
        if key not in self.refs:
            self.refs[key], self.size[key] = 0, n
            self.live += n
            self.peak = max(self.peak, self.live)
        self.refs[key] += 1
        weakref.finalize(t, self.drop, key)
    def drop(self, key):
        self.refs[key] -= 1
        if self.refs[key] == 0:
            del self.refs[key]
            self.live -= self.size.pop(key)
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor):
                self.track(t)
        return out

name, batch, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
extra = {"transform_input": False, "init_weights": False} if name == "googlenet" else {}
def build(**kw):
    torch.manual_seed(0)
    return getattr(models, name)(weights=None, **extra, **kw)
def measure(model, grad):
    exclude = {t.storage().data_ptr() for t in list(model.parameters()) + list(model.buffers())}
    live = Live(exclude)
    with torch.set_grad_enabled(grad), live:
        x = torch.randn(batch, 3, size, size)
        y = model(x)
    outputs = sum(t.storage().nbytes() for t in tree_flatten(tuple(y) if isinstance(y, tuple) else y)[0] if isinstance(t, torch.Tensor))
    return live.peak, live.live, outputs
peak, _, _ = measure(build(**({"aux_logits": False} if name == "googlenet" else {})).eval(), False)
_, after, outputs = measure(build().train(), True)
print(json.dumps({"inferencePeak": peak, "trainingKept": after - outputs}))
`;

const BATCH = 2;
function measured(model: string): { inferencePeak: number; trainingKept: number } {
  return JSON.parse(execFileSync("/usr/bin/python3", ["-c", MEASURE, model, String(BATCH), "224"], { encoding: "utf8" }));
}
function figures(spec: string): { inferencePeak: number; trainingKept: number } {
  const j = JSON.parse(netc(["summary", "--json", "--batch", String(BATCH), spec]).stdout);
  return j.activations.total;
}

describe.runIf(runs(needTorchvision(), "summary's activation memory against PyTorch"))("activation memory against a measured PyTorch run (CPU, batch 2, 224x224)", () => {
  // GoogLeNet without transform_input: netc's preprocessing is not a layer.
  for (const [spec, model] of [
    ["specs/googlenet-torchvision.net", "googlenet"],
    ["specs/zoo/resnet18.net", "resnet18"],
  ] as const) {
    it(`${model}: inference peak and training figure are exact`, () => {
      expect(figures(spec)).toEqual(measured(model));
    });
  }
  it("mobilenet_v2: training exact; inference peak 7.3% under PyTorch's, whose block frames hold their input", () => {
    const ours = figures("specs/zoo/mobilenet-v2.net");
    const theirs = measured("mobilenet_v2");
    expect(ours.trainingKept).toBe(theirs.trainingKept);
    // The difference is one 16x112x112 float32 map per image: InvertedResidual.forward's x.
    expect(theirs.inferencePeak - ours.inferencePeak).toBe(BATCH * 16 * 112 * 112 * 4);
  });
});
