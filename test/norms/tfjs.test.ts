// The tfjs lowering of layernorm, groupnorm and pixelwise dense on the wasm backend:
// the model built from the plan against the float64 reference, forward and backward
// (gradients for the input and for every weight, against central differences of the
// reference in float64), the checkpoint layout, and `netc verify`.
import type * as tfjs from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import * as runtime from "../../src/runtime/index.js";
import { buildFromPlan } from "../../src/emit/tfjs/build.js";
import { planModel } from "../../src/emit/tfjs/plan.js";
import type { IrGraph } from "../../src/ir/graph.js";
import type { NodeWeights, WeightSet } from "../../src/ir/weights.js";
import { fromTfjsWeights, toTfjsWeights, type NamedTensor } from "../../src/runtime/checkpoint-layout.js";
import { getModelWeights, setModelWeights } from "../../src/runtime/checkpoint.js";
import { runReference } from "../reference/run-graph.js";
import { randomInput, randomWeights } from "../onnx/harness.js";
import { verifyJson } from "../tfjs/verify-helper.js";
import { normsGraph, normsSpecFile } from "./spec.js";

let tf: runtime.Tf;
beforeAll(async () => {
  tf = await runtime.loadTf({ backend: "wasm", quiet: true });
});

const BATCH = 2;

/** NCHW (the IR's layout) -> NHWC for a [N, C, H, W] batch; vectors unchanged. */
function toNhwc(data: Float32Array, shape: number[]): Float32Array {
  if (shape.length !== 3) return data;
  const [c, h, w] = shape as [number, number, number];
  const out = new Float32Array(data.length);
  const per = c * h * w;
  for (let n = 0; n < data.length / per; n++)
    for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[n * per + (y * w + x) * c + k] = data[n * per + (k * h + y) * w + x]!;
  return out;
}

/** sum over the batch of <reference(x_b), probe_b>, in float64. */
function referenceLoss(g: IrGraph, weights: WeightSet, input: ArrayLike<number>, probe: Float64Array): number {
  const per = g.inputShape.reduce((a, b) => a * b, 1);
  let s = 0;
  for (let b = 0; b < BATCH; b++) {
    const y = runReference(g, weights, Array.from(input).slice(b * per, (b + 1) * per));
    for (let i = 0; i < y.data.length; i++) s += y.data[i]! * probe[b * y.data.length + i]!;
  }
  return s;
}

/** Central difference of the reference loss in float64, at the indices `at` (default all; others left 0). */
function numericGrad(f: (x: Float64Array) => number, x: Float64Array, at?: number[], h = 1e-5): Float64Array {
  const g = new Float64Array(x.length);
  for (const i of at ?? x.keys()) {
    const v = x[i]!;
    x[i] = v + h;
    const up = f(x);
    x[i] = v - h;
    const down = f(x);
    x[i] = v;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let d = 0;
  let m = 1e-3;
  for (let i = 0; i < want.length; i++) {
    d = Math.max(d, Math.abs(got[i]! - want[i]!));
    m = Math.max(m, Math.abs(want[i]!));
  }
  return got.length === want.length ? d / m : Infinity;
}

describe("tfjs (wasm): layernorm, groupnorm, pixelwise dense", () => {
  it("plans tf.layers.layerNormalization, netc.groupNorm and tf.layers.dense on NHWC", () => {
    const fns = planModel(normsGraph()).layers.map((l) => `${l.from}.${l.fn}`);
    expect(fns).toEqual([
      "tf.conv2d", "tf.layerNormalization", "netc.groupNorm", "tf.dense", "tf.dense", "netc.groupNorm",
      "tf.layerNormalization", "tf.flatten", "tf.layerNormalization", "tf.dense",
    ]);
  });

  it("forward and backward equal the float64 reference", async () => {
    await tf.setBackend("wasm");
    expect(tf.getBackend()).toBe("wasm");
    const g = normsGraph();
    const weights = randomWeights(g, 5);
    const { inference: model } = buildFromPlan(tf, planModel(g), runtime);
    setModelWeights(tf, model, g, weights);
    const per = g.inputShape.reduce((a, b) => a * b, 1);
    const input = randomInput(per * BATCH, 11);
    const outPer = g.nodes[g.output]!.shape.reduce((a, b) => a * b, 1);
    const probe = Float64Array.from(randomInput(outPer * BATCH, 13));

    const x = tf.tensor4d(toNhwc(input, g.inputShape), [BATCH, g.inputShape[1]!, g.inputShape[2]!, g.inputShape[0]!]);
    const probeT = tf.tensor2d(Float32Array.from(probe), [BATCH, outPer]);
    const loss = (v: tfjs.Tensor) => tf.sum(tf.mul(model.apply(v) as tfjs.Tensor, probeT)) as tfjs.Scalar;
    const forward = (model.apply(x) as tfjs.Tensor).dataSync();
    const dx = tf.grad(loss)(x);
    const dxData = Float32Array.from(dx.dataSync());
    const vars = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    const { grads } = tf.variableGrads(() => loss(x), vars);
    const named = new Map<string, NamedTensor>();
    for (const w of model.trainableWeights) {
      const t = grads[(w.read() as tfjs.Variable).name]!;
      named.set(w.originalName, { shape: [...t.shape], data: Float32Array.from(t.dataSync()) });
    }
    tf.dispose([x, probeT, dx, ...Object.values(grads)]);

    // Forward.
    let refOut: number[] = [];
    for (let b = 0; b < BATCH; b++) refOut = refOut.concat(Array.from(runReference(g, weights, input.subarray(b * per, (b + 1) * per)).data));
    expect(relErr(forward, refOut)).toBeLessThan(1e-5);

    // Input gradient (tfjs's is NHWC).
    const x64 = Float64Array.from(input);
    const wantDx = numericGrad((v) => referenceLoss(g, weights, v, probe), x64);
    expect(relErr(dxData, toNhwc(Float32Array.from(wantDx), g.inputShape))).toBeLessThan(1e-3);

    // Weight gradients, brought to the canonical layout by the checkpoint converter (linear, so gradients map alike).
    const canonical = fromTfjsWeights(g, named);
    for (const node of g.nodes) {
      const w = weights.get(node.name);
      if (!w) continue;
      for (const key of Object.keys(w) as (keyof NodeWeights)[]) {
        const values = Float64Array.from(w[key]!);
        const f = (v: Float64Array) => {
          const trial: WeightSet = new Map(weights);
          trial.set(node.name, { ...w, [key]: v });
          return referenceLoss(g, trial, input, probe);
        };
        // Every entry of the small tensors, an even spread of the larger ones: the test stays fast.
        const step = Math.max(1, Math.floor(values.length / 24));
        const at = Array.from({ length: Math.ceil(values.length / step) }, (_, i) => i * step);
        const want = numericGrad(f, values, at);
        const got = canonical.get(node.name)![key]!;
        expect(relErr(at.map((i) => got[i]!), at.map((i) => want[i]!)), `${node.name}.${key}`).toBeLessThan(1e-3);
      }
    }
  }, 60_000);

  it("the checkpoint layout round-trips gamma and beta (permuted for a flattened vector)", async () => {
    const g = normsGraph();
    const weights = randomWeights(g, 9);
    const named = toTfjsWeights(g, weights);
    expect(named.get("groupnorm1/gamma")!.shape).toEqual([8]);
    expect(named.get("dense1/kernel")!.shape).toEqual([8, 12]);
    const back = fromTfjsWeights(g, named);
    for (const [k, v] of weights) for (const key of Object.keys(v) as (keyof NodeWeights)[]) expect(back.get(k)![key], `${k}.${key}`).toEqual(v[key]);
    const { inference: model } = buildFromPlan(tf, planModel(g), runtime);
    setModelWeights(tf, model, g, weights);
    const read = getModelWeights(model, g);
    expect(read.get("layernorm3")!.gamma).toEqual(weights.get("layernorm3")!.gamma);
    model.dispose();
  });

  it("new layers start as PyTorch's: gamma ones, beta zeros", () => {
    const g = normsGraph();
    const { inference: model } = buildFromPlan(tf, planModel(g), runtime);
    const w = getModelWeights(model, g);
    for (const name of ["layernorm1", "groupnorm1", "layernorm3"]) {
      expect([...w.get(name)!.gamma!].every((v) => v === 1), name).toBe(true);
      expect([...w.get(name)!.beta!].every((v) => v === 0), name).toBe(true);
    }
    model.dispose();
  });

  it("netc verify passes on the spec", async () => {
    const { code, result } = await verifyJson({ spec: normsSpecFile(), seed: 2, batch: 2 });
    expect(code).toBe(0);
    expect(result.ok).toBe(true);
    expect(result.outputShape).toEqual([2, 5]);
    expect(result.maxAbsDiff).toBeLessThan(1e-4);
  }, 60_000);
});
