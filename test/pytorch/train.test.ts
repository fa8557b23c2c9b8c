// `netc compile --target pytorch` also writes train.py: checked here as Python
// (py_compile, black), run on Fashion-MNIST for a few epochs (the loss falls;
// the checkpoint it saves loads with `netc compile --weights` into an ONNX model
// that gives the outputs PyTorch gives), on two processes against one, and on
// broken datasets (one line, exit status 2).
//
// Two processes against one: DistributedDataParallel over gloo, the processes
// started with torchrun's environment contract (RANK, WORLD_SIZE, LOCAL_RANK,
// MASTER_ADDR, MASTER_PORT on 127.0.0.1), which is all train.py reads: Debian's
// torchrun (PyTorch 1.13) crashes under Python 3.11 before it starts a worker.
// Same seed, same global batch (4: 2 per process), 200 steps of the spec's
// optimizer (Adam, lr 0.002), dropout off (--no-dropout: each process draws its
// own masks, so with dropout on the runs differ by design), in float64
// (--double). Why float64: this training is chaotic at the rounding level. In
// float32, starting one process's run from weights perturbed by 1e-7
// (relative) moves the weights after 200 steps by up to 0.3, as much as the
// two-process run differs, so no float32 tolerance separates "the same
// training" from "a different one". In float64 the two-process run agrees with
// the one-process run to about 1e-12 (measured 1.6e-12 as the largest absolute
// difference over all weights and BatchNorm statistics); the tolerance, 1e-8,
// leaves room for float64 rounding amplified as float32's is (1e-16 grown by
// the same 1e7 stays under 1e-8), while any real difference in the training
// (batches, BatchNorm statistics per process instead of the global batch's,
// gradient averaging, learning rate) is far above it: with each process's own
// BatchNorm statistics (what plain BatchNorm does under DDP) the weights differ
// by 0.035 after one step and by 2.0 after 200 (measured). The run must also
// have moved the weights by more than 0.01 from where it started.

import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkFile } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { netc, root, tmp } from "../cli/helpers.js";
import { runOrt } from "../onnx/harness.js";
import { PNG } from "pngjs";
import { readImageFolder } from "../../src/runtime/data/folder.js";
import { FASHION_MNIST, needBlack, needFashionMnist, needTorchTraining, runs } from "../requirements.js";

const PY = "/usr/bin/python3";
const torchReady = runs(needTorchTraining(), "the PyTorch target's train.py");
const blackReady = runs(needBlack(), "black --check of the PyTorch target's train.py");
const fashionReady = torchReady && runs(needFashionMnist(), "train.py on Fashion-MNIST");
// One thread per process: the two-process run gets a core each, and the runs compare alike.
const ENV = { ...process.env, OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };

function compile(spec: string, set: string[] = []): string {
  const dir = tmp("netc-pytrain-");
  const c = netc(["compile", spec, "--target", "pytorch", "--out", dir, ...set.flatMap((s) => ["--set", s])]);
  expect(c.code, c.stderr).toBe(0);
  expect(c.stderr).toBe(`wrote ${join(dir, "model.py")}\nwrote ${join(dir, "train.py")}\n`);
  return dir;
}

function train(dir: string, args: string[]) {
  return spawnSync(PY, [join(dir, "train.py"), ...args], { encoding: "utf8", env: ENV, cwd: dir });
}

/** A free TCP port on 127.0.0.1 for the process group's rendezvous. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** train.py on `world` processes with torchrun's environment; resolves with each process's exit status and stderr. */
async function trainDistributed(dir: string, world: number, args: string[]): Promise<{ code: number | null; stderr: string }[]> {
  const port = await freePort();
  return Promise.all(
    Array.from({ length: world }, (_, rank) => {
      const env = { ...ENV, RANK: String(rank), WORLD_SIZE: String(world), LOCAL_RANK: String(rank), MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port) };
      const p = spawn(PY, [join(dir, "train.py"), ...args], { env, cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      return new Promise<{ code: number | null; stderr: string }>((resolve) => p.on("close", (code) => resolve({ code, stderr })));
    }),
  );
}

function idx(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe("netc compile --target pytorch: train.py", () => {
  for (const [spec, set] of [
    ["specs/inception-fashion.net", []],
    ["specs/googlenet.net", ["classes=10"]],
    ["specs/googlenet-torchvision.net", ["classes=10"]],
    ["specs/zoo/resnet18.net", ["classes=10", "size=64"]],
  ] as [string, string[]][]) {
    test.runIf(blackReady)(`${spec}: train.py compiles and is black-formatted`, () => {
      const dir = compile(spec, set);
      const c = spawnSync(PY, ["-m", "py_compile", join(dir, "train.py"), join(dir, "model.py")], { encoding: "utf8" });
      expect(c.status, c.stderr).toBe(0);
      const b = spawnSync(PY, ["-m", "black", "--check", "--diff", join(dir, "train.py")], { encoding: "utf8" });
      expect(b.status, b.stdout + b.stderr).toBe(0);
    });
  }

  test("the spec's train section and auxiliary heads are train.py's constants", () => {
    const dir = compile("specs/googlenet.net", ["classes=10"]);
    const py = readFileSync(join(dir, "train.py"), "utf8");
    const g = checkFile(join(root, "specs/googlenet.net"), diskHost, { params: { classes: 10 } }).graph!;
    expect(py).toContain(`"optimizer": "${g.train.optimizer}",\n    "lr": ${g.train.learningRate},`);
    expect(py).toContain(`"batch_size": ${g.train.batchSize},\n    "epochs": ${g.train.epochs},`);
    expect(py).toContain(`AUX_HEADS = True\nLOSS_WEIGHTS = [1, 0.3, 0.3]\n`);
    expect(readFileSync(join(dir, "model.py"), "utf8")).toContain("    def forward_with_aux(self, x):\n");
  });

  test.runIf(torchReady)("googlenet's training graph: forward_with_aux gives the main output (forward's, in eval mode) and both heads", () => {
    const dir = compile("specs/googlenet.net", ["classes=10"]);
    const code = [
      "import torch",
      "from model import Model",
      "torch.manual_seed(0)",
      "m = Model().eval()",
      "x = torch.rand(2, *Model.input_shape)",
      "with torch.no_grad():",
      "    main, aux = m.forward_with_aux(x)",
      "    print(float((main - m(x)).abs().max()), [tuple(a.shape) for a in aux])",
    ].join("\n");
    const r = spawnSync(PY, ["-c", code], { encoding: "utf8", cwd: dir, env: ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("0.0 [(2, 10), (2, 10)]");
  }, 60_000);

  test.runIf(fashionReady)("one process on 1000 Fashion-MNIST images: the loss falls; the checkpoint loads with netc compile --weights", async () => {
    const dir = compile("specs/inception-fashion.net");
    const ckpt = join(dir, "w.pt");
    const r = train(dir, ["--data", FASHION_MNIST, "--limit", "1000", "--epochs", "2", "--batch-size", "16", "--save", ckpt]);
    expect(r.status, r.stderr).toBe(0);
    const losses = [...r.stdout.matchAll(/^epoch \d\/2: loss ([\d.]+), accuracy [\d.]+, validation accuracy ([\d.]+)/gm)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(2);
    expect(losses[1]).toBeLessThan(losses[0]!);
    expect(r.stdout).toMatch(/^test accuracy [\d.]+ \(1000 images\)$/m);
    expect(r.stdout).toContain(`saved ${ckpt}\n`);

    // The same weights as safetensors, one step further.
    const st = join(dir, "w.safetensors");
    const s = train(dir, ["--data", FASHION_MNIST, "--limit", "200", "--epochs", "1", "--steps", "1", "--init", ckpt, "--save", st, "--quiet"]);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toBe("");

    for (const weights of [ckpt, st]) {
      const out = tmp("netc-pytrain-");
      const p = spawnSync(PY, [join(root, "test/pytorch/train_check.py"), "output", dir, weights, out], { encoding: "utf8" });
      expect(p.status, p.stderr).toBe(0);
      const f32 = (f: string) => {
        const b = readFileSync(join(out, f));
        return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      };
      const onnx = join(out, "m.onnx");
      const o = netc(["compile", "specs/inception-fashion.net", "--target", "onnx", "--weights", weights, "-o", onnx]);
      expect(o.code, o.stderr).toBe(0);
      const ort = await runOrt(onnx, "image", [2, 1, 28, 28], f32("input.f32"));
      const ours = f32("output.f32");
      const diff = Math.max(...Array.from(ort.data, (v, i) => Math.abs(v - ours[i]!)));
      expect(diff).toBeLessThan(1e-5);
    }
  }, 180_000);

  test.runIf(fashionReady)("two processes (DDP over gloo) train what one process trains: 200 steps, float64, within 1e-8", async () => {
    const dir = compile("specs/inception-fashion.net");
    const args = ["--data", FASHION_MNIST, "--limit", "1000", "--epochs", "1", "--batch-size", "4", "--steps", "200", "--no-dropout", "--double", "--seed", "5", "--quiet"];
    const one = train(dir, [...args, "--save", join(dir, "one.pt")]);
    expect(one.status, one.stderr).toBe(0);
    const two = await trainDistributed(dir, 2, [...args, "--save", join(dir, "two.pt")]);
    for (const p of two) expect(p.code, p.stderr).toBe(0);
    const c = spawnSync(PY, [join(root, "test/pytorch/train_check.py"), "compare", dir, join(dir, "one.pt"), join(dir, "two.pt"), "5"], { encoding: "utf8" });
    expect(c.status, c.stderr).toBe(0);
    const r = JSON.parse(c.stdout) as { maxAbs: number; at: string; moved: number; keys: boolean };
    expect(r.keys).toBe(true);
    expect(r.moved).toBeGreaterThan(0.01);
    expect(r.maxAbs, `largest difference at ${r.at}`).toBeLessThan(1e-8);
  }, 300_000);

  // An image folder: PNGs of other sizes, in colour, for a 1x28x28 network. The
  // pixels train.py reads are those netc's tfjs loader reads (luma, bilinear
  // with half-pixel centres); then a short run with a test split.
  test.runIf(torchReady)("image folders: train.py reads the pixels netc's tfjs loader reads, and trains", () => {
    const dir = compile("specs/inception-fashion.net", ["classes=3"]);
    const data = join(dir, "images");
    let seed = 1;
    const byte = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
    for (const part of ["train", "test"]) {
      for (const [k, cls] of ["cat", "dog", "eel"].entries()) {
        mkdirSync(join(data, part, cls), { recursive: true });
        for (let i = 0; i < 3; i++) {
          const p = new PNG({ width: 20 + 7 * i, height: 41 - 5 * k });
          for (let j = 0; j < p.data.length; j++) p.data[j] = j % 4 === 3 ? 255 : byte();
          writeFileSync(join(data, part, cls, `${i}.png`), PNG.sync.write(p));
        }
      }
    }
    const ours = readImageFolder(join(data, "train"), [28, 28, 1]);
    const code = [
      "import sys, train",
      "x, y, names = train.read_image_folder(sys.argv[1], (1, 28, 28))",
      "x.numpy().astype('float32').tofile(sys.argv[2])",
      "print(' '.join(names), y.tolist())",
    ].join("\n");
    const r = spawnSync(PY, ["-c", code, join(data, "train"), join(dir, "x.f32")], { encoding: "utf8", cwd: dir, env: ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`cat dog eel [${Array.from(ours.y).join(", ")}]`);
    const b = readFileSync(join(dir, "x.f32"));
    const theirs = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    expect(theirs.length).toBe(ours.x.length);
    // One channel: NCHW and NHWC are the same layout.
    const diff = Math.max(...Array.from(theirs, (v, i) => Math.abs(v - ours.x[i]!)));
    expect(diff).toBeLessThan(1e-3);

    const t = train(dir, ["--data", data, "--epochs", "1", "--batch-size", "2"]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^epoch 1\/1: loss [\d.]+, accuracy [\d.]+, validation accuracy [\d.]+, /m);
    expect(t.stdout).toMatch(/^test accuracy [\d.]+ \(9 images\)$/m);
  }, 60_000);

  test.runIf(torchReady)("a broken dataset is one line naming the file, exit status 2", () => {
    const dir = compile("specs/inception-fashion.net");
    const data = join(dir, "data");
    const run = (folder: string) => {
      const r = train(dir, ["--data", folder, "--quiet"]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trimEnd().split("\n"), r.stderr).toHaveLength(1);
      return r.stderr.trimEnd();
    };
    expect(run(join(dir, "nowhere"))).toBe(`error: ${join(dir, "nowhere")}: no such directory`);

    // Zero images (gzipped, as Fashion-MNIST ships).
    mkdirSync(join(data, "empty"), { recursive: true });
    writeFileSync(join(data, "empty/train-images-idx3-ubyte.gz"), gzipSync(idx([0, 28, 28], [])));
    writeFileSync(join(data, "empty/train-labels-idx1-ubyte.gz"), gzipSync(idx([0], [])));
    expect(run(join(data, "empty"))).toBe(`error: ${join(data, "empty/train-images-idx3-ubyte.gz")}: holds no images (dimensions 0x28x28)`);

    // A label the network's 10 classes cannot express.
    mkdirSync(join(data, "labels"));
    writeFileSync(join(data, "labels/train-images-idx3-ubyte"), idx([3, 28, 28], new Array(3 * 784).fill(7)));
    writeFileSync(join(data, "labels/train-labels-idx1-ubyte"), idx([3], [1, 12, 3]));
    expect(run(join(data, "labels"))).toBe(
      `error: ${join(data, "labels/train-labels-idx1-ubyte")}: label 12 (item 1) is out of range: the network has 10 classes, labels 0 to 9`,
    );

    // A file shorter than its header says; class folders with an empty one.
    mkdirSync(join(data, "short"));
    writeFileSync(join(data, "short/train-images-idx3-ubyte"), idx([3, 28, 28], new Array(784).fill(0)));
    writeFileSync(join(data, "short/train-labels-idx1-ubyte"), idx([3], [1, 2, 3]));
    expect(run(join(data, "short"))).toBe(
      `error: ${join(data, "short/train-images-idx3-ubyte")}: header says 3x28x28 = 2352 bytes of data, the file has 784`,
    );
    mkdirSync(join(data, "folders/a"), { recursive: true });
    mkdirSync(join(data, "folders/b"));
    expect(run(join(data, "folders"))).toBe(`error: ${join(data, "folders/a")}: empty class folder (every class needs at least one .png or .jpg image)`);
  }, 120_000);
});
