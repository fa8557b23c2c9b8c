// The torchvision GoogLeNet graph against the PyTorch export in shared/peers:
// same weight count after BN folding, same node mix, same output shape.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import { emitOnnx, writeOnnx } from "../../src/emit/onnx/index.js";
import { checkFile } from "../../src/check/index.js";
import { pythonCheck, randomInput, runOrt, tempDir } from "./harness.js";
import { needPeerGoogLeNet, PEER_GOOGLENET, runs } from "../requirements.js";

const { onnx } = onnxProto;
const root = join(new URL(".", import.meta.url).pathname, "../..");
const peer = runs(needPeerGoogLeNet(), "the comparison with the PyTorch export");

const weightCount = (m: InstanceType<typeof onnx.ModelProto>) =>
  m.graph!.initializer!.reduce((a, t) => a + t.dims!.reduce((x: number, d) => x * Number(d), 1), 0);
const opCounts = (m: InstanceType<typeof onnx.ModelProto>) => {
  const c: Record<string, number> = {};
  for (const n of m.graph!.node!) c[n.opType!] = (c[n.opType!] ?? 0) + 1;
  return c;
};

describe("GoogLeNet (torchvision)", () => {
  const graph = checkFile(join(root, "specs/googlenet-torchvision.net")).graph!;
  it("has torchvision's parameter count", () => {
    expect(graph.params).toBe(6624904);
  });

  it.runIf(peer)("folds to the peer's weight count and node mix", () => {
    // The peer was exported without transform_input (a graph of layers only).
    const m = onnx.ModelProto.decode(emitOnnx(graph, { preprocess: false }).model);
    // torchvision's 6,624,904 less 7,280 BN channels (gamma+beta become one
    // bias). The peer says 6,613,040 because PyTorch stored identical all-zero
    // biases once (its 40 Identity nodes alias 4,584 such values).
    expect(weightCount(m)).toBe(6624904 - 7280);
    expect(weightCount(m)).toBe(6613040 + 4584);
    expect(opCounts(m)).toEqual({ Conv: 57, Relu: 57, MaxPool: 13, Concat: 9, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    const { Identity, ...peer } = opCounts(onnx.ModelProto.decode(new Uint8Array(readFileSync(PEER_GOOGLENET))));
    void Identity;
    expect(opCounts(m)).toEqual(peer);
  });

  it("runs at batch 1 and 2 and passes the checker", async () => {
    const p = join(tempDir(), "googlenet.onnx");
    writeOnnx(graph, p, { seed: 0 });
    for (const n of [1, 2]) {
      const r = await runOrt(p, "image", [n, 3, 224, 224], randomInput(n * 3 * 224 * 224));
      expect(r.dims).toEqual([n, 1000]);
      expect(r.data.every(Number.isFinite)).toBe(true);
    }
    pythonCheck(p);
  }, 60_000);
});

