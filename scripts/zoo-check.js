#!/usr/bin/env node
// Compiles every zoo spec to ONNX and tfjs and checks the results: the ONNX
// file passes onnx.checker (full_check, via Debian's python3-onnx) and runs in
// onnxruntime-node with the output shape the checker predicted, the tfjs
// sources are written, and `netc verify` finds tfjs and ONNX within its limit on
// random weights. Too heavy for the unit tests on 2 cores (VGG-16 alone is
// 553 MB of float32): run it by hand after `npm run build`:
//   node scripts/zoo-check.js [names...]     e.g. node scripts/zoo-check.js resnet18
// Prints one JSON line per network and exits 1 if any check fails.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const netc = join(root, "bin/netc.js");
const all = ["alexnet", "vgg16", "resnet18", "resnet50", "inception-v3", "mobilenet-v2", "densenet121", "squeezenet1-1", "mnasnet1-0", "wide-resnet50-2",
  "resnext50-32x4d", "mobilenet-v3-large", "mobilenet-v3-small", "regnet-y-400mf", "regnet-x-400mf",
  "efficientnet-b0", "efficientnet-b1", "efficientnet-v2-s", "convnext-tiny", "shufflenet-v2-x1-0"];
const names = process.argv.slice(2).length ? process.argv.slice(2) : all;
const python = process.env.PYTHON ?? "/usr/bin/python3";

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] });
const seconds = (t0) => Math.round((Date.now() - t0) / 100) / 10;

const CHECK_ONNX = `
import sys, onnx
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
print("ok")
`;

let failed = false;
for (const name of names) {
  const spec = `specs/zoo/${name}.net`;
  const out = mkdtempSync(join(tmpdir(), `zoo-${name}-`));
  const result = { network: name };
  try {
    const summary = JSON.parse(run("node", [netc, "summary", spec, "--json"]));
    Object.assign(result, { params: summary.params, paramsWithAux: summary.paramsWithAux, macs: summary.macs, output: summary.output });

    let t0 = Date.now();
    run("node", [netc, "compile", spec, "--target", "onnx", "--out", join(out, "onnx")]);
    const onnxFile = join(out, "onnx", readdirSync(join(out, "onnx")).find((f) => f.endsWith(".onnx")));
    result.onnxSeconds = seconds(t0);
    result.onnxChecker = run(python, ["-c", CHECK_ONNX, onnxFile]).trim();

    // Batches of 1 and 2 through onnxruntime: the output must have the predicted shape.
    const ort = await import("onnxruntime-node");
    const session = await ort.InferenceSession.create(onnxFile);
    const [c, h, w] = summary.input;
    result.ortShapes = [];
    result.ortFinite = true;
    for (const n of [1, 2]) {
      const x = new ort.Tensor("float32", Float32Array.from({ length: n * c * h * w }, (_, i) => Math.sin(i)), [n, c, h, w]);
      const y = (await session.run({ [session.inputNames[0]]: x }))[session.outputNames[0]];
      result.ortShapes.push(y.dims);
      result.ortFinite &&= Array.from(y.data).every(Number.isFinite);
    }
    const shapeOk = result.ortShapes.every((d, i) => JSON.stringify(d) === JSON.stringify([i + 1, ...summary.output]));
    await session.release?.();

    t0 = Date.now();
    run("node", [netc, "compile", spec, "--target", "tfjs", "--out", join(out, "tfjs")]);
    result.tfjsFiles = readdirSync(join(out, "tfjs"));
    result.tfjsSeconds = seconds(t0);

    t0 = Date.now();
    // verify exits 1 above its limit (1e-4, relative for outputs above 1) but still prints its JSON.
    let verifyText;
    try {
      verifyText = run("node", [netc, "verify", spec, "--json"]);
    } catch (e) {
      verifyText = e.stdout;
    }
    const v = JSON.parse(verifyText);
    Object.assign(result, { maxAbsDiff: v.maxAbsDiff, maxAbsOutput: v.maxAbsOutput, verifyOk: v.ok, verifyBackend: v.backend, verifySeconds: seconds(t0) });

    result.ok = result.onnxChecker === "ok" && shapeOk && result.ortFinite && v.ok;
  } catch (e) {
    result.ok = false;
    result.error = String(e.stderr || e.message || e).slice(0, 2000);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  failed ||= !result.ok;
  console.log(JSON.stringify(result));
}
process.exit(failed ? 1 : 0);
