// torchvision's seeded networks saved by Debian's PyTorch three ways (torch.save
// of the state_dict, safetensors, torch.onnx.export), read by netc in
// TypeScript, emitted into netc's ONNX and run on onnxruntime: the outputs are
// torchvision's eval outputs on the same input to a relative 1e-4. The
// checkpoints are made at test time by scripts/torchvision-checkpoints.py
// (BatchNorm statistics, biases and layer scales randomised so a swapped mean
// and variance, or a tensor left out, shows; the reference computed in float64).
// Every zoo spec with a torchvision counterpart is here, through netc's reader
// of torch.save's files, at a reduced input size where the network allows it.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import type { IrGraph } from "../../src/ir/graph.js";
import { loadWeights } from "../../src/weights/read-weights.js";
import { needTorchvision, runs } from "../requirements.js";

const torch = runs(needTorchvision(), "reading torchvision checkpoints");

interface Case {
  torchvision: string;
  spec: string;
  /** Input side; null where the spec has no `size` parameter and fixes it (224; Inception v3 299). */
  size: number | null;
  formats: string;
  /** Input side given with `--input` where the spec has no `size` parameter but takes other sizes (adaptive pooling). */
  input?: number;
}

const cases: Case[] = [
  { torchvision: "resnet18", spec: "specs/zoo/resnet18.net", size: 64, formats: "pso" },
  { torchvision: "mobilenet_v2", spec: "specs/zoo/mobilenet-v2.net", size: 64, formats: "pso" },
  // 61M parameters: one format is enough to show the dense rows keep torchvision's C,H,W order.
  { torchvision: "alexnet", spec: "specs/zoo/alexnet.net", size: null, formats: "p" },
  // Auxiliary heads in the file: torchvision registers GoogLeNet's after inception5b, the spec writes them after 4a and 4d.
  { torchvision: "googlenet", spec: "specs/googlenet-torchvision.net", size: null, formats: "ps" },
  { torchvision: "inception_v3", spec: "specs/zoo/inception-v3.net", size: null, formats: "p" },
  // The rest of the zoo, one format (the reader is the same for all networks).
  { torchvision: "resnet50", spec: "specs/zoo/resnet50.net", size: 64, formats: "p" },
  { torchvision: "resnext50_32x4d", spec: "specs/zoo/resnext50-32x4d.net", size: 64, formats: "p" },
  { torchvision: "wide_resnet50_2", spec: "specs/zoo/wide-resnet50-2.net", size: 64, formats: "p" },
  // 138M parameters; adaptive 7x7 pooling takes a 64x64 input.
  { torchvision: "vgg16", spec: "specs/zoo/vgg16.net", size: null, input: 64, formats: "p" },
  { torchvision: "densenet121", spec: "specs/zoo/densenet121.net", size: 64, formats: "p" },
  { torchvision: "squeezenet1_1", spec: "specs/zoo/squeezenet1-1.net", size: 64, formats: "p" },
  { torchvision: "mnasnet1_0", spec: "specs/zoo/mnasnet1-0.net", size: 64, formats: "p" },
  { torchvision: "mobilenet_v3_large", spec: "specs/zoo/mobilenet-v3-large.net", size: 64, formats: "p" },
  { torchvision: "mobilenet_v3_small", spec: "specs/zoo/mobilenet-v3-small.net", size: 64, formats: "p" },
  // EfficientNets at 32x32 (V2-S's random-weight logits grow fast with the size).
  { torchvision: "efficientnet_b0", spec: "specs/zoo/efficientnet-b0.net", size: 32, formats: "p" },
  { torchvision: "efficientnet_b1", spec: "specs/zoo/efficientnet-b1.net", size: 32, formats: "p" },
  { torchvision: "efficientnet_v2_s", spec: "specs/zoo/efficientnet-v2-s.net", size: 32, formats: "p" },
  { torchvision: "shufflenet_v2_x0_5", spec: "specs/zoo/shufflenet-v2-x0-5.net", size: 64, formats: "p" },
  { torchvision: "shufflenet_v2_x1_0", spec: "specs/zoo/shufflenet-v2-x1-0.net", size: 64, formats: "p" },
  { torchvision: "convnext_tiny", spec: "specs/zoo/convnext-tiny.net", size: 64, formats: "p" },
  { torchvision: "convnext_small", spec: "specs/zoo/convnext-small.net", size: 64, formats: "p" },
  { torchvision: "regnet_x_400mf", spec: "specs/zoo/regnet-x-400mf.net", size: 64, formats: "p" },
  { torchvision: "regnet_y_400mf", spec: "specs/zoo/regnet-y-400mf.net", size: 64, formats: "p" },
];
const EXT: Record<string, string> = { p: "pt", s: "safetensors", o: "onnx" };

function graphOf(c: Case): IrGraph {
  let text = readFileSync(c.spec, "utf8");
  if (c.size !== null) text = text.replace(/size = 224/, `size = ${c.size}`);
  const r = checkText(text, c.spec, diskHost, c.input ? { input: [3, c.input, c.input] } : undefined);
  expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return r.graph!;
}

async function run(
  graph: IrGraph,
  weights: Awaited<ReturnType<typeof loadWeights>>["weights"],
  input: Float32Array,
): Promise<Float32Array> {
  const { model } = emitOnnx(graph, { weights, preprocess: false });
  const session = await ort.InferenceSession.create(model);
  const out = await session.run({
    [session.inputNames[0]!]: new ort.Tensor("float32", input, [1, ...graph.inputShape]),
  });
  const y = out[session.outputNames[0]!]!.data as Float32Array;
  await session.release();
  return y;
}

const floats = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe.runIf(torch)("torchvision checkpoints into netc's ONNX", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "netc-tv-weights-"));
    execFileSync(
      "/usr/bin/python3",
      [
        "scripts/torchvision-checkpoints.py",
        dir,
        ...cases.map(
          (c) => `${c.torchvision}:${c.size ?? c.input ?? (c.torchvision === "inception_v3" ? 299 : 224)}:${c.formats}`,
        ),
      ],
      { stdio: "pipe" },
    );
  }, 900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const c of cases) {
    for (const f of c.formats) {
      test(`${c.torchvision} from ${EXT[f]}`, async () => {
        const graph = graphOf(c);
        const loaded = await loadWeights(join(dir, `${c.torchvision}.${EXT[f]}`), graph);
        expect(loaded.format).toBe({ p: "pytorch", s: "safetensors", o: "onnx" }[f]);
        const want = floats(join(dir, `${c.torchvision}.out.bin`));
        const got = await run(graph, loaded.weights, floats(join(dir, `${c.torchvision}.in.bin`)));
        expect(got.length).toBe(want.length);
        let diff = 0;
        let scale = 0;
        for (let i = 0; i < want.length; i++) {
          diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
          scale = Math.max(scale, Math.abs(want[i]!));
        }
        expect(diff / scale).toBeLessThan(1e-4);
      }, 120_000);
    }
  }
});
