// `npm run bench`: every benchmark, each a ratio or a difference against a
// baseline measured in the same run. Prints a table and writes bench/results.json.
// Sections whose module is missing or fails are reported, not fatal.
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg } from "node:os";

const only = process.argv.slice(2);
const sections = [
  ["check", async () => { const m = await import("./check.js"); return { startup: m.benchStartup(), scaling: await m.benchScaling() }; }],
  ["scale", async () => (await import("./scale.js")).benchScale()],
  ["onnx", async () => (await import("./onnx.js")).benchOnnx()],
  ["train-backends", async () => (await import("./train-backends.js")).benchTrainBackends()],
  ["tfjs", async () => (await import("./tfjs.js")).benchTfjs()],
  ["pytorch", async () => (await import("./pytorch.js")).benchPytorch()],
  ["lsp", async () => (await import("./lsp.js")).benchLsp()],
];

const results = { machine: { cpus: availableParallelism(), model: cpus()[0]?.model, loadavg: loadavg(), node: process.version }, date: new Date().toISOString() };
for (const [name, run] of sections) {
  if (only.length && !only.includes(name)) continue;
  const t = performance.now();
  process.stderr.write(`bench ${name}...\n`);
  try {
    results[name] = await run();
  } catch (e) {
    results[name] = { error: e instanceof Error ? e.message : String(e) };
  }
  process.stderr.write(`bench ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
}
console.log(JSON.stringify(results, null, 2));
writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
