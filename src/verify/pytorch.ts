// `netc verify --against pytorch`: the generated model.py (the PyTorch target),
// run by a user's Python and PyTorch, against netc's ONNX model on onnxruntime,
// same weights (written as torch.save's state_dict by netc's own writer and
// loaded strictly), same seeded batch. Nothing from the spec reaches Python but
// model.py, whose names pass through the PyTorch emitter's escaping; the driver
// below is a constant and gets every path as an argument.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IrGraph } from "../ir/graph.js";
import { initWeights, rng, type WeightSet } from "../ir/weights.js";
import { pytorchModel } from "../emit/pytorch/model-code.js";
import { stateDictTensors, type OutTensor } from "../weights/tensors.js";
import { torchStateDictBytes } from "../weights/write-torch.js";
import { compare, onnxReference, type VerifyOptions, type VerifyResult } from "./index.js";

export interface PytorchVerifyOptions extends VerifyOptions {
  /** The Python that has PyTorch (default /usr/bin/python3). */
  python?: string;
  /** Tests only: changes the state_dict tensors PyTorch gets (not the ONNX side's), to show a difference is caught. */
  alterState?: (tensors: OutTensor[]) => void;
}

export const DEFAULT_PYTHON = "/usr/bin/python3";

/** Runs in the user's Python: argv = model.py, state_dict, input.f32, output.f32, input shape (comma-separated). */
export const DRIVER = `import array
import importlib.util
import json
import sys

import torch

model_py, state_pt, input_f32, output_f32, shape = sys.argv[1:6]
spec = importlib.util.spec_from_file_location("netc_model", model_py)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
model = mod.Model()
model.load_state_dict(torch.load(state_pt, map_location="cpu"), strict=True)
model.eval()
a = array.array("f")
with open(input_f32, "rb") as f:
    a.frombytes(f.read())
x = torch.tensor(a.tolist(), dtype=torch.float32).reshape([int(s) for s in shape.split(",")])
with torch.no_grad():
    y = model(x)
with open(output_f32, "wb") as f:
    f.write(array.array("f", y.to(torch.float32).flatten().tolist()).tobytes())
print(json.dumps({"shape": list(y.shape), "torch": torch.__version__}))
`;

/** Why this Python cannot run the check, as one line naming what to install; undefined when it can. */
export function missingTorch(python: string): string | undefined {
  const r = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
  if (r.error) {
    return `cannot run ${python} (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): --against pytorch needs Python 3 with PyTorch (Debian: apt-get install python3-torch; elsewhere: pip install torch), or --python PATH naming one`;
  }
  if (r.status !== 0) {
    return `PyTorch is missing for ${python} (Debian: apt-get install python3-torch; elsewhere: ${python} -m pip install torch), or name another Python with --python PATH`;
  }
  return undefined;
}

export async function verifyPytorch(graph: IrGraph, opts: PytorchVerifyOptions): Promise<VerifyResult> {
  const python = opts.python ?? DEFAULT_PYTHON;
  const missing = missingTorch(python);
  if (missing) throw new Error(missing);

  const model = pytorchModel(graph, { specPath: graph.name, netcVersion: "verify" });
  if (model.diagnostics.length > 0) throw new Error(model.diagnostics[0]!.message);

  let weights: WeightSet;
  if (opts.weights) {
    const { loadWeights } = await import("../weights/read-weights.js");
    weights = (await loadWeights(opts.weights, graph, { mapFile: opts.weightsMap })).weights;
  } else {
    weights = initWeights(graph, opts.seed);
  }
  // model.py registers the auxiliary heads and loads strictly: a checkpoint
  // without them gets seeded ones (never run, so they change no output).
  const init = initWeights(graph, opts.seed);
  const full: WeightSet = new Map(init);
  for (const [name, w] of weights) full.set(name, w);
  const tensors = stateDictTensors(graph, full, { aux: true });
  opts.alterState?.(tensors);

  const inShape = [opts.batch, ...graph.inputShape];
  const count = inShape.reduce((a, b) => a * b, 1);
  const next = rng(opts.seed + 0x9e3779b9);
  const data = Float32Array.from({ length: count }, () => next());

  const dir = mkdtempSync(join(tmpdir(), "netc-verify-"));
  let torchValues: Float32Array;
  let torchShape: number[];
  let version: string;
  try {
    const files = {
      driver: join(dir, "driver.py"),
      model: join(dir, "model.py"),
      state: join(dir, "state.pt"),
      input: join(dir, "input.f32"),
      output: join(dir, "output.f32"),
    };
    writeFileSync(files.driver, DRIVER);
    writeFileSync(files.model, model.code);
    writeFileSync(files.state, torchStateDictBytes(tensors));
    writeFileSync(files.input, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    const r = spawnSync(
      python,
      [files.driver, files.model, files.state, files.input, files.output, inShape.join(",")],
      {
        encoding: "utf8",
        maxBuffer: 16 << 20,
      },
    );
    if (r.error || r.status !== 0) {
      // The exception Python names last, with the lines that follow it (load_state_dict lists the keys there).
      const lines = (r.stderr ?? "").trim().split("\n");
      let from = lines.length - 1;
      for (let i = lines.length - 1; i >= 0; i--)
        if (/^[A-Za-z_][\w.]*(Error|Exception)\b/.test(lines[i]!)) {
          from = i;
          break;
        }
      let what = lines
        .slice(Math.max(0, from))
        .map((l) => l.trim())
        .join(" ");
      if (what.length > 600) what = `${what.slice(0, 600)}...`;
      throw new Error(`PyTorch failed to run the generated model: ${what || (r.error?.message ?? `exit ${r.status}`)}`);
    }
    const info = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { shape: number[]; torch: string };
    torchShape = info.shape;
    version = info.torch;
    const b = readFileSync(files.output);
    torchValues = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const onnx = await onnxReference(graph, weights, data, inShape, opts.seed);
  if (onnx.shape.join() !== torchShape.join()) {
    throw new Error(`output shapes differ: pytorch [${torchShape}], onnx [${onnx.shape}]`);
  }
  const c = compare(torchValues, onnx.values, onnx.nudged);
  return {
    ...c,
    outputShape: onnx.shape,
    backend: `torch ${version}`,
    batch: opts.batch,
    seed: opts.seed,
    weights: opts.weights ? "checkpoint" : "random",
  };
}
