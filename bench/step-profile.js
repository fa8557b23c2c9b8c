// Where a training step's time goes, per tfjs kernel: builds a spec's model, runs Adam
// steps on random data and prints ms/step, the epoch time it implies (54,000 images,
// Fashion-MNIST's training split) and the kernels by total time in one profiled step.
// Needs `npm run build`. Other work on the machine skews the figures: check `uptime`.
//
//   node bench/step-profile.js [--spec FILE] [--batch N] [--steps N] [--backend wasm|cpu]

import { parseArgs } from "node:util";
import { checkFile } from "../dist/check/index.js";
import { buildFromPlan, planModel } from "../dist/emit/tfjs/index.js";
import * as runtime from "../dist/runtime/index.js";

const { values } = parseArgs({
  options: {
    spec: { type: "string", default: "specs/inception-fashion.net" },
    batch: { type: "string" },
    steps: { type: "string", default: "10" },
    backend: { type: "string", default: "wasm" },
  },
});
const tf = await runtime.loadTf({ backend: values.backend, quiet: true });
const graph = checkFile(values.spec).graph;
const batch = Number(values.batch ?? graph.train.batchSize);
const { training } = buildFromPlan(tf, planModel(graph), runtime);
const variables = training.trainableWeights.map((w) => w.read());
const optimizer = tf.train.adam(1e-3);
const [h, w, c] = training.inputs[0].shape.slice(1);
const classes = training.outputs[0].shape[1];
const x = tf.randomNormal([batch, h, w, c]);
const y = tf.oneHot(tf.randomUniform([batch], 0, classes, "int32"), classes);
const step = () => {
  const loss = optimizer.minimize(() => tf.mean(tf.metrics.categoricalCrossentropy(y, training.apply(x, { training: true }))), true, variables);
  loss.dataSync();
  loss.dispose();
};

for (let i = 0; i < 3; i++) step(); // warm-up: XNNPACK operators, JIT
const steps = Number(values.steps);
const start = performance.now();
for (let i = 0; i < steps; i++) step();
const ms = (performance.now() - start) / steps;
console.log(`${values.spec}, ${tf.getBackend()}, batch ${batch}: ${ms.toFixed(1)} ms/step, ${((batch * 1000) / ms).toFixed(0)} images/s, ~${((54000 / batch) * ms / 1000).toFixed(0)} s per 54,000 images`);

const profile = await tf.profile(step);
const byKernel = new Map();
for (const k of profile.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  e.calls++;
  byKernel.set(k.name, e);
}
// Op wrappers (names ending in __op) contain their kernel's time: they are listed, not summed.
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20)) {
  console.log(`${name.padEnd(28)} ${e.ms.toFixed(1).padStart(7)} ms  x${e.calls}`);
}
