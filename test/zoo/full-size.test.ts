// Zoo networks at full size (VGG-16 is 553 MB of float32): each compiles to
// ONNX that passes onnx.checker (full_check) and runs in onnxruntime at batch
// 1 and 2 with the predicted output shape, compiles to tfjs, and `netc verify`
// finds tfjs and onnxruntime in agreement on random weights, through
// scripts/zoo-check.js. The suite runs the first six and the small modern ones
// (about 2 minutes on 2 cores); every zoo network is checked the same way at
// reduced size in compile.test.ts, and `node scripts/zoo-check.js` with no
// arguments runs all of them at full size (figures in the README).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const root = join(new URL(".", import.meta.url).pathname, "../..");

const FULL_SIZE = ["alexnet", "vgg16", "resnet18", "resnet50", "inception-v3", "mobilenet-v2", "squeezenet1-1", "mnasnet1-0", "shufflenet-v2-x1-0", "efficientnet-b0"];

it("zoo networks at full size compile to valid ONNX and tfjs, and the two agree", () => {
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(root, "scripts/zoo-check.js"), ...FULL_SIZE], { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? "";
  }
  const results = out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(results.map((r) => r.network)).toEqual(FULL_SIZE);
  for (const r of results) {
    expect(r, String(r.network)).toMatchObject({ onnxChecker: "ok", ortShapes: [[1, 1000], [2, 1000]], ortFinite: true, verifyOk: true, ok: true });
    expect(r.tfjsFiles).toEqual(["model.ts", "train.ts"]);
  }
}, 900_000);
