// Channel slice (chunk, slice), channel shuffle and grouped convolution: the
// checker's shapes and diagnostics, onnxruntime forward, and the tfjs model's
// forward and backward (wasm) against the float64 reference; checkpoint layout
// and `netc verify` on a ShuffleNet v2 unit and a grouped convolution.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import type { IrGraph } from "../../src/ir/graph.js";
import type { WeightSet } from "../../src/ir/weights.js";
import { buildFromPlan, planModel } from "../../src/emit/tfjs/index.js";
import * as runtime from "../../src/runtime/index.js";
import type { Tf } from "../../src/runtime/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { compareWithReference, pythonCheck, randomInput, randomWeights, runOrt } from "../onnx/harness.js";
import { needTorchvision, runs } from "../requirements.js";
import { runReference } from "../reference/run-graph.js";
import { randn, rng } from "../runtime/helpers.js";
import { writeIdxFixture } from "./fixtures.js";
import { verifyJson } from "./verify-helper.js";

/** torchvision's ShuffleNet v2 unit (InvertedResidual), both strides. */
const SHUFFLE = `
block ShuffleUnit(cout, stride) <- cin {
  if stride == 1 {
    concat {
      chunk 2 take=0
      seq { chunk 2 take=1; conv 1x1 cout / 2 bn relu; dwconv 3x3 pad=1 bn; conv 1x1 cout / 2 bn relu }
    }
  } else {
    concat {
      seq { dwconv 3x3/stride pad=1 bn; conv 1x1 cout / 2 bn relu }
      seq { conv 1x1 cout / 2 bn relu; dwconv 3x3/stride pad=1 bn; conv 1x1 cout / 2 bn relu }
    }
  }
  shuffle 2
}
`;

const SPECS = {
  shufflenet: `${SHUFFLE}
network Shuffle {
  input 3x12x12
  conv 3x3/2 24 pad=1 bn relu
  s1 = ShuffleUnit(48, 2)
  s2 = ShuffleUnit(48, 1)
  flatten
  dense 10
}`,
  // ResNeXt-style: 32 groups of width 2, strided; then a slice feeding flatten and dense.
  grouped: `
network Grouped {
  input 8x9x9
  conv 1x1 64 bn relu
  conv 3x3/2 64 pad=1 groups=32 bn relu
  conv 3x3 12 groups=4 pad=(0, 1, 2, 1) dilation=2 relu
  slice 3 10
  flatten
  dense 5
}`,
  // Affine in the input and in every weight (no normalisation or activation), so
  // the reference's gradients are exact differences.
  linear: `
network Linear {
  input 6x5x5
  g = conv 3x3 8 pad=1 groups=2
  u = concat {
    chunk 3 take=2
    seq { slice 1 5; conv 1x1 8 groups=2 }
  }
  shuffle 2
  g2 = conv 3x3/2 6 groups=2 pad=1
  flatten
  dense 4
}`,
};

function graphOf(text: string): IrGraph {
  const r = checkText(text, "/virtual/channels.net");
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return r.graph!;
}

function errorsOf(body: string): string[] {
  return checkText(`network N {\n  input 6x4x4\n  ${body}\n}`, "/virtual/bad.net").diagnostics.map((d) => `${d.code} ${d.message}`);
}

describe("checker", () => {
  it("chunk follows torch.chunk, uneven sizes included; slice and shuffle keep H, W; no parameters or MACs", () => {
    const g = graphOf(`network N {\n input image 7x4x4\n a = chunk 3 take=2\n b = slice 2 7 from image\n c = shuffle 5 from b\n}`);
    const [a, b, c] = ["a", "b", "c"].map((n) => g.nodes.find((x) => x.name === n)!);
    expect(a!.attrs).toEqual({ op: "slice", start: 6, end: 7 }); // chunks of ceil(7/3) = 3: [0,3) [3,6) [6,7)
    expect(b!.shape).toEqual([5, 4, 4]);
    expect(c!.shape).toEqual([5, 4, 4]);
    expect(g.params + g.macs).toBe(0);
  });

  it("reports out-of-range chunks, empty or out-of-range slices and indivisible shuffles", () => {
    // torch.chunk(5 channels, 4) gives 3 pieces of 2 channels.
    expect(checkText(`network N {\n  input 5x4x4\n  chunk 4 take=3\n}`, "/v/a.net").diagnostics.map((d) => d.message)).toEqual([
      "chunk: take=3 is out of range: torch.chunk splits 5 channels into 3 pieces of up to 2 (take 0 to 2)",
    ]);
    expect(errorsOf("slice 4 4")).toEqual(["NET3035 slice1: slice 4:4 expects 0 <= start < end <= 6 (the input's channels), but the slice is empty."]);
    expect(errorsOf("slice 2 9")).toEqual(["NET3035 slice1: slice 2:9 expects 0 <= start < end <= 6 (the input's channels), but it ends past channel 6."]);
    expect(errorsOf("shuffle 4")).toEqual(["NET3036 shuffle1: shuffle into 4 groups expects the input channels to be a multiple of 4, but there are 6."]);
    expect(errorsOf("flatten; shuffle 2")[0]).toMatch(/^NET3010 shuffle1 needs a CxHxW feature-map input but gets 96/);
  });
});

describe("onnxruntime equals the reference", () => {
  for (const [name, text] of Object.entries(SPECS)) {
    it(name, async () => {
      const graph = graphOf(text);
      const r = await compareWithReference(graph, { batch: 2 });
      expect(r.dims).toEqual(r.expectedDims);
      expect(r.maxDiff).toBeLessThan(1e-5);
      const path = join(mkdtempSync(join(tmpdir(), "netc-channels-onnx-")), `${name}.onnx`);
      writeFileSync(path, emitOnnx(graph).model);
      pythonCheck(path);
    });
  }
});

// torchvision's own InvertedResidual, loaded with the spec's weights in
// state_dict order: the unit written in .net is the same function.
const TORCH = `
import json, sys, torch
from torchvision.models.shufflenetv2 import InvertedResidual
job = json.load(open(sys.argv[1]))
net = torch.nn.Sequential(InvertedResidual(24, 48, 2), InvertedResidual(48, 48, 1)).eval()
state = net.state_dict()
keys = [k for k in state if not k.endswith("num_batches_tracked")]
assert len(keys) == len(job["weights"]), (len(keys), len(job["weights"]))
for k, w in zip(keys, job["weights"]):
    state[k] = torch.tensor(w, dtype=torch.float32).reshape(state[k].shape)
net.load_state_dict(state)
with torch.no_grad():
    y = net(torch.tensor(job["x"], dtype=torch.float32).reshape(job["shape"]))
print(json.dumps(y.flatten().tolist()))
`;

describe.runIf(runs(needTorchvision(), "the torchvision ShuffleNet v2 comparison"))("torchvision", () => {
  it("two ShuffleNet v2 units equal torchvision's InvertedResidual (stride 2, then 1) on onnxruntime", async () => {
    const graph = graphOf(`${SHUFFLE}\nnetwork Units {\n  input 24x8x8\n  a = ShuffleUnit(48, 2)\n  b = ShuffleUnit(48, 1)\n}`);
    const weights = randomWeights(graph, 6);
    const order = ["kernel", "bias", "gamma", "beta", "mean", "variance"] as const;
    const flat = graph.nodes.flatMap((n) => order.flatMap((k) => (weights.get(n.name)?.[k] ? [Array.from(weights.get(n.name)![k]!)] : [])));
    const x = randomInput(2 * 24 * 64, 8);
    const dir = mkdtempSync(join(tmpdir(), "netc-channels-torch-"));
    writeFileSync(join(dir, "job.json"), JSON.stringify({ x: Array.from(x), shape: [2, 24, 8, 8], weights: flat }));
    writeFileSync(join(dir, "units.py"), TORCH);
    const want = JSON.parse(execFileSync("/usr/bin/python3", [join(dir, "units.py"), join(dir, "job.json")], { encoding: "utf8" })) as number[];
    const got = await runOrt(emitOnnx(graph, { weights }).model, graph.inputName, [2, 24, 8, 8], x);
    expect(got.dims).toEqual([2, 48, 4, 4]);
    expect(want.length).toBe(got.data.length);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got.data[i]! - want[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i]!)));
  }, 60_000);
});

describe("tfjs (wasm) against the reference", () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = await runtime.loadTf({ backend: "wasm", quiet: true });
  });

  const chwToHwc = (d: ArrayLike<number>, [c, h, w]: number[]) => Float32Array.from({ length: c! * h! * w! }, (_, i) => d[(i % c!) * h! * w! + Math.floor(i / c!)]!);
  const hwcToChw = (d: ArrayLike<number>, [c, h, w]: number[]) => Float64Array.from({ length: c! * h! * w! }, (_, i) => d[(i % (h! * w!)) * c! + Math.floor(i / (h! * w!))]!);

  function built(graph: IrGraph, weights: WeightSet) {
    const { inference } = buildFromPlan(tf, planModel(graph), runtime);
    runtime.setModelWeights(tf, inference, graph, weights);
    return inference;
  }

  it("forward, every spec", () => {
    for (const text of Object.values(SPECS)) {
      const graph = graphOf(text);
      const weights = randomWeights(graph, 2);
      const model = built(graph, weights);
      const x = randomInput(graph.inputShape.reduce((p, q) => p * q, 1), 5);
      const y = tf.tidy(() => (model.predict(tf.tensor4d(chwToHwc(x, graph.inputShape), [1, ...[1, 2, 0].map((i) => graph.inputShape[i]!)] as [number, number, number, number])) as typeof tf.Tensor.prototype).dataSync());
      const ref = runReference(graph, weights, x).data;
      expect(y.length).toBe(ref.length);
      for (let i = 0; i < ref.length; i++) expect(Math.abs(y[i]! - ref[i]!), graph.name).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref[i]!)));
      model.dispose();
    }
  });

  it("backward: input and grouped-kernel gradients equal the reference's exact differences", () => {
    const graph = graphOf(SPECS.linear);
    const weights = randomWeights(graph, 3);
    const model = built(graph, weights);
    const shape = graph.inputShape;
    const n = shape.reduce((p, q) => p * q, 1);
    const x = randomInput(n, 9);
    const cot = randn(4, rng(11));
    const loss = (w: WeightSet, v: ArrayLike<number>) => runReference(graph, w, v).data.reduce((s, y, i) => s + y * cot[i]!, 0);

    const xt = tf.tensor4d(chwToHwc(x, shape), [1, shape[1]!, shape[2]!, shape[0]!]);
    const ct = tf.tensor2d(cot, [1, 4]);
    const f = () => tf.sum(tf.mul(model.apply(xt, { training: true }) as typeof xt, ct)) as ReturnType<typeof tf.scalar>;
    const dx = tf.grad((v: typeof xt) => tf.sum(tf.mul(model.apply(v, { training: true }) as typeof v, ct)))(xt);
    const kernels = ["g", "g2"].map((name) => model.getLayer(name).weights.find((v) => v.originalName.endsWith("/kernel"))!);
    const { grads } = tf.variableGrads(f, kernels.map((k) => k.read() as ReturnType<typeof tf.variable>));

    // Input gradient: the reference is affine in x.
    const zero = new Float64Array(n);
    const base = loss(weights, zero);
    const refDx = Float64Array.from({ length: n }, (_, i) => {
      const e = new Float64Array(n);
      e[i] = 1;
      return loss(weights, e) - base;
    });
    const gotDx = hwcToChw(dx.dataSync(), shape);
    for (let i = 0; i < n; i++) expect(Math.abs(gotDx[i]! - refDx[i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(refDx[i]!)));

    // Kernel gradients, compared in the canonical [O, C/groups, kh, kw] layout.
    const at = loss(weights, x);
    for (const k of kernels) {
      const name = k.originalName.replace(/\/kernel$/, "");
      const [kh, kw, i, o] = k.shape as number[];
      const g = grads[(k.read() as { name: string }).name]!.dataSync();
      const canon = weights.get(name)!.kernel!;
      for (let j = 0; j < canon.length; j++) {
        const bumped = new Map(weights);
        const kernel = Float32Array.from(canon);
        kernel[j]! += 1;
        bumped.set(name, { ...weights.get(name)!, kernel });
        const want = loss(bumped, x) - at;
        // canonical index j = ((oc * i + ic) * kh + y) * kw + xx; tfjs [kh, kw, i, o]
        const xx = j % kw!, y = Math.floor(j / kw!) % kh!, ic = Math.floor(j / (kw! * kh!)) % i!, oc = Math.floor(j / (kw! * kh! * i!));
        const got = g[((y * kw! + xx) * i! + ic) * o! + oc]!;
        expect(Math.abs(got - want), `${name}[${j}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(want)));
      }
    }
    tf.dispose([xt, ct, dx, ...Object.values(grads)]);
    model.dispose();
  });

  it("a grouped kernel is stored as [kh, kw, C/groups, O] and reads back to the canonical layout", () => {
    const graph = graphOf(SPECS.grouped);
    const weights = randomWeights(graph, 4);
    const model = built(graph, weights);
    const layer = model.layers.find((l) => l.getClassName() === runtime.CHANNEL_CLASS_NAMES.groupConv2d)!;
    expect(layer.weights.map((v) => [v.originalName, v.shape])).toEqual([[`${layer.name}/kernel`, [3, 3, 2, 64]]]);
    const back = runtime.getModelWeights(model, graph);
    for (const [name, w] of weights) for (const [k, v] of Object.entries(w)) expect(back.get(name)![k as "kernel"], `${name}.${k}`).toEqual(v);
    model.dispose();
  });

  it("plans GroupConv2D for other groupings, channelSlice and channelShuffle for the new ops", () => {
    const fns = (text: string) => planModel(graphOf(text)).layers.map((l) => `${l.from}.${l.fn}`);
    expect(fns(SPECS.linear)).toEqual([
      "netc.groupConv2d", "netc.channelSlice", "netc.channelSlice", "netc.groupConv2d", "tf.concatenate",
      "netc.channelShuffle", "netc.groupConv2d", "tf.flatten", "tf.dense",
    ]);
  });
});

describe("tfjs training (wasm)", () => {
  it("a ShuffleNet unit with a grouped convolution trains, saves and reloads", async () => {
    const tf = await runtime.loadTf({ backend: "wasm", quiet: true });
    const graph = graphOf(`${SHUFFLE}
network Small {
  input 1x12x12
  conv 3x3/2 16 pad=1 bn relu
  s = ShuffleUnit(32, 1)
  conv 3x3 32 groups=8 pad=1 bn relu
  avgpool global
  flatten
  dense 10
}`);
    const dir = mkdtempSync(join(tmpdir(), "netc-channels-train-"));
    writeIdxFixture(join(dir, "data"), { count: 32, size: 12, classes: 10 });
    const args = runtime.parseTrainArgsStrict(["--data", join(dir, "data"), "--epochs", "3", "--batch-size", "16", "--seed", "1", "--quiet"], {
      optimizer: "adam", learningRate: 0.01, momentum: 0.9, decay: 1, decayEvery: 1, batchSize: 16, epochs: 3, weightDecay: 0, validationSplit: 0,
    });
    const data = await runtime.loadDataset(args.data, { inputShape: [12, 12, 1], validationSplit: 0, limit: undefined, seed: 1 });
    const { training, inference } = buildFromPlan(tf, planModel(graph), runtime);
    const r = await runtime.train(tf, { training, inference, data, args, lossWeights: [1] });
    const losses = r.epochs.map((e) => e.loss);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[2]!).toBeLessThan(losses[0]!);
    // The saved topology names netc's classes; loading needs them registered (loadTf does it).
    await runtime.saveCheckpoint(inference, join(dir, "ckpt"));
    const loaded = await runtime.loadCheckpointModel(tf, join(dir, "ckpt"));
    const x = tf.tensor4d(randn(2 * 144, rng(3)), [2, 12, 12, 1]);
    const [a, b] = [inference, loaded].map((m) => (m.predict(x) as typeof x).dataSync());
    expect(Array.from(b!)).toEqual(Array.from(a!));
    tf.dispose(x);
    training.dispose();
    loaded.dispose();
  }, 60_000);
});

describe("netc verify", () => {
  for (const name of ["shufflenet", "grouped"] as const) {
    it(name, async () => {
      const dir = mkdtempSync(join(tmpdir(), "netc-channels-"));
      const spec = join(dir, `${name}.net`);
      writeFileSync(spec, SPECS[name]);
      const { code, result } = await verifyJson({ spec, seed: 1, batch: 2 });
      expect(code).toBe(0);
      expect(result.ok).toBe(true);
    }, 60_000);
  }
});
