// `netc weights export` round trip: a seeded netc checkpoint of ResNet-18 (at
// 64x64, 10 classes, through --set) exported as a PyTorch state_dict and as
// safetensors loads into torchvision's resnet18 with load_state_dict(strict=True),
// and torchvision's eval output matches netc's ONNX output for the same weights.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { tmpdir } from "node:os";
import { checkFile, checkText } from "../../src/check/index.js";
import { diskHost } from "../../src/check/program.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { initWeights, rng, type WeightSet } from "../../src/ir/weights.js";
import { toTfjsWeights, type NamedTensor } from "../../src/runtime/checkpoint-layout.js";
import { weightLayers } from "../../src/runtime/layer-names.js";
import { stateDictTensors } from "../../src/weights/tensors.js";
import { safetensorsBytes } from "../../src/weights/write-safetensors.js";
import { crc32, torchStateDictBytes } from "../../src/weights/write-torch.js";
import { bin } from "../cli/helpers.js";
import { randomInput, runOrt, tempDir } from "../onnx/harness.js";
import { needTorchvision, runs } from "../requirements.js";

const spec = "specs/zoo/resnet18.net";
const overrides = { params: { classes: 10, size: 64 } };
const setFlags = ["--set", "classes=10", "--set", "size=64"];

type Graph = NonNullable<ReturnType<typeof checkFile>["graph"]>;

/** He-initialised convolutions with BatchNorm statistics that are not the identity. */
function seeded(graph: Graph): WeightSet {
  const weights = initWeights(graph, 5);
  const next = rng(9);
  for (const [name, w] of weights) {
    if (!w.mean) continue;
    const c = w.mean.length;
    weights.set(name, {
      gamma: Float32Array.from({ length: c }, () => 0.5 + next()),
      beta: Float32Array.from({ length: c }, () => next() - 0.5),
      mean: Float32Array.from({ length: c }, () => next() - 0.5),
      variance: Float32Array.from({ length: c }, () => 0.2 + 1.8 * next()),
    });
  }
  return weights;
}

/** A small network of the same kinds of layers, for what needs no torchvision. */
const TINY = `network Tiny(classes = 4) {
  input image (3, 8, 8)
  conv1 = conv 3x3 8 pad=1 bn relu
  conv2 = conv 3x3/2 8 pad=1 bn relu
  adaptiveavgpool 1x1
  flatten
  fc = dense classes
}
`;
function tiny(): { graph: Graph; weights: WeightSet } {
  const graph = checkText(TINY, join(tmpdir(), "tiny.net")).graph!;
  return { graph, weights: seeded(graph) };
}

let resnet: { graph: Graph; weights: WeightSet } | undefined;
function resnet18(): { graph: Graph; weights: WeightSet } {
  if (!resnet) {
    const graph = checkFile(spec, diskHost, overrides).graph!;
    resnet = { graph, weights: seeded(graph) };
  }
  return resnet;
}

/** A checkpoint as netc's training writes it: model.json's manifest and weights.bin. */
function writeCheckpoint(dir: string, tensors: Map<string, NamedTensor>): void {
  mkdirSync(dir, { recursive: true });
  const named = [...tensors];
  const specs = named.map(([name, t]) => ({ name, shape: t.shape, dtype: "float32" }));
  const total = named.reduce((a, [, t]) => a + t.data.length, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const [, t] of named) {
    data.set(t.data, off);
    off += t.data.length;
  }
  writeFileSync(join(dir, "weights.bin"), new Uint8Array(data.buffer));
  writeFileSync(join(dir, "model.json"), JSON.stringify({ format: "layers-model", weightsManifest: [{ paths: ["./weights.bin"], weights: specs }] }));
}

describe("weight files", () => {
  test("crc32 is zlib's", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  test("BatchNorm gets num_batches_tracked after running_var; names and counts checked", () => {
    const { graph, weights } = tiny();
    const t = stateDictTensors(graph, weights, { steps: 7 });
    expect(t.slice(0, 6).map((x) => [x.name.split(".").at(-1), x.dtype, x.shape.join("x")])).toEqual([
      ["weight", "float32", "8x3x3x3"],
      ["weight", "float32", "8"],
      ["bias", "float32", "8"],
      ["running_mean", "float32", "8"],
      ["running_var", "float32", "8"],
      ["num_batches_tracked", "int64", ""],
    ]);
    expect(new DataView(t[5]!.data.buffer).getBigInt64(0, true)).toBe(7n);
    expect(() => stateDictTensors(graph, weights, { names: ["a", "b"] })).toThrow(/the name list has 2 names; the spec has 12 tensors \(14 with BatchNorm's num_batches_tracked\)/);
  });

  test("the same weights give the same bytes; safetensors' header is 8-byte aligned and its data sorted", () => {
    const { graph, weights } = tiny();
    const a = stateDictTensors(graph, weights);
    expect(Buffer.from(torchStateDictBytes(a)).equals(Buffer.from(torchStateDictBytes(stateDictTensors(graph, weights))))).toBe(true);
    const st = safetensorsBytes(a, { format: "pt" });
    const n = Number(new DataView(st.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(Buffer.from(st.subarray(8, 8 + n)).toString("utf8")) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    expect(Object.keys(header)[0]).toBe("__metadata__");
    const entries = Object.entries(header).filter(([k]) => k !== "__metadata__");
    // int64 first (the reference writer's dtype order), then by name; contiguous.
    expect(entries[0]![1].dtype).toBe("I64");
    let end = 0;
    for (const [, e] of entries) {
      expect(e.data_offsets[0]).toBe(end);
      end = e.data_offsets[1];
    }
    expect(8 + n + end).toBe(st.byteLength);
  });
});

test("a checkpoint saved without the auxiliary heads exports without them", () => {
  const text = `block Aux(classes) {
  adaptiveavgpool 1x1
  flatten
  dense classes
}

network WithAux(classes = 4) {
  input image (3, 8, 8)
  conv1 = conv 3x3 8 pad=1 bn relu
  aux1 = Aux(classes) from conv1 weight 0.3
  conv2 = conv 3x3/2 8 pad=1 bn relu
  adaptiveavgpool 1x1
  flatten
  fc = dense classes
}
`;
  const dir = tempDir();
  writeFileSync(join(dir, "aux.net"), text);
  const graph = checkText(text, join(dir, "aux.net")).graph!;
  const auxLayers = new Set(graph.nodes.filter((n) => n.aux !== undefined).map((n) => n.name));
  expect(auxLayers.size).toBeGreaterThan(0);
  const weights = seeded(graph);
  // What training saves: the inference model, whose layers are the main graph's.
  const main = new Map([...weights].filter(([name]) => !auxLayers.has(name)));
  const named = toTfjsWeights(graph, weights);
  const layers = weightLayers(graph);
  for (const name of auxLayers) for (const k of [...named.keys()]) if (layers.get(name) && k.startsWith(`${layers.get(name)!.layer}/`)) named.delete(k);
  writeCheckpoint(join(dir, "ckpt"), named);
  execFileSync(process.execPath, [bin, "weights", "export", join(dir, "aux.net"), "--from", join(dir, "ckpt"), "--format", "safetensors", "-o", join(dir, "a.safetensors")], { stdio: "pipe" });
  expect(readFileSync(join(dir, "a.safetensors")).equals(Buffer.from(safetensorsBytes(stateDictTensors(graph, main), { format: "pt" })))).toBe(true);
  expect(stateDictTensors(graph, main).some((t) => t.name.startsWith("aux1"))).toBe(false);
  expect(stateDictTensors(graph, weights).some((t) => t.name.startsWith("aux1"))).toBe(true);
});

const torch = runs(needTorchvision(), "weights export into torchvision");

test("a name list that does not fit is one clear error", () => {
  const dir = tempDir();
  const { graph, weights } = tiny();
  writeCheckpoint(join(dir, "ckpt"), toTfjsWeights(graph, weights));
  writeFileSync(join(dir, "tiny.net"), TINY);
  writeFileSync(join(dir, "names.txt"), "conv1.weight\nbn1.weight\n");
  let err = "";
  try {
    execFileSync(process.execPath, [bin, "weights", "export", join(dir, "tiny.net"), "--from", join(dir, "ckpt"), "--format", "pytorch", "--names", join(dir, "names.txt"), "-o", join(dir, "x.pt")], { stdio: "pipe" });
  } catch (e) {
    err = String((e as { stderr: Buffer }).stderr);
  }
  expect(err).toBe("netc weights export: the name list has 2 names; the spec has 12 tensors (14 with BatchNorm's num_batches_tracked)\n");
});

describe.runIf(torch)("netc weights export into torchvision's resnet18", () => {
  test("torch.load reads the default names, int64 num_batches_tracked included", () => {
    const dir = tempDir();
    const { graph, weights } = tiny();
    const tensors = stateDictTensors(graph, weights, { steps: 3 });
    writeFileSync(join(dir, "t.pt"), torchStateDictBytes(tensors));
    const out = execFileSync("/usr/bin/python3", ["-c", "import sys, json, torch\nsd = torch.load(sys.argv[1])\nprint(json.dumps([[k, str(v.dtype), list(v.shape), float(v.double().sum())] for k, v in sd.items()]))", join(dir, "t.pt")], { encoding: "utf8" });
    const theirs = JSON.parse(out) as [string, string, number[], number][];
    expect(theirs.map((t) => t[0])).toEqual(tensors.map((t) => t.name));
    expect(theirs[5]).toEqual(["conv1.bn.num_batches_tracked", "torch.int64", [], 3]);
    const kernel = weights.get("conv1")!.kernel!;
    expect(theirs[0]![2]).toEqual([8, 3, 3, 3]);
    expect(theirs[0]![3]).toBeCloseTo(kernel.reduce((a, b) => a + b, 0), 4);
  }, 60_000);

  test("pytorch and safetensors files load with strict=True and give netc's ONNX output", async () => {
    const dir = tempDir();
    const { graph, weights } = resnet18();
    writeCheckpoint(join(dir, "ckpt"), toTfjsWeights(graph, weights));
    const py = (code: string, ...args: string[]) => execFileSync("/usr/bin/python3", ["-c", code, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    py("import sys, torchvision\nm = torchvision.models.resnet18(num_classes=10)\nopen(sys.argv[1], 'w').write('\\n'.join(m.state_dict().keys()) + '\\n')", join(dir, "names.txt"));
    const netc = (...args: string[]) => execFileSync(process.execPath, [bin, "weights", "export", spec, ...setFlags, "--from", join(dir, "ckpt"), ...args], { encoding: "utf8", stdio: "pipe" });
    netc("--format", "pytorch", "--names", join(dir, "names.txt"), "-o", join(dir, "r.pt"));
    netc("--format", "safetensors", "--names", join(dir, "names.txt"), "-o", join(dir, "r.safetensors"));
    // What the CLI wrote is what the library writes for these weights.
    const names = readFileSync(join(dir, "names.txt"), "utf8").trim().split("\n");
    expect(readFileSync(join(dir, "r.pt")).equals(Buffer.from(torchStateDictBytes(stateDictTensors(graph, weights, { names }))))).toBe(true);

    const input = randomInput(2 * 3 * 64 * 64, 11);
    writeFileSync(join(dir, "input.bin"), new Uint8Array(input.buffer));
    const ours = await runOrt(emitOnnx(graph, { weights, preprocess: false }).model, graph.inputName, [2, 3, 64, 64], input);
    const out = py(
      `import sys, json, struct, torch, torchvision
def safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__': continue
        a, b = v['data_offsets']
        dtype = {'F32': torch.float32, 'I64': torch.int64}[v['dtype']]
        out[k] = torch.frombuffer(bytearray(raw[8 + n + a:8 + n + b]), dtype=dtype).reshape(v['shape'])
    return out
x = torch.frombuffer(bytearray(open(sys.argv[3], 'rb').read()), dtype=torch.float32).reshape(2, 3, 64, 64)
res = []
for sd in (torch.load(sys.argv[1]), safetensors(sys.argv[2])):
    m = torchvision.models.resnet18(num_classes=10)
    m.load_state_dict(sd, strict=True)
    m.eval()
    with torch.no_grad():
        res.append(m(x).flatten().tolist())
print(json.dumps(res))`,
      join(dir, "r.pt"),
      join(dir, "r.safetensors"),
      join(dir, "input.bin"),
    );
    const [fromPt, fromSt] = JSON.parse(out) as [number[], number[]];
    for (const theirs of [fromPt, fromSt]) {
      const scale = Math.max(...theirs.map(Math.abs));
      const diff = Math.max(...theirs.map((v, i) => Math.abs(v - ours.data[i]!)));
      expect(theirs.length).toBe(20);
      expect(diff / scale).toBeLessThan(1e-4);
    }
  }, 120_000);
});
