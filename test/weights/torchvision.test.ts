// torchvision's seeded networks saved by Debian's PyTorch three ways (torch.save
// of the state_dict, safetensors, torch.onnx.export), read by netc in
// TypeScript, emitted into netc's ONNX and run on onnxruntime: the outputs are
// torchvision's eval outputs on the same input to a relative 1e-4. The
// checkpoints are made at test time by scripts/torchvision-checkpoints.py
// (BatchNorm statistics randomised so a swapped mean and variance shows).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkText } from "../../src/check/index.js";
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
}

const cases: Case[] = [
  { torchvision: "resnet18", spec: "specs/zoo/resnet18.net", size: 64, formats: "pso" },
  { torchvision: "mobilenet_v2", spec: "specs/zoo/mobilenet-v2.net", size: 64, formats: "pso" },
  // 61M parameters: one format is enough to show the dense rows keep torchvision's C,H,W order.
  { torchvision: "alexnet", spec: "specs/zoo/alexnet.net", size: null, formats: "p" },
  // Auxiliary heads in the file: torchvision registers GoogLeNet's after inception5b, the spec writes them after 4a and 4d.
  { torchvision: "googlenet", spec: "specs/googlenet-torchvision.net", size: null, formats: "ps" },
  { torchvision: "inception_v3", spec: "specs/zoo/inception-v3.net", size: null, formats: "p" },
];
const EXT: Record<string, string> = { p: "pt", s: "safetensors", o: "onnx" };

function graphOf(c: Case): IrGraph {
  let text = readFileSync(c.spec, "utf8");
  if (c.size !== null) text = text.replace(/size = 224/, `size = ${c.size}`);
  const r = checkText(text, c.spec);
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
          (c) => `${c.torchvision}:${c.size ?? (c.torchvision === "inception_v3" ? 299 : 224)}:${c.formats}`,
        ),
      ],
      { stdio: "pipe" },
    );
  }, 300_000);
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
