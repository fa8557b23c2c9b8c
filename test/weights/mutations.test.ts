// Every truncation and many seeded byte flips of a valid checkpoint, in each
// format: readWeightFile either reads it or throws one WeightsError; no other
// exception, no hang.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { rng } from "../../src/ir/weights.js";
import { readWeightFile, WeightsError } from "../../src/weights/read-weights.js";
import onnxProto from "onnx-proto";
import { safetensors, torchFile } from "./build.js";

const onnx = onnxProto.onnx;
const F = onnx.TensorProto.DataType.FLOAT;

const dir = mkdtempSync(join(tmpdir(), "netc-weights-mut-"));

const samples: [string, Uint8Array][] = [
  [
    "pytorch",
    torchFile(
      [
        { name: "a.weight", key: "0", numel: 6, shape: [2, 3] },
        { name: "a.bias", key: "1", numel: 2, shape: [2], stride: [1] },
      ],
      { 0: Float32Array.of(1, 2, 3, 4, 5, 6), 1: Float32Array.of(7, 8) },
    ),
  ],
  [
    "onnx",
    onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        graph: onnx.GraphProto.create({
          name: "g",
          initializer: [
            onnx.TensorProto.create({ name: "w", dims: [2, 2], dataType: F, rawData: new Uint8Array(16) }),
            onnx.TensorProto.create({ name: "b", dims: [2], dataType: F, floatData: [1, 2] }),
          ],
        }),
      }),
    ).finish(),
  ],
  [
    "safetensors",
    safetensors(
      {
        a: { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
        b: { dtype: "F16", shape: [2], data_offsets: [24, 28] },
      },
      new Uint8Array(28),
    ),
  ],
];

function attempt(bytes: Uint8Array): string {
  const path = join(dir, "f.bin");
  writeFileSync(path, bytes);
  try {
    readWeightFile(path);
    return "read";
  } catch (e) {
    if (!(e instanceof WeightsError)) throw new Error(`not a WeightsError: ${(e as Error).stack}`);
    return "refused";
  }
}

for (const [format, bytes] of samples) {
  test(`${format}: every truncation and 500 byte flips`, () => {
    for (let n = 0; n < bytes.length; n++) attempt(bytes.subarray(0, n));
    const next = rng(7);
    for (let i = 0; i < 500; i++) {
      const copy = bytes.slice();
      for (let k = 0; k < 1 + Math.floor(next() * 4); k++)
        copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
      attempt(copy);
    }
  });
}
