// The wasm gradient kernels netc registers, against the pure-JS cpu backend's.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../src/runtime/index.js";
import { depthwise } from "./reference.js";
import { onBackend, randn, relDiff, rng, size, wasmTf } from "./helpers.js";

let tf: Tf;
beforeAll(async () => {
  tf = await wasmTf();
});

type Pad = "same" | "valid" | number | number[][];
interface Case {
  n: number;
  h: number;
  w: number;
  cin: number;
  k: [number, number];
  s: number;
  pad: Pad;
  out: number; // conv: out channels; depthwise: multiplier
}

const kernels: Array<[number, number]> = [[1, 1], [3, 3], [5, 5], [1, 7], [7, 1]];
const pads: Pad[] = ["same", "valid", 1, [[0, 0], [2, 0], [1, 3], [0, 0]]];
function cases(): Case[] {
  const out: Case[] = [];
  let i = 0;
  for (const k of kernels)
    for (const s of [1, 2, 3])
      for (const pad of pads) {
        i++;
        // tfjs-core computes the output size of a numeric pad from the kernel height
        // alone (conv_util computeOutputShape2D), so numbers are only valid for square
        // kernels; on wasm a wrong size even corrupts memory. netc never emits them.
        if (typeof pad === "number" && k[0] !== k[1]) continue;
        const n = i % 2 ? 1 : 3;
        out.push({ n, h: 9 + (i % 4), w: 11 + (i % 3), cin: 1 + (i % 4), k, s, pad, out: 1 + (i % 3) });
      }
  return out;
}

function label(c: Case): string {
  return `n${c.n} ${c.h}x${c.w}x${c.cin} k${c.k.join("x")} s${c.s} pad ${JSON.stringify(c.pad)} out${c.out}`;
}

async function gradsOn(backend: string, c: Case, depthwise: boolean, seed: number): Promise<Float32Array[]> {
  const r = rng(seed);
  const xShape = [c.n, c.h, c.w, c.cin];
  const fShape = [c.k[0], c.k[1], c.cin, c.out];
  const xs = randn(size(xShape), r);
  const fs = randn(size(fShape), r);
  return onBackend(tf, backend, () => {
    const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
    const f = tf.tensor4d(fs, fShape as [number, number, number, number]);
    const op = (a: typeof x, b: typeof f) =>
      depthwise ? tf.depthwiseConv2d(a, b, c.s, c.pad as "same") : tf.conv2d(a, b, c.s, c.pad as "same");
    const y = op(x, f);
    // A random weighting makes dy non-uniform.
    const weight = tf.tensor(randn(y.size, rng(seed + 1)), y.shape);
    const [dx, df] = tf.grads((a, b) => tf.sum(tf.mul(op(a as typeof x, b as typeof f), weight)))([x, f]);
    return [y, dx!, df!];
  });
}

describe("Conv2DBackpropFilter on wasm", () => {
  it.each(cases().map((c) => [label(c), c] as const))("%s", async (_l, c) => {
    const [wy, wdx, wdf] = await gradsOn("wasm", c, false, 7);
    const [cy, cdx, cdf] = await gradsOn("cpu", c, false, 7);
    expect(relDiff(wy!, cy!)).toBeLessThan(1e-4);
    expect(relDiff(wdx!, cdx!)).toBeLessThan(1e-4);
    expect(relDiff(wdf!, cdf!)).toBeLessThan(1e-4);
  });
});

describe("DepthwiseConv2dNative gradients on wasm", () => {
  it.each(cases().map((c) => [label(c), c] as const))("%s", async (_l, c) => {
    const [wy, wdx, wdf] = await gradsOn("wasm", c, true, 11);
    const [cy, cdx, cdf] = await gradsOn("cpu", c, true, 11);
    expect(relDiff(wy!, cy!)).toBeLessThan(1e-4);
    expect(relDiff(wdx!, cdx!)).toBeLessThan(1e-4);
    expect(relDiff(wdf!, cdf!)).toBeLessThan(1e-4);
  });

  // tf.grad refuses dilated depthwise convs, and the cpu backprop kernels ignore the
  // dilations attribute, so the kernels are called directly and checked against loops.
  it.each([
    [1, 2, "same"],
    [1, 2, "valid"],
    [1, 3, [[0, 0], [1, 2], [2, 1], [0, 0]]],
    [2, 1, "same"],
    [3, 1, "valid"],
  ] as const)("kernels with stride %i dilation %i pad %j vs loops", async (s, d, pad) => {
    const r = rng(5);
    const [n, h, w, c, m, kh, kw] = [3, 13, 12, 3, 2, 3, 5];
    const xs = randn(n * h * w * c, r);
    const fs = randn(kh * kw * c * m, r);
    await tf.setBackend("wasm");
    const attrs = { strides: [s, s], dilations: [d, d], pad, dimRoundingMode: undefined };
    const info = tf.backend_util.computeConv2DInfo([n, h, w, c], [kh, kw, c, m], [s, s], [d, d], pad as "same", undefined, true);
    const ref = depthwise({ shape: [n, h, w, c], data: Float64Array.from(xs) }, { shape: [kh, kw, c, m], data: fs }, [s, s], [d, d], {
      top: info.padInfo.top,
      left: info.padInfo.left,
      outH: info.outHeight,
      outW: info.outWidth,
    });
    const [y, df, dx, dys] = tf.tidy(() => {
      const x = tf.tensor4d(xs, [n, h, w, c]);
      const f = tf.tensor4d(fs, [kh, kw, c, m]);
      const y = tf.engine().runKernel("DepthwiseConv2dNative", { x, filter: f }, attrs as never) as typeof x;
      const dy = tf.tensor(randn(y.size, rng(9)), y.shape);
      const df = tf.engine().runKernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, {
        ...attrs,
        filterShape: [kh, kw, c, m],
      } as never) as typeof x;
      const dx = tf.engine().runKernel("DepthwiseConv2dNativeBackpropInput", { dy, filter: f }, {
        ...attrs,
        inputShape: [n, h, w, c],
      } as never) as typeof x;
      return [y.dataSync(), df.dataSync(), dx.dataSync(), dy.dataSync()];
    });
    expect(relDiff(y!, ref.y.data)).toBeLessThan(1e-4);
    expect(relDiff(df!, ref.backFilter(dys!))).toBeLessThan(1e-4);
    expect(relDiff(dx!, ref.backInput(dys!))).toBeLessThan(1e-4);
  });
});

describe("training on wasm", () => {
  it("does not leak tensors or backend buffers across steps", async () => {
    await tf.setBackend("wasm");
    const r = rng(3);
    const x = tf.tensor4d(randn(4 * 12 * 12 * 3, r), [4, 12, 12, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], "int32"), 3);
    const w1 = tf.variable(tf.tensor4d(randn(3 * 3 * 3 * 4, r), [3, 3, 3, 4]).mul(0.1));
    const w2 = tf.variable(tf.tensor4d(randn(3 * 3 * 4 * 2, r), [3, 3, 4, 2]).mul(0.1));
    const w3 = tf.variable(tf.randomNormal([6 * 6 * 8, 3], 0, 0.1, "float32", 1));
    const opt = tf.train.sgd(0.01);
    const step = () =>
      opt.minimize(() => {
        const a = tf.relu(tf.conv2d(x, w1, 2, [[0, 0], [1, 0], [1, 0], [0, 0]]));
        const b = tf.relu(tf.depthwiseConv2d(a, w2, 1, "same"));
        return tf.losses.softmaxCrossEntropy(y, tf.matMul(b.reshape([4, -1]), w3));
      }, true)!.dispose();
    step();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  });
});
