// `netc compile --target triton`: a Triton model repository. Each config.pbtxt
// is parsed with Google's protobuf text-format parser against Triton's own
// model_config.proto (vendored in test/fixtures/triton), not compared as a
// string; its names and dims agree with the ONNX model beside it, which is the
// ONNX backend's model (preprocessing inside) and runs in onnxruntime at batch
// sizes 1, 2 and max_batch_size, and at two heights and widths where the
// network takes any.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import "protobufjs/ext/descriptor/index.js";
import { beforeAll, describe, expect, test } from "vitest";
import { checkFile, checkText } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { onnx } from "../../src/emit/onnx/proto.js";
import { printConfig, tritonConfig } from "../../src/emit/triton/index.js";
import { netc, root, tmp, TINY } from "../cli/helpers.js";
import { randomInput, runOrt } from "../onnx/harness.js";
import { needPythonProtobuf, runs } from "../requirements.js";

const protobufReady = runs(needPythonProtobuf(), "parsing config.pbtxt against Triton's model_config.proto");
let descriptorFile = "";

beforeAll(() => {
  // The schema as a FileDescriptorSet, for python's descriptor pool.
  const schema = protobuf.loadSync(join(root, "test/fixtures/triton/model_config.proto"));
  const set = (schema as unknown as { toDescriptor(e: string): { constructor: { encode(m: unknown): { finish(): Uint8Array } } } }).toDescriptor("proto3");
  descriptorFile = join(tmp("netc-triton-"), "model_config.desc");
  writeFileSync(descriptorFile, set.constructor.encode(set).finish());
});

/** config.pbtxt as Triton reads it: the parsed inference.ModelConfig, as JSON with proto field names. */
function parseConfig(path: string): Record<string, unknown> {
  const r = spawnSync("/usr/bin/python3", [join(root, "test/triton/parse_config.py"), descriptorFile, path], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`config.pbtxt does not parse as inference.ModelConfig: ${r.stderr.trim().split("\n").at(-1)}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** The ONNX model's input and output: names and dims (symbolic ones by name). */
function modelIo(path: string) {
  const g = onnx.ModelProto.decode(readFileSync(path)).graph!;
  const io = (v: (typeof g.input)[number]) => ({ name: v.name, dims: v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)) });
  return { input: io(g.input[0]!), output: io(g.output[0]!), metadata: Object.fromEntries(onnx.ModelProto.decode(readFileSync(path)).metadataProps.map((p) => [p.key, p.value])) };
}

/** Triton's dims for an ONNX shape: symbolic sizes are -1, the batch left out when Triton batches. */
const tritonDims = (dims: (string | number)[], batching: boolean) => (batching ? dims.slice(1) : dims).map((d) => (typeof d === "string" ? "-1" : String(d)));

/** Runs the model at each batch size and checks every sample gives what it gives alone. */
async function runBatches(model: string, inputName: string, chw: number[], batches: number[], outPer: number) {
  const per = chw.reduce((a, b) => a * b, 1);
  const max = Math.max(...batches);
  const x = randomInput(per * max, 11);
  const alone = [];
  for (let i = 0; i < max; i++) alone.push((await runOrt(model, inputName, [1, ...chw], x.subarray(i * per, (i + 1) * per))).data);
  for (const b of batches) {
    const got = await runOrt(model, inputName, [b, ...chw], x.subarray(0, b * per));
    expect(got.dims).toEqual([b, outPer]);
    for (let i = 0; i < b; i++) {
      const ref = alone[i]!;
      const scale = Math.max(...Array.from(ref, Math.abs));
      const diff = Math.max(...Array.from(ref, (v, k) => Math.abs(v - got.data[i * outPer + k]!)));
      expect(diff / scale, `batch ${b}, sample ${i}`).toBeLessThan(1e-5);
    }
  }
}

describe("netc compile --target triton", () => {
  test.runIf(protobufReady)("SqueezeNet 1.1: batching, any height and width, instance groups, dynamic batching", async () => {
    const repo = join(tmp("netc-triton-"), "repo");
    const spec = join(root, "specs/zoo/squeezenet1-1.net");
    const args = ["--set", "classes=10", "--set", "size=64", "--max-batch-size", "4", "--dynamic-batching", "--preferred-batch-size", "2,4"];
    const r = netc(["compile", spec, "--target", "triton", "--out", repo, ...args, "--max-queue-delay-us", "100", "--instances", "2", "--kind", "gpu", "--model-name", "squeeze"]);
    expect(r.stderr).toBe(`wrote ${join(repo, "squeeze/config.pbtxt")}\nwrote ${join(repo, "squeeze/1/model.onnx")}\n`);
    expect(r.code).toBe(0);
    const config = parseConfig(join(repo, "squeeze/config.pbtxt"));
    expect(config).toEqual({
      name: "squeeze",
      backend: "onnxruntime",
      max_batch_size: 4,
      input: [{ name: "image", data_type: "TYPE_FP32", dims: ["3", "-1", "-1"] }],
      output: [{ name: "output", data_type: "TYPE_FP32", dims: ["10"] }],
      instance_group: [{ count: 2, kind: "KIND_GPU" }],
      dynamic_batching: { preferred_batch_size: [2, 4], max_queue_delay_microseconds: "100" },
    });
    const model = join(repo, "squeeze/1/model.onnx");
    const io = modelIo(model);
    expect(io.input).toEqual({ name: "image", dims: ["N", 3, "height", "width"] });
    expect((config.input as { dims: string[] }[])[0]!.dims).toEqual(tritonDims(io.input.dims, true));
    expect((config.output as { dims: string[] }[])[0]!.dims).toEqual(tritonDims(io.output.dims, true));
    // The ONNX backend's model with the spec's preprocessing as its first nodes.
    expect(JSON.parse(io.metadata["netc.preprocess"]!).inGraph).toBe(true);
    const graph = checkFile(spec, diskHost, { params: { classes: 10, size: 64 } }).graph!;
    const ref = emitOnnx(graph, { size: "dynamic" }).model;
    const ours = readFileSync(model);
    const x = randomInput(2 * 3 * 64 * 64, 5);
    expect((await runOrt(ours, "image", [2, 3, 64, 64], x)).data).toEqual((await runOrt(ref, "image", [2, 3, 64, 64], x)).data);
    for (const [h, w] of [[64, 64], [48, 80]]) await runBatches(model, "image", [3, h!, w!], [1, 2, 4], 10);
  }, 180_000);

  test.runIf(protobufReady)("a network that needs its input size, without batching (--max-batch-size 0): dims with the batch, fixed sizes", async () => {
    const dir = tmp("netc-triton-");
    writeFileSync(join(dir, "tiny.net"), TINY);
    const repo = join(dir, "repo");
    const r = netc(["compile", join(dir, "tiny.net"), "--target", "triton", "--out", repo, "--max-batch-size", "0", "--kind", "cpu"]);
    expect(r.code).toBe(0);
    const config = parseConfig(join(repo, "Tiny/config.pbtxt"));
    // kind KIND_AUTO and max_batch_size 0 are proto3 defaults, which JSON leaves out.
    expect(config).toEqual({
      name: "Tiny",
      backend: "onnxruntime",
      input: [{ name: "x", data_type: "TYPE_FP32", dims: ["-1", "1", "8", "8"] }],
      output: [{ name: "output", data_type: "TYPE_FP32", dims: ["-1", "10"] }],
      instance_group: [{ count: 1, kind: "KIND_CPU" }],
    });
    const io = modelIo(join(repo, "Tiny/1/model.onnx"));
    expect((config.input as { dims: string[] }[])[0]!.dims).toEqual(tritonDims(io.input.dims, false));
    expect((config.output as { dims: string[] }[])[0]!.dims).toEqual(tritonDims(io.output.dims, false));
    await runBatches(join(repo, "Tiny/1/model.onnx"), "x", [1, 8, 8], [1, 2, 3], 10);
  }, 60_000);

  test.runIf(protobufReady)("defaults, and --fixed-size keeps the spec's height and width", () => {
    const graph = checkFile(join(root, "specs/zoo/squeezenet1-1.net"), diskHost, { params: { classes: 10, size: 64 } }).graph!;
    const path = join(tmp("netc-triton-"), "config.pbtxt");
    for (const [options, dims] of [[{}, ["3", "-1", "-1"]], [{ fixedSize: true }, ["3", "64", "64"]]] as const) {
      const { config, dynamicSize } = tritonConfig(graph, options);
      expect(dynamicSize).toBe(dims[1] === "-1");
      writeFileSync(path, printConfig(config!, "a comment"));
      expect(parseConfig(path)).toEqual({
        name: "SqueezeNet1_1",
        backend: "onnxruntime",
        max_batch_size: 8,
        input: [{ name: "image", data_type: "TYPE_FP32", dims }],
        output: [{ name: "output", data_type: "TYPE_FP32", dims: ["10"] }],
        instance_group: [{ count: 1 }],
      });
    }
  });

  test.runIf(protobufReady)("names reach config.pbtxt as text-format strings: quotes, backslashes, newlines and non-ASCII", () => {
    const graph = checkText(TINY, "/tmp/t.net").graph!;
    const { config } = tritonConfig(graph, {});
    const hostile = 'a"b\\c\nname: "evil"\u0001 é ✓ #';
    const path = join(tmp("netc-triton-"), "config.pbtxt");
    writeFileSync(path, printConfig({ ...config!, input: { ...config!.input, name: hostile } }, "first line\nsecond line"));
    expect((parseConfig(path).input as { name: string }[])[0]!.name).toBe(hostile);
    expect(parseConfig(path).name).toBe("Tiny");
  });

  test.runIf(protobufReady)("the parser is Triton's schema: a misspelt field or an unknown enum value is refused", () => {
    const path = join(tmp("netc-triton-"), "config.pbtxt");
    writeFileSync(path, 'name: "m"\nmax_batch_sizes: 8\n');
    expect(() => parseConfig(path)).toThrow(/no field named "max_batch_sizes"/);
    writeFileSync(path, 'name: "m"\ninstance_group [ { kind: KIND_TPU } ]\n');
    expect(() => parseConfig(path)).toThrow(/has no value named KIND_TPU/);
  });

  test("--weights: the repository's model holds the checkpoint's weights (here an ONNX model's initializers)", async () => {
    const dir = tmp("netc-triton-");
    writeFileSync(join(dir, "tiny.net"), TINY);
    expect(netc(["compile", join(dir, "tiny.net"), "--target", "onnx", "--seed", "5", "-o", join(dir, "seed5.onnx")]).code).toBe(0);
    const repo = join(dir, "repo");
    expect(netc(["compile", join(dir, "tiny.net"), "--target", "triton", "--out", repo, "--weights", join(dir, "seed5.onnx")]).code).toBe(0);
    const x = randomInput(2 * 64, 3);
    const ours = await runOrt(join(repo, "Tiny/1/model.onnx"), "x", [2, 1, 8, 8], x);
    expect(ours.data).toEqual((await runOrt(join(dir, "seed5.onnx"), "x", [2, 1, 8, 8], x)).data);
    const seed0 = await runOrt(emitOnnx(checkText(TINY, "/tmp/t.net").graph!, { seed: 0 }).model, "x", [2, 1, 8, 8], x);
    expect(ours.data).not.toEqual(seed0.data);
  }, 60_000);

  test("options Triton would refuse are NET5050 errors at the network, and nothing is written", () => {
    const dir = tmp("netc-triton-");
    writeFileSync(join(dir, "tiny.net"), TINY);
    const repo = join(dir, "repo");
    const cases: [string[], string][] = [
      [["--model-name", "../up"], `--model-name expects a folder name of letters, digits, '_', '-' and '.' (not starting with '.', at most 128), but found "../up"`],
      [["--preferred-batch-size", "4,16"], `--preferred-batch-size expects batch sizes from 1 to --max-batch-size (8), comma-separated, but found "16"`],
      [["--dynamic-batching", "--max-batch-size", "0"], "--dynamic-batching expects --max-batch-size of 1 or more (Triton batches only models that take a batch), but found --max-batch-size 0"],
      [["--instances", "0"], "--instances expects a count from 1 to 2147483647, but found 0"],
    ];
    for (const [args, message] of cases) {
      const r = netc(["compile", join(dir, "tiny.net"), "--target", "triton", "--out", repo, ...args]);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain(`tiny.net:2:3: error NET5050: Triton model repository: ${message}.`);
      expect(existsSync(repo)).toBe(false);
    }
  });

  test("all or nothing: when the model cannot be written, neither is config.pbtxt", () => {
    const dir = tmp("netc-triton-");
    writeFileSync(join(dir, "tiny.net"), TINY);
    const repo = join(dir, "repo");
    mkdirSync(join(repo, "Tiny/1/model.onnx"), { recursive: true });
    const r = netc(["compile", join(dir, "tiny.net"), "--target", "triton", "--out", repo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("model.onnx");
    expect(existsSync(join(repo, "Tiny/config.pbtxt"))).toBe(false);
    expect(execFileSync("find", [repo], { encoding: "utf8" }).trim().split("\n").sort()).toEqual([repo, join(repo, "Tiny"), join(repo, "Tiny/1"), join(repo, "Tiny/1/model.onnx")]);
  });
});
