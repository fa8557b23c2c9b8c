// The PyTorch target's training step against the same network written by hand
// in PyTorch (bench/hand_inception_fashion.py), and netc's tfjs training
// program (WASM) on the same network and batch. Needs `npm run build`,
// Debian's PyTorch for /usr/bin/python3 and, for real images, Debian's
// dataset-fashion-mnist (random images otherwise; tfjs is then skipped).
//
//   node bench/pytorch.js [--threads 1] [--rounds 20] [--steps 10] [--repeats 1] [--malloc keep,default]
//   npm run bench -- pytorch
//
// Each repeat is one Python process (bench/pytorch_train.py): it imports the
// generated model.py by its class name, checks equal parameter counts and outputs with the hand-written
// model's weights loaded from it, then alternates timed blocks of training
// steps (and of forward passes) between the two. The ratio generated/hand is
// the median of the rounds' ratios of CPU time (the process's user + system
// time: on a shared machine, waiting for a core is not the model's cost;
// wallRatio is the same of wall time), the images/s are from wall time (and
// from CPU time: about what an idle machine gives). tfjs under Node runs WASM
// on one thread, so PyTorch's default here is one thread too (CPU time then is
// that thread's work). Figures of several repeats are medians.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SPEC = "specs/inception-fashion.net";
const PYTHON = "/usr/bin/python3";
const DATA = "/usr/share/datasets/fashion-mnist";
// glibc's malloc gives large freed blocks back to the kernel (munmap, heap
// trimming) and PyTorch's CPU tensors of a few MB then cost fresh page faults
// at every step: on this machine half the step's time, and a spread of 0.3x to
// 2.5x between a round's two blocks. "keep" raises both thresholds so freed
// memory is reused; "default" is what a plain `python3` gets. Both are measured.
const KEEP = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967296";

const netc = (...args) => spawnSync(process.execPath, [join(root, "bin", "netc.js"), ...args], { cwd: root, encoding: "utf8" });
const median = (a) => {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function compile(target, dir, ...extra) {
  const r = netc("compile", SPEC, "--target", target, "--out", dir, ...extra);
  if (r.status !== 0) throw new Error(`netc compile --target ${target} failed:\n${r.stderr}`);
}

/** One Python process: generated vs hand-written, alternating. */
function pytorchRun(modelPy, { threads, rounds, steps, batch, malloc }) {
  const args = [join(root, "bench", "pytorch_train.py"), modelPy, "--threads", String(threads), "--rounds", String(rounds), "--steps", String(steps), "--batch", String(batch), "--data", DATA];
  const env = { ...process.env };
  if (malloc === "keep") env.GLIBC_TUNABLES = KEEP;
  else delete env.GLIBC_TUNABLES;
  const r = spawnSync(PYTHON, args, { cwd: root, encoding: "utf8", env });
  if (r.status !== 0) throw new Error(`pytorch_train.py failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** netc's generated tfjs training program on `limit` Fashion-MNIST images, one epoch: its own images/s line. */
function tfjsRun(dir, limit) {
  const r = spawnSync(process.execPath, [join(dir, "train.js"), "--data", DATA, "--epochs", "1", "--limit", String(limit), "--seed", "0"], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tfjs train.js failed:\n${r.stderr}`);
  const m = /^epoch 1\/1: .*, ([\d.]+) s \((\d+) images\/s\)/m.exec(r.stdout);
  if (!m) throw new Error(`no epoch line in train.js's output:\n${r.stdout}`);
  return +m[2];
}

/** Images per second of both PyTorch models (training step and forward pass) and of the tfjs WASM training program. */
export async function benchPytorch({ threads = 1, rounds = 20, steps = 10, repeats = 1, mallocs = ["keep", "default"], tfjsImages = 3200 } = {}) {
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" });
  if (probe.status !== 0) throw new Error(`${PYTHON} has no torch (apt-get install python3-torch)`);
  const dir = mkdtempSync(join(tmpdir(), "netc-bench-pytorch-"));
  try {
    compile("pytorch", join(dir, "pytorch"));
    const batch = 32; // the spec's train section
    const load = [loadavg()[0]];
    const runs = [];
    let tfjs;
    const haveData = existsSync(join(DATA, "train-images-idx3-ubyte.gz"));
    if (haveData) {
      // Inside a package that resolves `netc/runtime` to this checkout, as test/runtime does.
      const tdir = join(dir, "tfjs");
      compile("tfjs", tdir, "--js");
      mkdirSync(join(tdir, "node_modules"));
      symlinkSync(root, join(tdir, "node_modules", "netc"));
      tfjs = [];
    }
    for (let i = 0; i < repeats; i++) {
      for (const malloc of mallocs) {
        runs.push({ malloc, ...pytorchRun(join(dir, "pytorch", "model.py"), { threads, rounds, steps, batch, malloc }) });
        load.push(loadavg()[0]);
      }
      if (tfjs) {
        tfjs.push(tfjsRun(join(dir, "tfjs"), tfjsImages));
        load.push(loadavg()[0]);
      }
    }
    const side = (malloc, kind) => {
      const of = runs.filter((r) => r.malloc === malloc);
      const pick = (key) => median(of.map((r) => r[kind][key]));
      return {
        generatedImagesPerSecond: pick("generatedImagesPerSecond"),
        handImagesPerSecond: pick("handImagesPerSecond"),
        generatedCpuImagesPerSecond: pick("generatedCpuImagesPerSecond"),
        handCpuImagesPerSecond: pick("handCpuImagesPerSecond"),
        ratio: pick("ratio"),
        wallRatio: pick("wallRatio"),
        ratios: of.map((r) => r[kind].ratio),
      };
    };
    const pytorch = Object.fromEntries(mallocs.map((m) => [m, { train: side(m, "train"), infer: side(m, "infer") }]));
    return {
      name: "PyTorch target vs hand-written PyTorch (inception-fashion), and the tfjs WASM training program",
      spec: SPEC,
      torch: runs[0].torch,
      threads: runs[0].threads,
      batch,
      data: runs[0].data,
      parameters: runs[0].parameters,
      outputMaxAbsDiff: Math.max(...runs.map((r) => r.outputMaxAbsDiff)),
      rounds,
      stepsPerRound: steps,
      repeats,
      malloc: { keep: KEEP, default: "glibc's defaults" },
      pytorch,
      tfjsWasmTrainImagesPerSecond: tfjs ? median(tfjs) : null,
      tfjsWasmTrainRuns: tfjs ?? null,
      tfjsWasmThreads: 1,
      goal: "train ratio at most 1.02",
      loadAverage: load,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { threads: { type: "string" }, rounds: { type: "string" }, steps: { type: "string" }, repeats: { type: "string" }, malloc: { type: "string" } } });
  const opts = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k === "malloc" ? v.split(",") : Number(v)]));
  if (opts.malloc) (opts.mallocs = opts.malloc), delete opts.malloc;
  console.log(JSON.stringify(await benchPytorch(opts), null, 2));
}
