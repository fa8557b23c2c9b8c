// `npm run fuzz`: runs --count generated and mutated specs (default 100,000)
// of --seed through check, fmt and, when clean, the tfjs and ONNX backends, in
// --jobs worker threads. A case that runs longer than --timeout ms is a hang:
// its worker is replaced. Failing cases are written under --out; the summary
// gives specs/s and the internal errors by category. Exit 1 when any failed.
// Needs `npm run build` first (it fuzzes dist/).
import { Worker } from "node:worker_threads";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeCase, noteSlow } from "./engine.js";
import { loadCorpus } from "./mutate.js";
import { writeCase } from "./write-case.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const count = Number(opt("count", 100_000));
const seed = Number(opt("seed", 1));
const jobs = Number(opt("jobs", Math.max(1, Math.min(availableParallelism(), 4))));
const timeoutMs = Number(opt("timeout", 10_000));
const out = resolve(opt("out", join(tmpdir(), `netc-fuzz-${seed}`)));
const minimizeMs = Number(opt("minimize-ms", 10_000));
const CHUNK = 200;

let next = 0;
const queue = [];
const takeChunk = () => {
  if (queue.length) return queue.shift();
  if (next >= count) return undefined;
  const c = { from: next, to: Math.min(count, next + CHUNK) };
  next = c.to;
  return c;
};

const totals = { cases: 0, clean: 0, bytes: 0, failures: new Map(), slowest: [], hangs: [] };
const start = performance.now();
let lastReport = start;
let live = 0;
let corpus;

function spawn() {
  const w = new Worker(new URL("./worker.js", import.meta.url), { workerData: { root, seed, out, minimizeMs } });
  live++;
  const state = { chunk: undefined, current: -1, since: performance.now(), ready: false };
  const give = () => {
    state.chunk = takeChunk();
    if (!state.chunk) {
      w.terminate();
      return;
    }
    state.since = performance.now();
    w.postMessage(state.chunk);
  };
  const watchdog = setInterval(() => {
    if (!state.ready || state.current < 0 || performance.now() - state.since < timeoutMs) return;
    // A hang: record it, requeue the rest of the chunk, replace the worker.
    clearInterval(watchdog);
    const i = state.current;
    corpus ??= loadCorpus(root);
    const c = makeCase(seed, i, corpus);
    writeCase(out, "hang", i, c, [{ category: "hang", detail: `no answer after ${timeoutMs} ms` }]);
    count1(i, { failures: ["hang"], ms: performance.now() - state.since, clean: false, bytes: c.files.get(c.entry).length, how: c.how });
    totals.hangs.push(i);
    if (i + 1 < state.chunk.to) queue.push({ from: i + 1, to: state.chunk.to });
    state.current = -1;
    w.removeAllListeners("exit");
    w.terminate().then(() => {
      live--;
      spawn();
    });
  }, 250);
  w.on("message", (m) => {
    if (m.type === "ready") {
      state.ready = true;
      give();
    } else if (m.type === "start") {
      state.current = m.index;
      state.since = performance.now();
    } else if (m.type === "case") {
      state.current = -1;
      count1(m.index, m);
    } else if (m.type === "chunk") give();
  });
  w.on("error", (e) => {
    console.error(`worker failed: ${e.stack ?? e}`);
  });
  w.on("exit", () => {
    clearInterval(watchdog);
    if (--live === 0) finish();
  });
}

function count1(index, m) {
  totals.cases++;
  totals.bytes += m.bytes;
  if (m.clean) totals.clean++;
  for (const f of m.failures) totals.failures.set(f, (totals.failures.get(f) ?? 0) + 1);
  noteSlow(totals.slowest, { index, ms: Math.round(m.ms), how: m.how });
  const now = performance.now();
  if (now - lastReport > 2000) {
    lastReport = now;
    process.stderr.write(`${totals.cases}/${count} specs, ${rate().toFixed(0)} specs/s, internal errors: ${internal()}\n`);
  }
}

const internal = () => [...totals.failures.values()].reduce((a, b) => a + b, 0);
const rate = () => totals.cases / ((performance.now() - start) / 1000);

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  const failures = Object.fromEntries([...totals.failures].sort());
  const summary = {
    seed, specs: totals.cases, checkedClean: totals.clean, megabytes: +(totals.bytes / 1e6).toFixed(1),
    seconds: +((performance.now() - start) / 1000).toFixed(1), specsPerSecond: +rate().toFixed(0), jobs,
    internalErrors: internal(), failures, slowest: totals.slowest, out: internal() ? out : undefined,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(internal() === 0 ? `fuzz: ${totals.cases} specs, internal errors = 0` : `fuzz: ${internal()} internal errors in ${totals.cases} specs; cases written to ${out}`);
  process.exitCode = internal() === 0 ? 0 : 1;
}

// Interrupted: the summary of what ran so far.
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.once(sig, () => {
    finish();
    process.exit(process.exitCode ?? 1);
  });
}

process.stderr.write(`fuzz: ${count} specs, seed ${seed}, ${jobs} workers, ${timeoutMs} ms per case\n`);
for (let j = 0; j < jobs; j++) spawn();
