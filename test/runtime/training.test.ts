// A GoogLeNet-style training step on wasm matches the cpu backend: every gradient kernel
// the net needs (conv, fused conv+relu, max/avg pool, LRN, concat, batch norm in training
// mode, dense, softmax cross-entropy) is registered and correct on wasm.
import { beforeAll, describe, expect, it } from "vitest";
import * as netc from "../../src/runtime/index.js";
import type { Tf } from "../../src/runtime/index.js";
import { randn, relDiff, rng, wasmTf } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = await wasmTf();
});

type SymbolicTensor = ReturnType<Tf["input"]>;

function buildNet(t: Tf) {
  const conv = (x: SymbolicTensor, filters: number, k: number, name: string, stride = 1) =>
    t.layers.conv2d({ name, filters, kernelSize: k, strides: stride, padding: k === 1 ? "valid" : "same", activation: "relu", kernelInitializer: t.initializers.glorotUniform({ seed: name.length }) }).apply(x) as SymbolicTensor;
  const inp = t.input({ shape: [15, 15, 2] });
  let x = t.layers.zeroPadding2d({ padding: [[1, 2], [2, 1]] }).apply(inp) as SymbolicTensor;
  x = t.layers.conv2d({ name: "stem", filters: 6, kernelSize: 3, strides: 2, padding: "valid", kernelInitializer: t.initializers.glorotUniform({ seed: 1 }) }).apply(x) as SymbolicTensor;
  x = t.layers.batchNormalization({ name: "bn", epsilon: 1e-3 }).apply(x) as SymbolicTensor;
  x = netc.pool2d({ name: "pool1", kind: "max", kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1], ceil: true }).apply(x) as SymbolicTensor;
  x = netc.lrn({ name: "lrn", size: 5, alpha: 1e-2, beta: 0.75, bias: 1 }).apply(x) as SymbolicTensor;
  const b1 = conv(x, 4, 1, "b1");
  const b2 = conv(conv(x, 3, 1, "b2a"), 5, 3, "b2b");
  const b3 = conv(netc.pool2d({ name: "b3p", kind: "max", kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1] }).apply(x) as SymbolicTensor, 2, 1, "b3");
  x = t.layers.concatenate({ name: "cat" }).apply([b1, b2, b3]) as SymbolicTensor;
  x = netc.pool2d({ name: "pool2", kind: "avg", kernel: [3, 3], stride: [2, 2], ceil: true }).apply(x) as SymbolicTensor;
  x = netc.adaptiveAvgPool2d({ name: "gap", out: [1, 1] }).apply(x) as SymbolicTensor;
  x = t.layers.flatten().apply(x) as SymbolicTensor;
  const out = t.layers.dense({ name: "fc", units: 4, kernelInitializer: t.initializers.glorotUniform({ seed: 9 }) }).apply(x) as SymbolicTensor;
  return t.model({ inputs: inp, outputs: out });
}

async function gradsOn(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = buildNet(tf);
  const r = rng(21);
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(randn(3 * 15 * 15 * 2, r), [3, 15, 15, 2]);
    const y = tf.oneHot(tf.tensor1d([0, 3, 1], "int32"), 4);
    const { grads } = tf.variableGrads(() => {
      const logits = model.apply(x, { training: true }) as ReturnType<Tf["tensor2d"]>;
      return tf.losses.softmaxCrossEntropy(y, logits) as ReturnType<Tf["scalar"]>;
    }, model.trainableWeights.map((w) => (w as unknown as { val: ReturnType<Tf["variable"]> }).val));
    return model.trainableWeights.map((w) => grads[(w as unknown as { val: { name: string } }).val.name]!.dataSync().slice());
  });
  model.dispose();
  return grads as Float32Array[];
}

describe("GoogLeNet-style training step", () => {
  it("has the same gradients on wasm and cpu", async () => {
    const wasm = await gradsOn("wasm");
    const cpu = await gradsOn("cpu");
    expect(wasm.length).toBe(cpu.length);
    for (let i = 0; i < wasm.length; i++) expect(relDiff(wasm[i]!, cpu[i]!)).toBeLessThan(1e-4);
  });

  it("max pool gradient reaches windows whose values are all negative", async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(randn(2 * 6 * 4 * 3, rng(4)), [2, 6, 4, 3]).abs().neg();
        return tf.grad((v) => tf.maxPool(v as ReturnType<Tf["tensor4d"]>, 2, 2, "valid").sum())(x).dataSync().slice();
      });
    };
    const wasm = await run("wasm");
    expect(wasm.reduce((a, b) => a + b, 0)).toBe(2 * 3 * 2 * 3);
    expect(relDiff(wasm, await run("cpu"))).toBe(0);
  });
});
