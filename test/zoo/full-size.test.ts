// Every zoo network at full size (VGG-16 is 553 MB of float32): compiles to
// ONNX that passes onnx.checker (full_check) and runs in onnxruntime at batch
// 1 and 2 with the predicted output shape, compiles to tfjs, and `netc verify` finds tfjs and
// onnxruntime in agreement on random weights. About 75 s on 2 cores for the first six (before DenseNet, SqueezeNet, MNASNet and Wide ResNet joined), through
// scripts/zoo-check.js (which prints the figures when run by hand).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(new URL(".", import.meta.url).pathname, "../..");

it("every zoo network compiles to valid ONNX and tfjs, and the two agree", () => {
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(root, "scripts/zoo-check.js")], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? "";
  }
  const results = out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(results.map((r) => r.network)).toEqual([
    "alexnet", "vgg16", "resnet18", "resnet50", "inception-v3", "mobilenet-v2", "densenet121", "squeezenet1-1", "mnasnet1-0", "wide-resnet50-2", "convnext-tiny", "shufflenet-v2-x1-0",
  ]);
  for (const r of results) {
    expect(r, String(r.network)).toMatchObject({ onnxChecker: "ok", ortShapes: [[1, 1000], [2, 1000]], ortFinite: true, verifyOk: true, ok: true });
    expect(r.tfjsFiles).toEqual(["model.ts", "train.ts"]);
  }
}, 900_000);
