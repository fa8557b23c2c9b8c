// Training throughput of a small Inception net on random 28x28x1 images: the WASM
// fallback (with netc's gradient kernels) against the pure-JS cpu backend.
// Run after `npm run build`:  node bench/train-backends.js
// Each backend gets its own model; cpu is measured on few images (it is slow).

import { loadTf, pool2d } from "../dist/runtime/index.js";

const BATCH = 32;

function inception(tf, x, name, [b1, b2r, b2, b3r, b3, b4]) {
  const conv = (t, filters, k, n) =>
    tf.layers.conv2d({ name: `${name}/${n}`, filters, kernelSize: k, padding: "same", activation: "relu" }).apply(t);
  const p = pool2d({ name: `${name}/pool`, kind: "max", kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1] }).apply(x);
  return tf.layers
    .concatenate({ name: `${name}/concat` })
    .apply([conv(x, b1, 1, "b1"), conv(conv(x, b2r, 1, "b2r"), b2, 3, "b2"), conv(conv(x, b3r, 1, "b3r"), b3, 5, "b3"), conv(p, b4, 1, "b4")]);
}

export function buildNet(tf) {
  const input = tf.input({ shape: [28, 28, 1] });
  let x = tf.layers.conv2d({ name: "conv1", filters: 32, kernelSize: 3, padding: "same", activation: "relu" }).apply(input);
  x = pool2d({ name: "pool1", kind: "max", kernel: [3, 3], stride: [2, 2], ceil: true }).apply(x); // 14x14
  x = inception(tf, x, "inc1", [16, 16, 24, 8, 8, 8]);
  x = inception(tf, x, "inc2", [24, 24, 32, 8, 16, 16]);
  x = pool2d({ name: "pool2", kind: "max", kernel: [3, 3], stride: [2, 2], ceil: true }).apply(x); // 7x7
  x = inception(tf, x, "inc3", [32, 32, 48, 8, 16, 16]);
  x = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x);
  const out = tf.layers.dense({ name: "fc", units: 10, activation: "softmax" }).apply(x);
  const model = tf.model({ inputs: input, outputs: out });
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: "categoricalCrossentropy" });
  return model;
}

async function measure(tf, backend, steps) {
  await tf.setBackend(backend);
  const model = buildNet(tf);
  const x = tf.randomUniform([BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, "int32"), 10);
  await model.trainOnBatch(x, y); // warm-up: kernel setup, XNNPACK operator creation
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const trainSeconds = (performance.now() - t0) / 1000;
  tf.tidy(() => model.predict(x).dataSync());
  t0 = performance.now();
  for (let i = 0; i < steps; i++) tf.tidy(() => model.predict(x).dataSync());
  const inferSeconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return {
    backend,
    images: steps * BATCH,
    trainImagesPerSecond: (steps * BATCH) / trainSeconds,
    inferImagesPerSecond: (steps * BATCH) / inferSeconds,
  };
}

/** Images per second for a training step (and a forward pass) on wasm and cpu, and their ratio. */
export async function benchTrainBackends({ wasmSteps = 8, cpuSteps = 1 } = {}) {
  const tf = await loadTf({ backend: "wasm", quiet: true });
  const wasm = await measure(tf, "wasm", wasmSteps);
  const cpu = await measure(tf, "cpu", cpuSteps);
  await tf.setBackend("wasm");
  return {
    model: "small Inception net, 28x28x1 input, batch " + BATCH,
    wasm,
    cpu,
    trainSpeedup: wasm.trainImagesPerSecond / cpu.trainImagesPerSecond,
    inferSpeedup: wasm.inferImagesPerSecond / cpu.inferImagesPerSecond,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchTrainBackends();
  const f = (v) => v.toFixed(1);
  console.log(r.model);
  console.log(`wasm: train ${f(r.wasm.trainImagesPerSecond)} img/s, forward ${f(r.wasm.inferImagesPerSecond)} img/s`);
  console.log(`cpu:  train ${f(r.cpu.trainImagesPerSecond)} img/s, forward ${f(r.cpu.inferImagesPerSecond)} img/s`);
  console.log(`wasm/cpu: train ${f(r.trainSpeedup)}x, forward ${f(r.inferSpeedup)}x`);
}
