// netc's custom layers against plain-loop float64 references (PyTorch semantics), on
// the wasm and the cpu backends, plus their gradients and a save -> load round trip.
import { beforeAll, describe, expect, it } from "vitest";
import * as netc from "../../src/runtime/index.js";
import type { Tf } from "../../src/runtime/index.js";
import { maxAbsDiff, randn, relDiff, rng, size, wasmTf } from "./helpers.js";
import * as ref from "./reference.js";

let tf: Tf;
beforeAll(async () => {
  tf = await wasmTf();
});

const backends = ["wasm", "cpu"] as const;

function input(shape: [number, number, number, number], seed: number): ref.Nhwc {
  return { shape, data: Float64Array.from(randn(size(shape), rng(seed))) };
}

async function applyOn(backend: string, layer: netc.NetcLayer, x: ref.Nhwc): Promise<{ shape: number[]; data: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const y = layer.apply(tf.tensor4d(Float32Array.from(x.data), x.shape)) as ReturnType<typeof tf.tensor4d>;
    return { shape: y.shape, data: Float32Array.from(y.dataSync()) };
  });
}

/** Gradient of sum(layer(x) * weight) w.r.t. x. */
async function gradOn(backend: string, layer: netc.NetcLayer, x: ref.Nhwc): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xt = tf.tensor4d(Float32Array.from(x.data), x.shape);
    const probe = layer.apply(xt) as ReturnType<typeof tf.tensor4d>;
    const weight = tf.tensor(randn(probe.size, rng(99)), probe.shape);
    const g = tf.grad((v) => tf.sum(tf.mul(layer.apply(v) as typeof v, weight)))(xt);
    return Float32Array.from(g.dataSync());
  });
}

type PoolCase = [string, netc.Pool2DConfig, [number, number, number, number]];
const poolCases: PoolCase[] = [
  ["GoogLeNet 3x3/2 ceil", { kind: "max", kernel: [3, 3], stride: [2, 2], ceil: true }, [2, 14, 14, 3]],
  ["3x3/2 ceil odd", { kind: "max", kernel: [3, 3], stride: [2, 2], ceil: true }, [1, 13, 11, 2]],
  ["3x3/1 pad 1", { kind: "max", kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1] }, [2, 7, 9, 3]],
  ["3x3/2 asym pads ceil", { kind: "max", kernel: [3, 3], stride: [2, 2], pads: [0, 1, 1, 0], ceil: true }, [1, 10, 9, 2]],
  ["2x2/2 floor", { kind: "max", kernel: [2, 2], stride: [2, 2] }, [3, 7, 8, 2]],
  ["2x3/3x2 ceil pad", { kind: "max", kernel: [2, 3], stride: [3, 2], pads: [1, 1, 0, 1], ceil: true }, [1, 11, 12, 2]],
  ["avg 3x3/1 pad 1 incl", { kind: "avg", kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1] }, [2, 7, 9, 3]],
  ["avg 3x3/1 pad 1 excl", { kind: "avg", kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1], countIncludePad: false }, [2, 7, 9, 3]],
  ["avg 3x3/2 ceil pad 1 incl", { kind: "avg", kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], ceil: true }, [1, 10, 12, 2]],
  ["avg 3x3/2 ceil pad 1 excl", { kind: "avg", kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], ceil: true, countIncludePad: false }, [1, 10, 12, 2]],
  ["avg 3x3/2 ceil no pad", { kind: "avg", kernel: [3, 3], stride: [2, 2], ceil: true }, [2, 14, 13, 2]],
  ["avg 5x5/3 (aux head)", { kind: "avg", kernel: [5, 5], stride: [3, 3] }, [2, 14, 14, 3]],
  ["avg asym pads ceil incl", { kind: "avg", kernel: [3, 2], stride: [2, 2], pads: [0, 1, 2, 0], ceil: true }, [1, 9, 8, 2]],
  ["avg asym pads ceil excl", { kind: "avg", kernel: [3, 2], stride: [2, 2], pads: [0, 1, 2, 0], ceil: true, countIncludePad: false }, [1, 9, 8, 2]],
];

describe("Pool2D", () => {
  it.each(poolCases)("%s", async (_name, config, shape) => {
    const x = input(shape, 1);
    const want = ref.pool(x, config.kind, config.kernel, config.stride, config.pads ?? [0, 0, 0, 0], config.ceil ?? false, config.countIncludePad ?? true);
    const layer = netc.pool2d(config);
    const outShape = layer.computeOutputShape([null, shape[1], shape[2], shape[3]]);
    expect(outShape).toEqual([null, ...want.shape.slice(1)]);
    for (const b of backends) {
      const got = await applyOn(b, layer, x);
      expect(got.shape).toEqual(want.shape);
      expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    }
    expect(relDiff(await gradOn("wasm", layer, x), await gradOn("cpu", layer, x))).toBeLessThan(1e-5);
  });

  it("max pooling pads with -Infinity, never zeros", async () => {
    const x: ref.Nhwc = { shape: [1, 4, 4, 1], data: new Float64Array(16).fill(-5) };
    const got = await applyOn("wasm", netc.pool2d({ kind: "max", kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1], ceil: true }), x);
    expect([...got.data]).toEqual(new Array(9).fill(-5));
  });
});

describe("LRN", () => {
  it.each([
    [5, 1e-4, 0.75, 1],
    [5, 0.5, 0.75, 2],
    [3, 0.8, 0.5, 1],
    [1, 0.3, 0.75, 1],
    [4, 0.5, 0.75, 1],
    [2, 0.9, 0.6, 1.5],
    [6, 0.7, 0.75, 1],
  ])("size %i alpha %f beta %f bias %f", async (size, alpha, beta, bias) => {
    const x = input([2, 3, 4, 7], 2);
    const want = ref.lrn(x, size, alpha, beta, bias);
    const layer = netc.lrn({ size, alpha, beta, bias });
    for (const b of backends) {
      const got = await applyOn(b, layer, x);
      expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    }
    expect(relDiff(await gradOn("wasm", layer, x), await gradOn("cpu", layer, x))).toBeLessThan(1e-5);
  });
});

describe("AdaptiveAvgPool2D", () => {
  it.each([
    [[7, 5], [3, 2]],
    [[7, 5], [1, 1]],
    [[6, 6], [2, 3]],
    [[10, 7], [4, 3]],
    [[5, 5], [5, 5]],
    [[3, 4], [6, 5]],
  ] as const)("%j -> %j", async (hw, out) => {
    const x = input([2, hw[0], hw[1], 3], 3);
    const want = ref.adaptiveAvgPool(x, [out[0], out[1]]);
    const layer = netc.adaptiveAvgPool2d({ out: [out[0], out[1]] });
    expect(layer.computeOutputShape([null, hw[0], hw[1], 3])).toEqual([null, out[0], out[1], 3]);
    for (const b of backends) {
      const got = await applyOn(b, layer, x);
      expect(got.shape).toEqual(want.shape);
      expect(maxAbsDiff(got.data, want.data)).toBeLessThan(1e-5);
    }
    expect(relDiff(await gradOn("wasm", layer, x), await gradOn("cpu", layer, x))).toBeLessThan(1e-5);
  });
});

describe("asymmetric conv padding", () => {
  // 7x7/2 with 3 pixels on each side (GoogLeNet conv1) on 224: tf's 'same' pads 2 before
  // and 3 after, so it differs; zeroPadding2d(3) + 'valid' is the symmetric reference.
  it("7x7/2 pad 3 on 224 is zeroPadding2d + valid, not 'same'", async () => {
    await tf.setBackend("wasm");
    const x = input([1, 224, 224, 1], 5);
    const kernel = randn(7 * 7 * 2, rng(6));
    const want = ref.depthwise(x, { shape: [7, 7, 1, 2], data: kernel }, [2, 2], [1, 1], { top: 3, left: 3, outH: 112, outW: 112 }).y;
    const conv = (padding: "same" | "valid") =>
      tf.layers.conv2d({ filters: 2, kernelSize: 7, strides: 2, padding, useBias: false, weights: [tf.tensor4d(kernel, [7, 7, 1, 2])] });
    const run = (layers: Array<{ apply(t: unknown): unknown }>) =>
      tf.tidy(() => {
        let t: unknown = tf.tensor4d(Float32Array.from(x.data), x.shape);
        for (const l of layers) t = l.apply(t);
        return Float32Array.from((t as { dataSync(): Float32Array }).dataSync());
      });
    const padded = run([tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]] }), conv("valid")]);
    const same = run([conv("same")]);
    expect(maxAbsDiff(padded, want.data)).toBeLessThan(1e-4);
    expect(same.length).toBe(padded.length);
    expect(maxAbsDiff(same, want.data)).toBeGreaterThan(1e-2);
  });
});

describe("serialization", () => {
  it("a model with every custom layer saves and loads again", async () => {
    await tf.setBackend("wasm");
    const inp = tf.input({ shape: [12, 11, 4] });
    let t = netc.pool2d({ name: "pool1", kind: "max", kernel: [3, 3], stride: [2, 2], pads: [0, 1, 1, 0], ceil: true }).apply(inp);
    t = netc.lrn({ name: "norm1", size: 4, alpha: 1e-3, beta: 0.75, bias: 2 }).apply(t);
    t = netc.pool2d({ name: "pool2", kind: "avg", kernel: [2, 2], stride: [1, 1], pads: [1, 1, 1, 1], countIncludePad: false }).apply(t);
    t = netc.adaptiveAvgPool2d({ name: "adapt", out: [3, 2] }).apply(t);
    const gate = tf.layers.globalAveragePooling2d({ name: "gate_pool" }).apply(t);
    const gate4 = tf.layers.reshape({ targetShape: [1, 1, 4], name: "gate_shape" }).apply(gate);
    t = netc.broadcast({ name: "gate", op: "mul" }).apply([gate4, t] as never);
    t = netc.channelScale({ name: "layer_scale", init: 0.25 }).apply(t);
    t = netc.dropPath({ name: "drop_path", rate: 0.1 }).apply(t);
    t = netc.torchActivation({ name: "elu", fn: "elu", alpha: 0.5 }).apply(t);
    t = netc.torchActivation({ name: "hardswish", fn: "hardswish" }).apply(t);
    t = tf.layers.flatten({ name: "flat" }).apply(t);
    const out = tf.layers.dense({ units: 3, name: "fc" }).apply(t) as ReturnType<typeof tf.input>;
    const model = tf.model({ inputs: inp, outputs: out });
    let saved: Parameters<Parameters<typeof tf.io.withSaveHandler>[0]>[0] | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
      }),
    );
    const topology = JSON.stringify(saved!.modelTopology);
    for (const name of Object.values(netc.CLASS_NAMES)) expect(topology).toContain(name);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.tensor4d(randn(2 * 12 * 11 * 4, rng(8)), [2, 12, 11, 4]);
    const a = (model.predict(x) as ReturnType<typeof tf.tensor2d>).dataSync();
    const b = (loaded.predict(x) as ReturnType<typeof tf.tensor2d>).dataSync();
    expect(maxAbsDiff(a, b)).toBe(0);
    const pool = loaded.getLayer("pool1").getConfig();
    expect(pool).toMatchObject({ kind: "max", kernel: [3, 3], stride: [2, 2], pads: [0, 1, 1, 0], ceil: true, countIncludePad: true });
    expect(loaded.getLayer("norm1").getConfig()).toMatchObject({ size: 4, alpha: 1e-3, beta: 0.75, bias: 2 });
    expect(loaded.getLayer("gate").getConfig()).toMatchObject({ op: "mul" });
    expect(loaded.getLayer("layer_scale").getConfig()).toMatchObject({ init: 0.25 });
    expect(loaded.getLayer("drop_path").getConfig()).toMatchObject({ rate: 0.1 });
    expect(loaded.getLayer("elu").getConfig()).toMatchObject({ fn: "elu", alpha: 0.5 });
  });
});
