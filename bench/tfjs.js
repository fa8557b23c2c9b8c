// Generated model vs the same network written by hand in tf.layers: forward
// pass time, one process, alternating runs, medians. Ratio ~1.00 means the
// generated code adds nothing. Needs `npm run build`.
//
//   node bench/tfjs.js            (prints JSON)

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildHandModel } from "./hand-inception-fashion.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function benchTfjs({ batch = 32, rounds = 41 } = {}) {
  const { loadTf } = await import(pathToFileURL(join(root, "dist/runtime/index.js")).href);
  const { checkFile } = await import(pathToFileURL(join(root, "dist/check/index.js")).href);
  const { tfjsSources } = await import(pathToFileURL(join(root, "dist/emit/tfjs/index.js")).href);
  const tf = await loadTf({ quiet: true });

  // The generated JavaScript, written inside the repo so `netc/runtime` resolves.
  const dir = join(root, ".bench", "tfjs-generated");
  mkdirSync(dir, { recursive: true });
  const graph = checkFile(join(root, "specs/inception-fashion.net")).graph;
  const files = await tfjsSources(graph, { js: true, specPath: "specs/inception-fashion.net", netcVersion: "bench" });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  const { buildModel } = await import(pathToFileURL(join(dir, "model.js")).href);

  const generated = buildModel(tf).inference;
  const hand = buildHandModel(tf);
  hand.setWeights(generated.getWeights()); // same weights: same arithmetic
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 1);
  const time = (model) => {
    const t = performance.now();
    tf.tidy(() => model.predict(x).dataSync());
    return performance.now() - t;
  };
  for (let i = 0; i < 3; i++) time(generated), time(hand); // warm-up
  const g = [];
  const h = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) g.push(time(generated)), h.push(time(hand));
    else h.push(time(hand)), g.push(time(generated));
  }
  const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(generated.predict(x), hand.predict(x)))).dataSync()[0]);
  return {
    name: "tfjs generated vs hand-written forward (inception-fashion)",
    backend: tf.getBackend(),
    batch,
    generatedMs: median(g),
    handMs: median(h),
    ratio: median(g) / median(h),
    maxAbsDiff: diff,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchTfjs(), null, 2));
}
