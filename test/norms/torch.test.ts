// PyTorch itself on the norms spec: the same network written with nn.LayerNorm
// (ConvNeXt's permute form for maps), nn.GroupNorm and nn.Linear between NHWC
// permutes, loaded with the same weights, gives the float64 reference's output,
// and counts the same parameters.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runReference } from "../reference/run-graph.js";
import { randomInput, randomWeights, tempDir } from "../onnx/harness.js";
import { needTorch, runs } from "../requirements.js";
import { normsGraph } from "./spec.js";

// The spec's layers in torchvision's vocabulary; state_dict keys follow the IR node names.
const SCRIPT = String.raw`
import json, sys, torch
from torch import nn
torch.set_default_dtype(torch.float64)

class Channels(nn.Module):
    """torchvision's LayerNorm2d / ConvNeXt's Permute + Linear: a module on the channels of each pixel."""
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
    def forward(self, x):
        return self.inner(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

layers = nn.ModuleDict({
    "conv1": nn.Conv2d(4, 8, 3, padding=1),
    "layernorm1": Channels(nn.LayerNorm(8, eps=0.5)),
    "groupnorm1": nn.GroupNorm(2, 8, eps=0.25),
    "dense1": Channels(nn.Linear(8, 12)),
    "dense2": Channels(nn.Linear(12, 6)),
    "groupnorm2": nn.GroupNorm(3, 6),
    "layernorm2": Channels(nn.LayerNorm(6)),
    "layernorm3": nn.LayerNorm(180, eps=0.1),
    "dense3": nn.Linear(180, 5),
})
data = json.load(open(sys.argv[1]))
names = {"kernel": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}
with torch.no_grad():
    for layer, tensors in data["weights"].items():
        m = layers[layer]
        m = m.inner if isinstance(m, Channels) else m
        for key, values in tensors.items():
            p = getattr(m, names[key])
            p.copy_(torch.tensor(values).reshape(p.shape))
    x = torch.tensor(data["input"]).reshape(-1, 4, 5, 6)
    y = layers["conv1"](x)
    for name in ["layernorm1", "groupnorm1", "dense1"]:
        y = layers[name](y)
    y = torch.relu(y)
    for name in ["dense2", "groupnorm2", "layernorm2"]:
        y = layers[name](y)
    y = layers["dense3"](layers["layernorm3"](torch.flatten(y, 1)))
print(json.dumps({"params": sum(p.numel() for p in layers.parameters()), "output": y.flatten().tolist()}))
`;

describe("PyTorch agrees", () => {
  it.runIf(runs(needTorch(), "the PyTorch cross-check"))("nn.LayerNorm (LayerNorm2d), nn.GroupNorm, nn.Linear per pixel: outputs and parameters", () => {
    const g = normsGraph();
    const weights = randomWeights(g, 21);
    const per = g.inputShape.reduce((a, b) => a * b, 1);
    const input = randomInput(per * 2, 23);
    const dir = tempDir();
    const file = join(dir, "case.json");
    const plain = Object.fromEntries([...weights].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([key, t]) => [key, Array.from(t as Float32Array)]))]));
    writeFileSync(file, JSON.stringify({ weights: plain, input: Array.from(input) }));
    const out = JSON.parse(execFileSync("/usr/bin/python3", ["-c", SCRIPT, file], { encoding: "utf8" })) as { params: number; output: number[] };
    expect(out.params).toBe(g.params);
    let want: number[] = [];
    for (let b = 0; b < 2; b++) want = want.concat(Array.from(runReference(g, weights, input.subarray(b * per, (b + 1) * per)).data));
    expect(out.output.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(Math.abs(out.output[i]! - want[i]!)).toBeLessThan(1e-9);
  }, 60_000);
});
