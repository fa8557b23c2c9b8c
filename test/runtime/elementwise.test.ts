// tfjs (wasm) forward and backward of mul, broadcasting add, layer scale and drop
// path against the float64 reference: outputs, and gradients against central
// differences of the reference; drop path's training mode by its statistics; and
// `netc verify` on a squeeze-and-excitation spec.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { checkText } from "../../src/check/index.js";
import { buildFromPlan } from "../../src/emit/tfjs/build.js";
import { planModel } from "../../src/emit/tfjs/plan.js";
import type { IrGraph } from "../../src/ir/graph.js";
import type { NodeWeights, WeightSet } from "../../src/ir/weights.js";
import { fromTfjsWeights, setModelWeights, type NamedTensor } from "../../src/runtime/checkpoint.js";
import * as netc from "../../src/runtime/index.js";
import type { Tf } from "../../src/runtime/index.js";
import { randomWeights } from "../onnx/harness.js";
import { runReference } from "../reference/run-graph.js";
import { verifyJson } from "../tfjs/verify-helper.js";
import { maxAbsDiff, randn, rng, wasmTf } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = await wasmTf();
});

function graph(body: string, input: string): IrGraph {
  const r = checkText(`network N {\n  input ${input}\n${body}\n}\n`, "/virtual/n.net");
  if (!r.graph) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
  return r.graph;
}

// Smooth activations only: central differences would straddle a relu kink.
const SMALL = graph(
  [
    "  conv 3x3 4 pad=1 tanh",
    "  mul { seq { gap; conv 1x1 2 tanh; conv 1x1 4 sigmoid }; identity }",
    "  mul tanh { conv 1x1 1 sigmoid; identity }",
    "  add { seq { conv 1x1 4; scale 0.7; droppath 0.2 }; gap; identity }",
    "  mul { identity; identity }",
    "  flatten",
    // A scale on flattened features: tfjs holds them in H, W, C order, so its weights are permuted.
    "  scale 0.9",
    "  dense 5",
    "  scale 1.5",
  ].join("\n"),
  "3x4x4",
);
const BATCH = 2;

const per = (g: IrGraph) => g.inputShape.reduce((a, b) => a * b, 1);

/** The reference's loss: sum over the batch of output · r. */
function referenceLoss(g: IrGraph, w: WeightSet, x: Float64Array, r: Float64Array): number {
  const n = per(g);
  let loss = 0;
  for (let b = 0; b < BATCH; b++) {
    const y = runReference(g, w, x.subarray(b * n, (b + 1) * n));
    for (let i = 0; i < y.data.length; i++) loss += y.data[i]! * r[b * y.data.length + i]!;
  }
  return loss;
}

describe("tfjs on wasm equals the reference", () => {
  it("plans netc's broadcasting layer only where shapes differ", () => {
    const fns = planModel(SMALL).layers.map((l) => `${l.from}.${l.fn}`);
    expect(fns.filter((f) => /broadcast|multiply|\.add$|channelScale|dropPath/.test(f))).toEqual([
      "netc.broadcast", "netc.broadcast", "netc.channelScale", "netc.dropPath", "netc.broadcast", "tf.multiply", "netc.channelScale", "netc.channelScale",
    ]);
  });

  it("forward and gradients of the input and every weight", async () => {
    const g = SMALL;
    const weights = randomWeights(g, 5);
    const model = buildFromPlan(tf, planModel(g), netc).training;
    setModelWeights(tf, model, g, weights);
    const next = rng(11);
    const x = Float64Array.from(randn(BATCH * per(g), next));
    const out = g.nodes[g.output]!.shape[0]!;
    const r = Float64Array.from(randn(BATCH * out, next));

    const [c, h, w] = g.inputShape as [number, number, number];
    const vars = model.trainableWeights.map((v) => (v as unknown as { val: ReturnType<Tf["variable"]> }).val);
    const { y, dx, dw } = tf.tidy(() => {
      const input = tf.variable(tf.transpose(tf.tensor4d(Float32Array.from(x), [BATCH, c, h, w]), [0, 2, 3, 1]));
      const rt = tf.tensor2d(Float32Array.from(r), [BATCH, out]);
      let yv: Float32Array = new Float32Array();
      const { grads } = tf.variableGrads(() => {
        const yt = model.apply(input, { training: false }) as ReturnType<Tf["tensor2d"]>;
        yv = yt.dataSync().slice() as Float32Array;
        return tf.sum(tf.mul(yt, rt)) as ReturnType<Tf["scalar"]>;
      }, [input, ...vars]);
      const dxt = tf.transpose(grads[input.name]!, [0, 3, 1, 2]).dataSync().slice() as Float32Array;
      const named = new Map<string, NamedTensor>();
      model.trainableWeights.forEach((v, i) => named.set(v.originalName, { shape: [...v.shape] as number[], data: grads[vars[i]!.name]!.dataSync().slice() as Float32Array }));
      input.dispose();
      return { y: yv, dx: dxt, dw: fromTfjsWeights(g, named) };
    });

    // Forward.
    const n = per(g);
    const ref: number[] = [];
    for (let b = 0; b < BATCH; b++) ref.push(...runReference(g, weights, x.subarray(b * n, (b + 1) * n)).data);
    expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);

    // Backward: central differences of the float64 reference, weights held as float64.
    const w64: WeightSet = new Map([...weights].map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([t, a]) => [t, Float64Array.from(a!)])) as unknown as NodeWeights]));
    const eps = 1e-5;
    const numeric = (arr: Float64Array, i: number) => {
      const keep = arr[i]!;
      arr[i] = keep + eps;
      const up = referenceLoss(g, w64, x, r);
      arr[i] = keep - eps;
      const down = referenceLoss(g, w64, x, r);
      arr[i] = keep;
      return (up - down) / (2 * eps);
    };
    const dxRef = Array.from(x, (_, i) => numeric(x, i));
    expect(maxAbsDiff(dx, dxRef)).toBeLessThan(1e-4);
    let checked = 0;
    for (const [name, ws] of w64) {
      for (const [key, arr] of Object.entries(ws) as [keyof NodeWeights, Float64Array][]) {
        const got = dw.get(name)![key]!;
        const want = Array.from(arr, (_, i) => numeric(arr, i));
        expect(maxAbsDiff(got, want), `${name} ${key}`).toBeLessThan(1e-4);
        checked++;
      }
    }
    // Kernels and biases of five convolutions (3x3, two SE, gate, residual) and the dense layer; three scales.
    expect(checked).toBe(15);
    model.dispose();
  }, 60_000);
});

describe("drop path in training", () => {
  const rows = 400;
  const rowShape = [2, 2, 3];
  const draw = (rate: number, training: boolean, seed: number) => {
    const layer = netc.dropPath({ rate, name: `dp${seed}` });
    const saved = Math.random;
    Math.random = rng(seed);
    try {
      return tf.tidy(() => {
        // Values away from zero, so a kept row is never mistaken for a dropped one.
        const x = tf.add(tf.abs(tf.tensor4d(randn(rows * 12, rng(seed + 1)), [rows, ...rowShape] as [number, number, number, number])), 0.5);
        let yv = new Float32Array();
        const dx = tf.grad((v) => {
          const y = layer.apply(v, { training }) as ReturnType<Tf["tensor4d"]>;
          yv = y.dataSync().slice() as Float32Array;
          return tf.sum(y);
        })(x);
        return { x: x.dataSync().slice() as Float32Array, y: yv, dx: dx.dataSync().slice() as Float32Array };
      });
    } finally {
      Math.random = saved;
    }
  };

  it("zeroes whole rows with probability p and scales the others by 1/(1-p); the gradient is the same mask", () => {
    const p = 0.25;
    const { x, y, dx } = draw(p, true, 42);
    let dropped = 0;
    for (let b = 0; b < rows; b++) {
      const ys = y.subarray(b * 12, (b + 1) * 12);
      const gs = dx.subarray(b * 12, (b + 1) * 12);
      const xs = x.subarray(b * 12, (b + 1) * 12);
      if (ys[0] === 0) {
        dropped++;
        expect([...ys, ...gs].every((v) => v === 0)).toBe(true);
      } else {
        for (let i = 0; i < 12; i++) {
          expect(Math.abs(ys[i]! - xs[i]! / (1 - p))).toBeLessThan(1e-6 * ys[i]!);
          expect(Math.abs(gs[i]! - 1 / (1 - p))).toBeLessThan(1e-6);
        }
      }
    }
    // Binomial(400, 0.25): mean 100, sd 8.7; five sd either side.
    expect(dropped).toBeGreaterThan(100 - 44);
    expect(dropped).toBeLessThan(100 + 44);
  });

  it("is the identity at inference and at p = 0", () => {
    for (const [p, training] of [[0.3, false], [0, true]] as const) {
      const { x, y, dx } = draw(p, training, 7);
      expect(maxAbsDiff(y, x)).toBe(0);
      expect(dx.every((v) => v === 1)).toBe(true);
    }
  });
});

describe("training", () => {
  const spec = graph(
    [
      "  conv 3x3 6 pad=1 bn relu",
      "  add { seq { conv 3x3 6 pad=1 relu; mul { seq { gap; conv 1x1 2 relu; conv 1x1 6 sigmoid }; identity }; scale 0.1; droppath 0.3 }; identity }",
      "  gap",
      "  flatten",
      "  dense 3",
    ].join("\n"),
    "1x8x8",
  );
  // Three classes, told apart by which third of the image is bright.
  const count = 48;
  const data = (() => {
    const next = rng(99);
    const x = new Float32Array(count * 64);
    const y = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      y[i] = i % 3;
      for (let p = 0; p < 64; p++) x[i * 64 + p] = 0.3 * next() + (Math.floor((p % 8) / 3) === y[i] ? 0.7 : 0);
    }
    const split = { x, y, count };
    return { shape: [8, 8, 1] as [number, number, number], classes: 3, classNames: ["a", "b", "c"], train: split, validation: split, test: undefined, format: "synthetic" };
  })();

  async function trainOnce() {
    const { training, inference } = buildFromPlan(tf, planModel(spec), netc);
    const args = netc.parseTrainArgsStrict(["--quiet", "--epochs", "3", "--batch-size", "8", "--seed", "4", "--lr", "0.05", "--optimizer", "adam"], { ...spec.train });
    const result = await netc.train(tf, { training, inference, data, args, lossWeights: [1] });
    const scale = inference.weights.find((w) => w.originalName.endsWith("/scale"))!.read().dataSync().slice();
    training.dispose();
    return { losses: result.epochs.map((e) => e.loss), scale };
  }

  it("trains on wasm through the residual SE branch with layer scale and drop path, reproducibly", async () => {
    await tf.setBackend("wasm");
    const a = await trainOnce();
    const b = await trainOnce();
    expect(a.losses.every(Number.isFinite)).toBe(true);
    expect(a.losses[2]!).toBeLessThan(a.losses[0]!);
    // The layer scale learns: gradients reach it through drop path and the broadcasting merges.
    expect(Math.max(...Array.from(a.scale, (v) => Math.abs(v - 0.1)))).toBeGreaterThan(1e-3);
    expect(b).toEqual(a);
  }, 60_000);
});

describe("netc verify", () => {
  it("passes on a squeeze-and-excitation network with layer scale and drop path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netc-mul-"));
    const spec = join(dir, "se.net");
    writeFileSync(
      spec,
      [
        "block SqueezeExcitation(squeeze) <- c {",
        "  mul { seq { gap; conv 1x1 squeeze relu; conv 1x1 c sigmoid }; identity }",
        "}",
        "network SE {",
        "  input 3x16x16",
        "  conv 3x3/2 16 pad=1 bn relu",
        "  add { seq { dwconv 3x3 pad=1 bn relu; SqueezeExcitation(4); conv 1x1 16 bn; scale 1e-6; droppath 0.2 }; identity }",
        "  gap",
        "  flatten",
        "  dense 10",
        "}",
        "",
      ].join("\n"),
    );
    const { code, result } = await verifyJson({ spec });
    expect(result.ok).toBe(true);
    expect(code).toBe(0);
    expect(result.outputShape).toEqual([2, 10]);
  }, 60_000);
});
