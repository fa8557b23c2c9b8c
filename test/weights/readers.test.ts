// The weight readers against files built by hand (test/weights/build.ts): what
// a state_dict pickle, a safetensors file and an ONNX model hold comes back in
// order and in float32, and every hostile or broken file is one WeightsError
// naming the file and what is wrong; nothing runs, nothing hangs, nothing
// allocates what the file does not hold.

import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { readWeightFile, WeightsError } from "../../src/weights/read-weights.js";
import { concat, safetensors, statePickle, torchFile, zip } from "./build.js";

const dir = mkdtempSync(join(tmpdir(), "netc-weights-"));
let count = 0;
function file(bytes: Uint8Array): string {
  const path = join(dir, `f${count++}.bin`);
  writeFileSync(path, bytes);
  return path;
}
const f32 = (...v: number[]) => Float32Array.from(v);
const values = (path: string) =>
  readWeightFile(path).tensors.map((t) => ({ name: t.name, shape: t.shape, data: t.data && [...t.data] }));
function refused(bytes: Uint8Array, message: RegExp): void {
  const path = file(bytes);
  let error: unknown;
  try {
    readWeightFile(path);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WeightsError);
  expect((error as Error).message).toContain(path);
  expect((error as Error).message).toMatch(message);
}

describe("PyTorch zip checkpoints", () => {
  test("a state_dict: order, offsets, strides, dtypes, num_batches_tracked", () => {
    const half = new Uint16Array([0x3c00, 0xc000]); // 1, -2
    const path = file(
      torchFile(
        [
          { name: "conv.weight", key: "0", numel: 6, offset: 2, shape: [2, 2] },
          // A transposed view: shape [2, 2], strides [1, 2] over 1, 2, 3, 4.
          { name: "t", key: "1", numel: 4, shape: [2, 2], stride: [1, 2] },
          { name: "h", key: "2", storage: "HalfStorage", numel: 2, shape: [2] },
          { name: "d", key: "3", storage: "DoubleStorage", numel: 1, shape: [] },
          { name: "bn.num_batches_tracked", key: "4", storage: "LongStorage", numel: 1, shape: [] },
        ],
        {
          0: f32(9, 9, 1, 2, 3, 4),
          1: f32(1, 2, 3, 4),
          2: new Uint8Array(half.buffer),
          3: new Uint8Array(Float64Array.of(0.5).buffer),
          4: new Uint8Array(8),
        },
      ),
    );
    expect(readWeightFile(path).format).toBe("pytorch");
    expect(values(path)).toEqual([
      { name: "conv.weight", shape: [2, 2], data: [1, 2, 3, 4] },
      { name: "t", shape: [2, 2], data: [1, 3, 2, 4] },
      { name: "h", shape: [2], data: [1, -2] },
      { name: "d", shape: [], data: [0.5] },
      { name: "bn.num_batches_tracked", shape: [], data: undefined },
    ]);
  });

  test("a pickle that names os.system is refused before anything runs", () => {
    // c os\nsystem\n (X 'echo hi') TUPLE1 REDUCE STOP: what a malicious checkpoint does.
    const evil = concat([
      Uint8Array.of(0x80, 0x02, 0x63),
      new TextEncoder().encode("os\nsystem\n"),
      Uint8Array.of(0x8c, 7),
      new TextEncoder().encode("echo hi"),
      Uint8Array.of(0x85, 0x52, 0x2e),
    ]);
    refused(torchFile([], {}, evil), /global 'os\.system'.*refused/);
    // builtins.eval through STACK_GLOBAL, and the INST opcode
    const stack = concat([
      Uint8Array.of(0x80, 0x04, 0x8c, 8),
      new TextEncoder().encode("builtins"),
      Uint8Array.of(0x8c, 4),
      new TextEncoder().encode("eval"),
      Uint8Array.of(0x93, 0x2e),
    ]);
    refused(torchFile([], {}, stack), /builtins\.eval/);
    refused(
      torchFile(
        [],
        {},
        concat([Uint8Array.of(0x80, 0x02, 0x28, 0x69), new TextEncoder().encode("os\nsystem\n"), Uint8Array.of(0x2e)]),
      ),
      /opcode 0x69/,
    );
  });

  test("truncated, lying and huge files", () => {
    const good = torchFile([{ name: "w", key: "0", numel: 2, shape: [2] }], { 0: f32(1, 2) });
    expect(values(file(good))).toEqual([{ name: "w", shape: [2], data: [1, 2] }]);
    refused(good.subarray(0, good.length - 30), /end-of-central-directory|truncated/);
    refused(good.subarray(0, 200), /not a readable ZIP/);
    // The storage declares 2^40 elements but holds 2.
    refused(
      torchFile([{ name: "w", key: "0", numel: 2 ** 40, shape: [2] }], { 0: f32(1, 2) }),
      /declares 1099511627776 elements but holds 2/,
    );
    // A shape far beyond the storage, a view past its end, a storage that is not there.
    refused(
      torchFile([{ name: "w", key: "0", numel: 2, shape: [65536, 65536, 65536, 65536] }], { 0: f32(1, 2) }),
      /more than 2\^40 elements/,
    );
    refused(
      torchFile([{ name: "w", key: "0", numel: 2, offset: 1, shape: [2] }], { 0: f32(1, 2) }),
      /reaches element 2 of a storage of 2/,
    );
    refused(
      torchFile([{ name: "w", key: "7", numel: 2, shape: [2] }], { 0: f32(1, 2) }),
      /storage '7', which the checkpoint lacks/,
    );
    // Stride 0 repeating one value 2^20 x 4 times: more elements than the file has bytes.
    refused(
      torchFile([{ name: "w", key: "0", numel: 1, shape: [1 << 20, 4], stride: [0, 0] }], { 0: f32(1) }),
      /more elements than the file has bytes/,
    );
    // A central directory entry that claims 4 GiB.
    const big = zip([["archive/data.pkl", statePickle([])]]);
    const v = new DataView(big.buffer);
    const central = big.length - 22 - (46 + "archive/data.pkl".length);
    v.setUint32(central + 20, 0xfffffff0, true);
    v.setUint32(central + 24, 0xfffffff0, true);
    refused(big, /runs past the end of the file/);
    refused(zip([["x/y.txt", new Uint8Array(3)]]), /expected one <archive>\/data\.pkl entry, found 0/);
  });

  test("a training checkpoint's state_dict", () => {
    // {"epoch": 3, "state_dict": {"w": tensor}}: built from the plain pickle's parts.
    const inner = statePickle([{ name: "w", key: "0", numel: 2, shape: [2] }]);
    const body = inner.subarray(2, inner.length - 1); // without PROTO and STOP
    const enc = new TextEncoder();
    const pickle = concat([
      Uint8Array.of(0x80, 0x02, 0x7d, 0x28, 0x8c, 5),
      enc.encode("epoch"),
      Uint8Array.of(0x4b, 3, 0x8c, 10),
      enc.encode("state_dict"),
      body,
      Uint8Array.of(0x75, 0x2e),
    ]);
    expect(values(file(torchFile([], { 0: f32(1, 2) }, pickle)))).toEqual([{ name: "w", shape: [2], data: [1, 2] }]);
  });

  test("not a state_dict, legacy format, unknown file", () => {
    refused(torchFile([], {}, Uint8Array.of(0x80, 0x02, 0x4b, 0x05, 0x2e)), /holds a number, not a state_dict/);
    refused(
      Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0, 0),
      /legacy format/,
    );
    refused(
      new TextEncoder().encode("hello, this is no checkpoint at all"),
      /not a PyTorch checkpoint, safetensors file, ONNX model or tfjs checkpoint/,
    );
  });
});

describe("safetensors", () => {
  const data = new Uint8Array(f32(1, 2, 3, 4, 5).buffer);
  test("entries come back in data order, float32", () => {
    const header = {
      __metadata__: { format: "pt" },
      b: { dtype: "F32", shape: [3], data_offsets: [8, 20] },
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
    };
    const path = file(safetensors(header, data));
    expect(readWeightFile(path).format).toBe("safetensors");
    expect(values(path)).toEqual([
      { name: "a", shape: [2], data: [1, 2] },
      { name: "b", shape: [3], data: [3, 4, 5] },
    ]);
  });

  test("a header that lies", () => {
    refused(
      safetensors({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, data, 1e9),
      /declares 1000000000 bytes/,
    );
    refused(
      safetensors({ a: { dtype: "F32", shape: [2], data_offsets: [0, 800] } }, data),
      /ends at byte 800 of the data, which has 20/,
    );
    refused(
      safetensors({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, data),
      /shape \[3\] \(12 bytes of float32\) but data_offsets span 8/,
    );
    refused(
      safetensors(
        {
          a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
          b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
        },
        data,
      ),
      /overlap/,
    );
    refused(safetensors({ a: { dtype: "F32", shape: [-2], data_offsets: [0, 8] } }, data), /invalid size -2/);
    refused(safetensors({ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, data), /dtype "C64"/);
  });
});

describe("ONNX initializers", () => {
  test("an ONNX model's initializers, and external data kept inside the model's folder", async () => {
    const onnxProto = (await import("onnx-proto")).default;
    const onnx = onnxProto.onnx;
    const model = (inits: unknown[]) =>
      onnx.ModelProto.encode(
        onnx.ModelProto.create({
          irVersion: 8,
          graph: onnx.GraphProto.create({ name: "g", initializer: inits as never[] }),
        }),
      ).finish();
    const F = onnx.TensorProto.DataType.FLOAT;
    const path = file(
      model([
        { name: "w", dims: [2], dataType: F, rawData: new Uint8Array(f32(1, 2).buffer) },
        { name: "b", dims: [1], dataType: F, floatData: [3] },
      ]),
    );
    expect(values(path)).toEqual([
      { name: "w", shape: [2], data: [1, 2] },
      { name: "b", shape: [1], data: [3] },
    ]);
    const sub = join(dir, "ext");
    mkdirSync(sub);
    writeFileSync(join(sub, "m.onnx.data"), new Uint8Array(f32(0, 7, 8).buffer));
    const ext = (location: string) => ({
      name: "e",
      dims: [2],
      dataType: F,
      dataLocation: 1,
      externalData: [
        { key: "location", value: location },
        { key: "offset", value: "4" },
        { key: "length", value: "8" },
      ],
    });
    writeFileSync(join(sub, "m.onnx"), model([ext("m.onnx.data")]));
    expect(values(join(sub, "m.onnx"))).toEqual([{ name: "e", shape: [2], data: [7, 8] }]);
    refused(model([ext("../../etc/passwd")]), /outside the model's folder/);
  });
});
