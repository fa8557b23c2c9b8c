// A fuzz worker: runs the chunks of cases the main thread hands it, reports
// each case, and writes failing cases (with a minimised copy of the first of
// each category) under the output folder.
import { parentPort, workerData } from "node:worker_threads";
import { loadDist } from "./load-dist.js";
import { loadCorpus } from "./mutate.js";
import { makeCase, runCase } from "./engine.js";
import { minimize } from "./minimize.js";
import { writeCase } from "./write-case.js";

const { root, seed, out, minimizeMs } = workerData;
const netc = await loadDist();
const corpus = loadCorpus(root);
const minimized = new Set();

parentPort.on("message", ({ from, to }) => {
  for (let i = from; i < to; i++) {
    parentPort.postMessage({ type: "start", index: i });
    const c = makeCase(seed, i, corpus);
    const r = runCase(netc, c);
    // Reported before minimising, which runs the case again and again: the watchdog times only the case.
    parentPort.postMessage({ type: "case", index: i, ms: r.ms, clean: r.clean, bytes: c.files.get(c.entry).length, failures: r.failures.map((f) => f.category), how: c.how });
    for (const f of r.failures) {
      const dir = writeCase(out, f.category, i, c, r.failures);
      if (!minimized.has(f.category) && minimizeMs > 0) {
        minimized.add(f.category);
        writeCase(dir, "min", "", minimize(netc, c, f.category, minimizeMs), r.failures.filter((x) => x.category === f.category));
      }
    }
  }
  parentPort.postMessage({ type: "chunk" });
});
parentPort.postMessage({ type: "ready" });
