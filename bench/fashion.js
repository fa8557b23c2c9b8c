// The Fashion-MNIST accuracy run (not a unit test: ~12 min on 2 cores):
// compiles specs/inception-fashion.net to JavaScript, trains it with the spec's
// defaults (3 epochs) on the WASM fallback, then checks the trained checkpoint
// against ONNX with `netc verify`. Prints one JSON object and writes it to
// .bench/fashion.json.
//
//   npm run build && node bench/fashion.js [--data DIR] [--epochs N] [--limit N]

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    data: { type: "string", default: "/usr/share/datasets/fashion-mnist" },
    epochs: { type: "string" },
    limit: { type: "string" },
  },
});
// Inside the repo, so the generated code's `netc/runtime` import resolves to this package.
const out = join(root, ".bench", "fashion");
const ckpt = join(out, "ckpt");
mkdirSync(out, { recursive: true });

const netc = (...args) => spawnSync(process.execPath, [join(root, "bin", "netc.js"), ...args], { cwd: root, encoding: "utf8" });
const compiled = netc("compile", "specs/inception-fashion.net", "--target", "tfjs", "--out", out, "--js");
if (compiled.status !== 0) throw new Error(`compile failed:\n${compiled.stderr}`);

const trainArgs = [join(out, "train.js"), "--data", values.data, "--save", ckpt];
if (values.epochs) trainArgs.push("--epochs", values.epochs);
if (values.limit) trainArgs.push("--limit", values.limit);
// Other work on the machine slows the epochs: the load averages go into the result.
const loadBefore = loadavg();
const start = Date.now();
const run = spawnSync(process.execPath, trainArgs, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
process.stdout.write(run.stdout);
if (run.status !== 0) throw new Error(`training failed (exit ${run.status})`);

const epochs = [...run.stdout.matchAll(/^epoch (\d+)\/\d+: loss ([\d.]+), accuracy ([\d.]+), validation accuracy ([\d.]+), ([\d.]+) s \((\d+) images\/s\)/gm)].map(
  (m) => ({ epoch: +m[1], loss: +m[2], accuracy: +m[3], valAccuracy: +m[4], seconds: +m[5], imagesPerSecond: +m[6] }),
);
const test = /^test accuracy ([\d.]+)/m.exec(run.stdout);
const verify = netc("verify", "specs/inception-fashion.net", "--weights", ckpt, "--json");
const result = {
  spec: "specs/inception-fashion.net",
  // stderr is passed through (progress bar), so ask the same question loadTf asks.
  backend: tfjsNodeInstalled() ? "tensorflow (tfjs-node)" : "wasm",
  epochs,
  testAccuracy: test ? +test[1] : null,
  totalSeconds: (Date.now() - start) / 1000,
  loadAverage: { before: loadBefore, after: loadavg() },
  verify: verify.status === 0 || verify.status === 1 ? JSON.parse(verify.stdout) : { error: verify.stderr },
};
writeFileSync(join(root, ".bench", "fashion.json"), JSON.stringify(result, null, 2) + "\n");
console.log(JSON.stringify(result, null, 2));

function tfjsNodeInstalled() {
  try {
    createRequire(join(root, "package.json")).resolve("@tensorflow/tfjs-node");
    return true;
  } catch {
    return false;
  }
}
