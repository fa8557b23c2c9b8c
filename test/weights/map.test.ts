// Matching a file's tensors to a spec's (src/weights/map.ts), and the CLI
// around it: state_dict order with num_batches_tracked skipped, names when a
// map is given, one clear error at the first tensor that does not fit, and
// auxiliary heads optional, for netc's own tfjs checkpoints too (training saves
// the inference model without them; compile --weights used to demand them).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { checkFile, checkText } from "../../src/check/index.js";
import { emitOnnx } from "../../src/emit/onnx/index.js";
import { initWeights } from "../../src/ir/weights.js";
import { toTfjsWeights } from "../../src/runtime/checkpoint-layout.js";
import { mapWeights, specTensors } from "../../src/weights/map.js";
import { loadWeights } from "../../src/weights/read-weights.js";
import type { FileTensor } from "../../src/weights/tensor.js";
import { netc, tmp } from "../cli/helpers.js";
import { safetensors, concat } from "./build.js";

const TINY = `network Tiny {
  input image 3x4x4
  conv1 = conv 3x3 2 pad=1 bn relu
  side = seq { flatten; dense 5 } from conv1 weight 0.3
  flatten
  fc = dense 3
}
`;
const graph = checkText(TINY, "tiny.net").graph!;
const ramp = (n: number, from = 0) => Float32Array.from({ length: n }, (_, i) => from + i);
const t = (name: string, shape: number[], data?: Float32Array): FileTensor => ({
  name,
  dtype: "float32",
  shape,
  data: data ?? ramp(shape.reduce((a, b) => a * b, 1)),
});

/** torchvision-like names for Tiny, in state_dict order (with its aux head, or without). */
function state(aux: boolean): FileTensor[] {
  return [
    t("conv1.weight", [2, 3, 3, 3]),
    t("bn1.weight", [2]),
    t("bn1.bias", [2]),
    t("bn1.running_mean", [2], Float32Array.of(5, 6)),
    t("bn1.running_var", [2], Float32Array.of(7, 8)),
    { name: "bn1.num_batches_tracked", dtype: "int64", shape: [], data: undefined },
    ...(aux ? [t("aux.fc.weight", [5, 32]), t("aux.fc.bias", [5])] : []),
    t("fc.weight", [3, 32]),
    t("fc.bias", [3]),
  ];
}

describe("mapping a file onto a spec", () => {
  test("by state_dict order, with and without the auxiliary head", () => {
    const full = mapWeights(graph, "f.pt", state(true));
    expect(full.by).toBe("order");
    expect(full.auxMissing).toEqual([]);
    expect(full.pairs.map((p) => `${p.spec.path}=${p.file.name}`)).toContain("conv1/bn.running_var=bn1.running_var");
    expect([...full.weights.get("conv1/bn")!.variance!]).toEqual([7, 8]);
    expect(full.weights.get("side/dense1")!.kernel!.length).toBe(160);
    const main = mapWeights(graph, "f.pt", state(false));
    expect(main.auxMissing).toEqual(["side"]);
    expect(main.weights.has("side/dense1")).toBe(false);
  });

  test("an aux head the file registers elsewhere is found as a whole", () => {
    const file = state(true);
    const aux = file.splice(6, 2);
    file.splice(file.length - 2, 0, ...aux);
    const m = mapWeights(graph, "f.pt", file);
    expect(m.auxMissing).toEqual([]);
    expect(m.pairs.find((p) => p.spec.path === "side/dense1.bias")!.file.name).toBe("aux.fc.bias");
    expect(m.pairs.find((p) => p.spec.path === "fc.weight")!.file.name).toBe("fc.weight");
  });

  test("the first tensor that does not fit is one error: index, spec path and shape, file name and shape", () => {
    const wrong = state(false);
    wrong[2] = t("bn1.bias", [3]);
    expect(() => mapWeights(graph, "f.pt", wrong)).toThrow(
      "f.pt: tensor 2: the spec's conv1/bn.bias expects shape [2], the file's 'bn1.bias' has [3] (tensors are matched by state_dict order; a name map, --weights-map, matches them by name)",
    );
    expect(() => mapWeights(graph, "f.pt", state(false).slice(0, 4))).toThrow(
      "f.pt: holds 4 weight tensors (besides num_batches_tracked), the spec expects 9 (7 without the auxiliary heads); the first missing one is conv1/bn.running_var [2]",
    );
  });

  test("by name: a map with prefixes, or the file's own netc names", () => {
    const shuffled = state(false).reverse();
    const m = mapWeights(graph, "f.pt", shuffled, { conv1: "conv1", "conv1/bn": "bn1", fc: "fc" });
    expect(m.by).toBe("name");
    expect(m.auxMissing).toEqual(["side"]);
    expect([...m.weights.get("conv1/bn")!.mean!]).toEqual([5, 6]);
    expect(() => mapWeights(graph, "f.pt", shuffled, { conv1: "conv1", "conv1/bn": "bn2", fc: "fc" })).toThrow(
      "f.pt: has no tensor 'bn2.weight' for conv1/bn.weight [2] (tensor 1 of the spec)",
    );
    // A file that names every tensor as netc does is read by name without a map.
    const own = specTensors(graph).map((s) => t(s.path.replaceAll("/", "."), s.shape));
    expect(mapWeights(graph, "f.pt", own.reverse()).by).toBe("name");
  });
});

/** A tfjs checkpoint folder from a WeightSet: model.json's manifest and weights.bin, as training writes them. */
function tfjsCheckpoint(dir: string, specGraph: typeof graph, weights: ReturnType<typeof initWeights>): void {
  const named = toTfjsWeights(specGraph, weights);
  mkdirSync(dir, { recursive: true });
  const specs = [...named].map(([name, v]) => ({ name, shape: v.shape, dtype: "float32" }));
  writeFileSync(
    join(dir, "weights.bin"),
    concat([...named.values()].map((v) => new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength))),
  );
  writeFileSync(
    join(dir, "model.json"),
    JSON.stringify({ format: "layers-model", weightsManifest: [{ paths: ["./weights.bin"], weights: specs }] }),
  );
}

describe("auxiliary heads are optional in netc's own checkpoints", () => {
  for (const spec of ["specs/googlenet.net", "specs/googlenet-torchvision.net", "specs/zoo/inception-v3.net"]) {
    test(`${spec}: a checkpoint without its aux heads loads and compiles`, async () => {
      const g = checkFile(spec).graph!;
      expect(g.nodes.some((n) => n.aux !== undefined)).toBe(true);
      const weights = initWeights(g, 3, (n) => n.aux === undefined);
      const dir = join(tmp("netc-aux-"), "ckpt");
      tfjsCheckpoint(dir, g, weights);
      const loaded = await loadWeights(dir, g);
      expect(loaded.format).toBe("tfjs");
      expect([...loaded.weights.keys()].sort()).toEqual([...weights.keys()].sort());
      // Byte comparison: vitest's deep equality is far too slow on millions of floats.
      const bytes = (a: Float32Array | undefined) => Buffer.from(a!.buffer, a!.byteOffset, a!.byteLength);
      const differ = [...weights].filter(
        ([k, w]) =>
          !bytes(loaded.weights.get(k)!.kernel ?? loaded.weights.get(k)!.gamma).equals(bytes(w.kernel ?? w.gamma)),
      );
      expect(differ.map(([k]) => k)).toEqual([]);
      expect(emitOnnx(g, { weights: loaded.weights }).model.length).toBeGreaterThan(0);
    }, 60_000);
  }

  test("netc compile --weights DIR on googlenet.net without aux weights", () => {
    const g = checkFile("specs/googlenet.net").graph!;
    const dir = tmp("netc-aux-cli-");
    tfjsCheckpoint(
      join(dir, "ckpt"),
      g,
      initWeights(g, 0, (n) => n.aux === undefined),
    );
    const r = netc([
      "compile",
      "specs/googlenet.net",
      "--target",
      "onnx",
      "--weights",
      join(dir, "ckpt"),
      "-o",
      join(dir, "g.onnx"),
    ]);
    expect(r.stderr).not.toContain("has no weight");
    expect(r.code).toBe(0);
  }, 60_000);
});

test("netc verify --weights: a trained inference model without its aux head, and a safetensors file", async () => {
  const runtime = await import("../../src/runtime/index.js");
  const { buildFromPlan } = await import("../../src/emit/tfjs/build.js");
  const { planModel } = await import("../../src/emit/tfjs/plan.js");
  const { saveCheckpoint, setModelWeights } = await import("../../src/runtime/checkpoint.js");
  const tf = await runtime.loadTf({ quiet: true });
  const dir = tmp("netc-verify-weights-");
  const spec = join(dir, "tiny.net");
  writeFileSync(spec, TINY);
  const model = buildFromPlan(tf, planModel(graph), runtime).inference;
  setModelWeights(
    tf,
    model,
    graph,
    initWeights(graph, 5, (n) => n.aux === undefined),
  );
  await saveCheckpoint(model, join(dir, "ckpt"));
  const r = netc(["verify", spec, "--weights", join(dir, "ckpt"), "--json"]);
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, weights: "checkpoint" });
  const file = join(dir, "tiny.safetensors");
  writeFileSync(file, safetensorsOf(state(false)));
  const s = netc(["verify", spec, "--weights", file, "--json"]);
  expect(JSON.parse(s.stdout)).toMatchObject({ ok: true, weights: "checkpoint" });
}, 120_000);

/** A safetensors file of the float tensors, in order. */
function safetensorsOf(all: FileTensor[]): Uint8Array {
  const tensors = all.filter((x) => x.data);
  let off = 0;
  const header: Record<string, unknown> = {};
  for (const x of tensors) {
    header[x.name] = { dtype: "F32", shape: x.shape, data_offsets: [off, off + x.data!.byteLength] };
    off += x.data!.byteLength;
  }
  return safetensors(header, concat(tensors.map((x) => new Uint8Array(x.data!.buffer))));
}

describe("the CLI", () => {
  const dir = tmp("netc-weights-cli-");
  const spec = join(dir, "tiny.net");
  writeFileSync(spec, TINY);

  test("netc weights SPEC lists the tensors in state_dict order", () => {
    const r = netc(["weights", spec]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^#\s+netc path\s+pytorch\s+shape\s+layout$/);
    expect(lines[1]).toMatch(/^0\s+conv1\.weight\s+weight\s+2x3x3x3\s+OIHW$/);
    expect(lines[6]).toMatch(/side\/dense1\.weight \(aux\)\s+weight\s+5x32\s+\[out, in\] \(in: C,H,W flatten order\)/);
    const json = JSON.parse(netc(["weights", spec, "--json"]).stdout) as {
      path: string;
      pytorch: string;
      shape: number[];
      aux?: string;
    }[];
    expect(json.map((x) => x.path)).toEqual(specTensors(graph).map((s) => s.path));
    expect(json[4]).toMatchObject({
      index: 4,
      path: "conv1/bn.running_var",
      node: "conv1/bn",
      pytorch: "running_var",
      shape: [2],
      layout: "[C]",
    });
  });

  test("compile --weights and weights --weights read a safetensors file; a bad one is one clear error", () => {
    const file = join(dir, "tiny.safetensors");
    writeFileSync(file, safetensorsOf(state(false)));
    const r = netc(["compile", spec, "--target", "onnx", "--weights", file, "-o", join(dir, "tiny.onnx")]);
    expect(r.stderr).toContain("wrote");
    expect(r.code).toBe(0);
    const listed = netc(["weights", spec, "--weights", file]);
    expect(listed.stdout).toContain("bn1.running_var");
    expect(listed.stdout).toContain("(safetensors, matched by order; without side)");
    const bad = join(dir, "bad.safetensors");
    writeFileSync(bad, readFileSync(file).subarray(0, 100));
    const b = netc(["compile", spec, "--target", "onnx", "--weights", bad, "-o", join(dir, "bad.onnx")]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(`${bad}: not a valid safetensors file`);
    // A file that is not there is an I/O error (exit 2), as a missing spec is.
    const missing = netc(["weights", spec, "--weights", join(dir, "nope.pt")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, "nope.pt")}: cannot read the weights`);
  });
});
