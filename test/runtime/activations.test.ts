// The tfjs lowering of each elementwise activation (what planModel picks: a tf.layers
// activation, leakyReLU, or netc's torchActivation) against PyTorch's formulas in
// float64: forward, and the gradient PyTorch's backward computes (its choice at the
// kinks included), on the wasm and the cpu backends.
import { beforeAll, describe, expect, it } from "vitest";
import * as netc from "../../src/runtime/index.js";
import type { Tf } from "../../src/runtime/index.js";
import { buildFromPlan } from "../../src/emit/tfjs/build.js";
import { planModel } from "../../src/emit/tfjs/plan.js";
import { IrBuilder } from "../onnx/ir-builder.js";
import { activationInputs, elementwise, elementwiseGrad, type Elementwise } from "../reference/ops.js";
import { randn, relDiff, rng, wasmTf } from "./helpers.js";
import { checkFile } from "../../src/check/index.js";

let tf: Tf;
beforeAll(async () => {
  tf = await wasmTf();
});

const cases: [string, Elementwise, number | undefined][] = [
  ["silu", "silu", undefined],
  ["gelu", "gelu", undefined],
  ["hardswish", "hardswish", undefined],
  ["hardsigmoid", "hardsigmoid", undefined],
  ["leakyrelu 0.01", "leakyrelu", 0.01],
  ["leakyrelu -0.5", "leakyrelu", -0.5],
  ["elu 1", "elu", 1],
  ["elu 0.5", "elu", 0.5],
];

// The chosen values, then random ones around the kinks.
const xs = Float32Array.from([...activationInputs, ...randn(200, rng(5)).map((v) => v * 3)]);

describe("tfjs activations equal PyTorch's", () => {
  it.each(cases)("%s", async (_label, fn, alpha) => {
    const g = new IrBuilder("act", [1, 1, xs.length]);
    const { inference: model } = buildFromPlan(tf, planModel(g.build(g.act("act", 0, fn, alpha))), netc);
    const dy = randn(xs.length, rng(11));
    for (const backend of ["wasm", "cpu"]) {
      await tf.setBackend(backend);
      const [y, dx] = tf.tidy(() => {
        const x = tf.tensor4d(xs, [1, 1, xs.length, 1]);
        const f = (v: typeof x) => model.apply(v) as typeof x;
        const grad = tf.grad((v) => tf.sum(tf.mul(f(v as typeof x), tf.tensor4d(dy, x.shape))))(x);
        return [f(x).dataSync(), grad.dataSync()];
      });
      xs.forEach((v, i) => {
        const want = elementwise(fn, v, alpha);
        const wantGrad = dy[i]! * elementwiseGrad(fn, v, alpha);
        expect(Math.abs(y![i]! - want), `${backend} f(${v})`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want)));
        expect(Math.abs(dx![i]! - wantGrad), `${backend} f'(${v})`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(wantGrad)));
      });
    }
  });

  it("uses tf.layers where it is exact, netc's layer where not", () => {
    const planned = cases.map(([, fn, alpha]) => {
      const g = new IrBuilder("act", [1, 1, 4]);
      const l = planModel(g.build(g.act("act", 0, fn, alpha))).layers[0]!;
      return `${l.from}.${l.fn}:${JSON.stringify({ ...l.config, name: undefined })}`;
    });
    expect(planned).toEqual([
      'tf.activation:{"activation":"swish"}',
      'tf.activation:{"activation":"gelu"}',
      'netc.torchActivation:{"fn":"hardswish"}',
      'netc.torchActivation:{"fn":"hardsigmoid"}',
      'tf.leakyReLU:{"alpha":0.01}',
      'tf.leakyReLU:{"alpha":-0.5}',
      'tf.activation:{"activation":"elu"}',
      'netc.torchActivation:{"fn":"elu","alpha":0.5}',
    ]);
  });
});

describe("training through every activation", () => {
  it("a step on the baseline spec has finite gradients, the same on wasm and cpu", async () => {
    const graph = checkFile(new URL("../baselines/cases/activations.net", import.meta.url).pathname).graph!;
    const gradsOn = async (backend: string) => {
      await tf.setBackend(backend);
      const { training: model } = buildFromPlan(tf, planModel(graph), netc);
      netc.seedWeights(tf, model, 3);
      const grads = tf.tidy(() => {
        const x = tf.tensor4d(randn(2 * 12 * 12 * 3, rng(21)), [2, 12, 12, 3]);
        const y = tf.oneHot(tf.tensor1d([1, 7], "int32"), 10);
        const weights = model.trainableWeights.map((w) => (w as unknown as { val: ReturnType<Tf["variable"]> }).val);
        const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as typeof y) as ReturnType<Tf["scalar"]>, weights);
        return weights.map((w) => grads[w.name]!.dataSync().slice());
      });
      model.dispose();
      return grads as Float32Array[];
    };
    const wasm = await gradsOn("wasm");
    const cpu = await gradsOn("cpu");
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < wasm.length; i++) {
      expect(wasm[i]!.every(Number.isFinite)).toBe(true);
      expect(relDiff(wasm[i]!, cpu[i]!)).toBeLessThan(1e-4);
    }
    expect(wasm.some((g) => g.some((v) => v !== 0))).toBe(true);
  }, 60_000);
});
