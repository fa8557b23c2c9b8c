// The whole pretrained path for torchvision's GoogLeNet, whose weights expect
// transform_input: a PNG made here -> `netc infer`'s transforms -> netc's ONNX
// of specs/googlenet-torchvision.net (preprocessing in the graph) against
// torchvision's googlenet(transform_input=True) fed Resize(256), CenterCrop(224),
// ToTensor and Normalize on PIL. Weights: seeded He initialisation made in
// PyTorch, taken over tensor by tensor in state_dict order (src/ir/state-dict.ts).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { decodeImage, evalPixels } from "../../src/infer/image.js";
import { stateDictOrder } from "../../src/ir/state-dict.js";
import type { NodeWeights, WeightSet } from "../../src/ir/weights.js";
import { topK } from "../../src/infer/topk.js";
import { needTorchvision, runs } from "../requirements.js";
import { writePhoto } from "../fixtures/photo.js";
import { runOrt, tempDir } from "./harness.js";

const root = join(import.meta.dirname, "..", "..");
const torch = runs(needTorchvision(), "GoogLeNet's pretrained preprocessing against torchvision");

const script = `
import sys, json, torch, torchvision
from PIL import Image
from torchvision import transforms as T
torch.manual_seed(0)
net = torchvision.models.googlenet(weights=None, aux_logits=True, transform_input=True, init_weights=True).eval()
# torchvision's own init (std 0.01) makes the logits nearly independent of the
# image; He init and random BatchNorm statistics make the input count.
for m in net.modules():
    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
        torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if m.bias is not None: torch.nn.init.uniform_(m.bias, -0.1, 0.1)
    elif isinstance(m, torch.nn.BatchNorm2d):
        torch.nn.init.uniform_(m.weight, 0.5, 1.5); torch.nn.init.uniform_(m.bias, -0.1, 0.1)
        m.running_mean.uniform_(-0.1, 0.1); m.running_var.uniform_(0.5, 1.5)
sd = [(k, v) for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")]
with open(sys.argv[1] + "/weights.bin", "wb") as f:
    for _, v in sd: f.write(v.detach().numpy().astype("<f4").tobytes())
t = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
x = t(Image.open(sys.argv[1] + "/photo.png").convert("RGB")).unsqueeze(0)
with torch.no_grad():
    y = net(x)
y.numpy().astype("<f4").tofile(sys.argv[1] + "/logits.bin")
print(json.dumps([[k, list(v.shape)] for k, v in sd]))
`;

describe.runIf(torch)("pretrained GoogLeNet: image -> netc ONNX with transform_input = torchvision", () => {
  it("gives torchvision's logits to 1e-4 and its top-5", async () => {
    const dir = tempDir();
    writePhoto(join(dir, "photo.png"), 300, 260, 9);
    const names = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, dir], { encoding: "utf8", maxBuffer: 1 << 24 })) as [string, number[]][];

    const graph = checkFile(join(root, "specs/googlenet-torchvision.net")).graph!;
    const order = stateDictOrder(graph);
    expect(order.map((t) => t.shape)).toEqual(names.map(([, s]) => s));
    const buf = readFileSync(join(dir, "weights.bin"));
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const weights: WeightSet = new Map();
    let at = 0;
    for (const t of order) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      const w: NodeWeights = weights.get(t.node) ?? {};
      w[t.tensor] = all.slice(at, at + n);
      weights.set(t.node, w);
      at += n;
    }
    expect(at).toBe(all.length);

    const pixels = evalPixels(decodeImage(join(dir, "photo.png")), 3, 224, 224, 256);
    const got = (await runOrt(emitOnnx(graph, { weights }).model, graph.inputName, [1, 3, 224, 224], pixels)).data;
    const ref = readFileSync(join(dir, "logits.bin"));
    const want = new Float32Array(ref.buffer.slice(ref.byteOffset, ref.byteOffset + ref.byteLength));
    let num = 0;
    let den = 0;
    for (let i = 0; i < want.length; i++) {
      num += (got[i]! - want[i]!) ** 2;
      den += want[i]! ** 2;
    }
    expect(Math.sqrt(num / den)).toBeLessThan(1e-4);
    expect(topK(got).map((t) => t.index)).toEqual(topK(want).map((t) => t.index));

    // Without the preprocessing in the graph, the same raw pixels give another answer: it matters.
    const raw = (await runOrt(emitOnnx(graph, { weights, preprocess: false }).model, graph.inputName, [1, 3, 224, 224], pixels)).data;
    let off = 0;
    for (let i = 0; i < want.length; i++) off += (raw[i]! - want[i]!) ** 2;
    expect(Math.sqrt(off / den)).toBeGreaterThan(0.01);
  }, 240_000);
});
